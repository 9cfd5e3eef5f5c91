"""Forgets to check speed: 0 divides by zero and True counts as 1."""

PATCHES = [('    if isinstance(speed, bool) or not isinstance(speed, (int, float)) or not 0.25 <= speed <= 4:\n        raise ValueError(f"speed must be a number from 0.25 to 4 (1 is normal), got {speed!r}")\n', '')]
TESTS = ['test_speak_rejects_bad_input']
