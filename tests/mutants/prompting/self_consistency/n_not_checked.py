"""Does not check n: 0 raises "no valid sample", 2.5 a TypeError from range()."""

PATCHES = [("    if not isinstance(n, int) or isinstance(n, bool) or n < 1:\n"
            "        raise ValueError(f\"n must be a positive integer, got {n!r}\")\n", "")]
TESTS = ["test_self_consistency_rejects_bad_n"]
