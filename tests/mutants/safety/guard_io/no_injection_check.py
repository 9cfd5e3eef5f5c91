"""Checks lengths and scripts but sends injection attempts to the model."""

PATCHES = [('    if detect_injection(text)["injection"]:\n        return refuse("injection")\n', '')]
TESTS = ["test_guard_io_checks_input_and_output"]
