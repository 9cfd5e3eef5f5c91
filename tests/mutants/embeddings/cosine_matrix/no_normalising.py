"""A @ B.T without normalising the rows."""

PATCHES = [("    return np.clip((A / norms_a) @ (B / norms_b).T, -1.0, 1.0)", "    return A @ B.T")]
