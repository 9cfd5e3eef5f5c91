"""Looks at the raw text: zero-width characters and look-alike letters hide the attack."""

PATCHES = [('    variants = (clean, clean.translate(LEET))', '    clean = text\n    variants = (clean, clean.translate(LEET))')]
TESTS = ["test_injection_lookalikes_and_obfuscation"]
