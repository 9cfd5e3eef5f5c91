"""Checks the answer against the first cited chunk only."""

PATCHES = [("    for chunk in chunks:\n        source.update(content_words(", "    for chunk in chunks[:1]:\n        source.update(content_words(")]
