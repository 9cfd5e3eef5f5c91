"""Splits on whitespace without lower-casing or dropping punctuation."""

PATCHES = [('    ref, hyp = normalise_words(reference), normalise_words(hypothesis)\n', '    ref, hyp = reference.split(), hypothesis.split()\n')]
