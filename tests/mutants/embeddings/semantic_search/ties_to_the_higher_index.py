"""Ranks with a reversed ascending sort, so equal scores put the higher index first."""

PATCHES = [("    order = np.argsort(-scores, kind=\"stable\")[:k]", "    order = np.argsort(scores, kind=\"stable\")[::-1][:k]")]
