"""Forgets to check k: 0 and 11 pass through."""

PATCHES = [("    if isinstance(k, bool) or not isinstance(k, int) or not 1 <= k <= 10:\n        raise ValueError(f\"k must be an integer from 1 to 10, got {k!r}\")\n", "")]
