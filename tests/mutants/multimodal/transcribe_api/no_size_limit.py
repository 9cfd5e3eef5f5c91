"""Uploads files over the API's 25 MB limit."""

PATCHES = [('    if audio.stat().st_size > AUDIO_MAX_BYTES:\n', '    if False:\n')]
TESTS = ['test_transcribe_api_refuses_what_the_api_refuses']
