"""Returns 0 for an empty reference instead of refusing it."""

PATCHES = [('        raise ValueError("reference must contain at least one word (WER divides by its length)")\n', '        return 0.0\n')]
