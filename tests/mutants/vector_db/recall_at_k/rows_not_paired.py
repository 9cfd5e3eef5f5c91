"""Does not check that approx and exact have one row per query each (zip drops the extra)."""

PATCHES = [("    if len(approx) != len(exact):\n", "    if False:\n")]
