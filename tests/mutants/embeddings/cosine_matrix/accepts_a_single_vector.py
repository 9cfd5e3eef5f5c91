"""Turns a 1-D vector into a one-row matrix instead of rejecting it."""

PATCHES = [("    A = np.asarray(A, dtype=np.float64)\n    B = A if B is None else np.asarray(B, dtype=np.float64)",
            "    A = np.atleast_2d(np.asarray(A, dtype=np.float64))\n    B = A if B is None else np.atleast_2d(np.asarray(B, dtype=np.float64))")]
