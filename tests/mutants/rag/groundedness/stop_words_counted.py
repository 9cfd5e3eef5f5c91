"""Counts every word, stop words included."""

PATCHES = [("    words = content_words(answer)\n", "    words = re.findall(r\"\\w+\", answer.lower())\n")]
