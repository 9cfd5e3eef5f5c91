"""Breaks ties by the higher index."""

PATCHES = [("            top = top[np.lexsort((top, -s[top]))]  # by score, then by index",
            "            top = top[np.lexsort((-top, -s[top]))]")]
