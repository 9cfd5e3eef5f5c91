"""Does not clamp k to the number of vectors: k=10 over 2 vectors fails."""

PATCHES = [("    k = min(int(k), len(base))\n", "    k = int(k)\n")]
