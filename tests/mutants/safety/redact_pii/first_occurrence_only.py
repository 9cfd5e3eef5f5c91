"""Trusts the recogniser's spans alone: a name found once is missed (or cut short) where it comes again."""

PATCHES = [('        spans += [(m.start(), m.end(), kind, 1.0) for m in re.finditer(re.escape(value), text)]\n', '        pass\n')]
TESTS = ["test_redact_and_restore_round_trip"]
