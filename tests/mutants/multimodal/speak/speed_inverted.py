"""Passes speed itself as Piper's length_scale, so faster means longer."""

PATCHES = [('_piper_samples(text, length_scale=1.0 / speed)', '_piper_samples(text, length_scale=speed)')]
TESTS = ['test_speak_speed_and_espeak_voice']
