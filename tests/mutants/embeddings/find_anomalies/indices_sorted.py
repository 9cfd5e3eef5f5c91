"""Returns the flagged indices sorted, not most unusual first."""

PATCHES = [("    return [int(i) for i in np.argsort(-scores, kind=\"stable\")[:flagged]]",
            "    return sorted(int(i) for i in np.argsort(-scores, kind=\"stable\")[:flagged])")]
