"""Does not check k: k=0 fails somewhere deep inside."""

PATCHES = [("    if not isinstance(k, int) or isinstance(k, bool) or k < 1:\n        raise ValueError(f\"k must be a positive integer, got {k!r}\")\n    if isinstance(n,",
            "    if isinstance(n,")]
TESTS = ["test_benchmark_bad_input_names_the_argument"]
