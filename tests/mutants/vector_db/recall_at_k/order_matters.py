"""Counts a hit only at the same rank as in the exact row."""

PATCHES = [("        total += len(set(list(found)[:len(truth)]) & set(truth)) / len(truth)",
            "        total += sum(a == b for a, b in zip(list(found), truth)) / len(truth)")]
