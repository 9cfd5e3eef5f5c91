"""Keeps argpartition's order: the right k neighbours, but not best first."""

PATCHES = [("            top = top[np.lexsort((top, -s[top]))]  # by score, then by index\n", "            top = np.sort(top)\n")]
