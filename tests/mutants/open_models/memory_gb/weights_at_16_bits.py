"""Sizes the weights at 2 bytes each, ignoring the file's quantisation."""

PATCHES = [('    weights = f["parameters"] * f["bits"] / 8\n', '    weights = f["parameters"] * 2\n')]
