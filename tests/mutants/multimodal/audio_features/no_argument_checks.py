"""Does not check its arguments: a zero frame or a missing file fails deep inside."""

PATCHES = [('    for name, value in (("frame_ms", frame_ms), ("min_silence_s", min_silence_s), ("max_chunk_s", max_chunk_s)):\n        if isinstance(value, bool) or not isinstance(value, (int, float)) or value <= 0:\n            raise ValueError(f"{name} must be a positive number, got {value!r}")\n', '')]
TESTS = ['test_audio_features_rejects_bad_input']
