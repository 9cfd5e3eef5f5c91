"""Decodes the first max_tokens ids without stepping back over a split multi-byte character."""

PATCHES = [("        piece = tokens.decode(ids[:keep], model)\n", "        return tokens.decode(ids[:keep], model)\n")]
