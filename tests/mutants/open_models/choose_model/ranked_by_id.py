"""Ranks the feasible models by id instead of by price, then RAM."""

PATCHES = [("    order = [mid for _, _, mid in sorted(ranked)]\n", "    order = sorted(mid for _, _, mid in ranked)\n")]
