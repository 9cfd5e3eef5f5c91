"""Treats any unknown provider as the local one instead of saying which providers exist."""

PATCHES = [('    if provider not in ("local", "openai"):\n        raise ValueError', '    if provider is None:\n        raise ValueError')]
TESTS = ["test_moderation_bad_input"]
