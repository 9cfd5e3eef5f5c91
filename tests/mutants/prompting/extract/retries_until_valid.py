"""Retries three times instead of once."""

PATCHES = [("    for attempt in (1, 2):\n", "    for attempt in (1, 2, 3):\n"),
           ("            if attempt == 2:\n", "            if attempt == 3:\n")]
TESTS = ["test_extract_gives_up_with_a_clear_error"]
