"""1 / (1 + Euclidean distance): a similarity, but not the cosine."""

PATCHES = [("    return float(np.clip(a @ b / (norm_a * norm_b), -1.0, 1.0))",
            "    return float(1.0 / (1.0 + np.linalg.norm(a - b)))")]
