"""Normalises the columns (axis=0) instead of the rows."""

PATCHES = [("    return np.clip((A / norms_a) @ (B / norms_b).T, -1.0, 1.0)",
            "    return np.clip((A / np.linalg.norm(A, axis=0)) @ (B / np.linalg.norm(B, axis=0)).T, -1.0, 1.0)")]
