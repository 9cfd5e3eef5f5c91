"""Keeps the k best but returns them in document order, not best first."""

PATCHES = [("    order = np.argsort(-scores, kind=\"stable\")[:k]", "    order = sorted(np.argsort(-scores, kind=\"stable\")[:k])")]
