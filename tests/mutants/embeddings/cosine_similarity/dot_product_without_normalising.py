"""A dot product without dividing by the lengths (right only for unit vectors)."""

PATCHES = [("    return float(np.clip(a @ b / (norm_a * norm_b), -1.0, 1.0))", "    return float(a @ b)")]
