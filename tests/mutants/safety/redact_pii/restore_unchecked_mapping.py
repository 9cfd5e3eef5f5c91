"""Restores without checking the mapping: a mapping of placeholders to non-strings is used silently."""

PATCHES = [('    if not isinstance(mapping, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in mapping.items()):\n        raise ValueError("mapping must be a dict of placeholder strings',
            '    if not isinstance(mapping, dict):\n        raise ValueError("mapping must be a dict of placeholder strings')]
TESTS = ["test_redact_and_restore_round_trip"]
