"""Checks scripts on the raw text: a Cyrillic look-alike letter in English text is refused."""

PATCHES = [('    if scripts_in(text) - allowed:\n', '    if scripts_in(user_input) - allowed:\n')]
TESTS = ["test_guard_io_checks_input_and_output"]
