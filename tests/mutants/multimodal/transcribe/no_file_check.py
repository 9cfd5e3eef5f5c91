"""Does not check that the audio file exists: the decoder's own error comes out."""

PATCHES = [('    if not isinstance(audio, (str, Path)) or not Path(audio).is_file():\n        raise ValueError(f"audio must be the path of an existing audio file, got {audio!r}")\n    segments, info', '    segments, info')]
TESTS = ['test_transcribe_rejects_a_missing_file']
