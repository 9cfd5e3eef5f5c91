"""Returns every doc, ranked, whatever k is."""

PATCHES = [("    order = np.argsort(-scores, kind=\"stable\")[:k]", "    order = np.argsort(-scores, kind=\"stable\")")]
