"""Flattens any input, so a matrix passes for a vector."""

PATCHES = [("    a = np.asarray(a, dtype=np.float64)\n    b = np.asarray(b, dtype=np.float64)\n    if a.ndim",
            "    a = np.asarray(a, dtype=np.float64).ravel()\n    b = np.asarray(b, dtype=np.float64).ravel()\n    if a.ndim")]
