"""Accepts unknown categories and an empty list."""

PATCHES = [('        if a["category"] not in ATTACK_CATEGORIES:\n            raise ValueError', '        if False:\n            raise ValueError'),
           ('    if not isinstance(attacks, list) or not attacks:\n', '    if not isinstance(attacks, list):\n')]
TESTS = ["test_attack_suite_bad_input"]
