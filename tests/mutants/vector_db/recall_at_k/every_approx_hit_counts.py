"""Counts every approximate hit, not only the first k (k = the length of each exact row)."""

PATCHES = [("        total += len(set(list(found)[:len(truth)]) & set(truth)) / len(truth)",
            "        total += len(set(list(found)) & set(truth)) / len(truth)")]
