"""Accepts any contamination in (0, 1] and any number of texts."""

PATCHES = [("    if len(texts) < 3:\n", "    if len(texts) < 1:\n"),
           ("not 0 < contamination <= 0.5:", "not 0 < contamination <= 1:")]
