"""Returns the hits in the order the store gave them, not best first."""

PATCHES = [("        return sorted(hits, key=lambda h: -h[1])[:k]", "        return hits[:k]"),
           ("        best = np.argsort(-scores, kind=\"stable\")[:k]", "        best = np.argsort(-scores, kind=\"stable\")[:k][::-1]")]
