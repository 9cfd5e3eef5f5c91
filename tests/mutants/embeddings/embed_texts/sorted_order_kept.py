"""Sorts the texts longest first but never puts the rows back in the caller's order."""

PATCHES = [("    out[order] = vectors  # row j is the vector of texts[order[j]]: put it back there\n    return out",
            "    return vectors")]
