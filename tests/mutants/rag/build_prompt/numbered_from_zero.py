"""Numbers the sources from 0."""

PATCHES = [("    for n, chunk in enumerate(chunks, 1):", "    for n, chunk in enumerate(chunks):")]
