"""Always averages over every other text, whatever n_neighbors says."""

PATCHES = [("    k = min(n_neighbors, len(texts) - 1)\n", "    k = len(texts) - 1\n")]
