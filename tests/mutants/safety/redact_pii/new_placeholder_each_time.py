"""Numbers every occurrence anew: the same name twice gets two placeholders."""

PATCHES = [('        if key not in by_value:\n', '        if True:\n')]
TESTS = ["test_redact_and_restore_round_trip"]
