"""Never splits a section over the budget: one chunk per heading, however long."""

PATCHES = [("        if fits(piece):\n            return [piece]\n", "        if True:\n            return [piece]\n")]
