"""Cuts windows of characters instead of tokens."""

PATCHES = [("    ids = tokens.encode(text, model) if text else []\n", "    ids = list(text)\n"),
           ("        chunks.append(tokens.decode(ids[start:start + size], model))\n",
            "        chunks.append(\"\".join(ids[start:start + size]))\n")]
