"""Gives up at the first invalid reply."""

PATCHES = [("            if attempt == 2:\n", "            if attempt >= 1:\n")]
TESTS = ["test_extract_retries_once_with_the_error_fed_back"]
