"""Divides by the number of approximate hits (precision), not by the true neighbours."""

PATCHES = [("        total += len(set(list(found)[:len(truth)]) & set(truth)) / len(truth)",
            "        total += len(set(list(found)[:len(truth)]) & set(truth)) / max(len(list(found)), 1)")]
