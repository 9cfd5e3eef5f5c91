"""Speaks every text at normal speed: speed is checked but never used."""

PATCHES = [('_piper_samples(text, length_scale=1.0 / speed)', '_piper_samples(text)')]
TESTS = ['test_speak_speed_and_espeak_voice']
