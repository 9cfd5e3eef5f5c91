"""Uses the rank of the last relevant hit for MRR, not the first."""

PATCHES = [("            reciprocal += 1.0 / ranks[0]", "            reciprocal += 1.0 / ranks[-1]")]
