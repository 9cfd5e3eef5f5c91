"""Counts a substitution as two edits (a deletion plus an insertion)."""

PATCHES = [('prev[j - 1] + (r != h))', 'prev[j - 1] + 2 * (r != h))')]
