"""Sends every text in one call, ignoring batch_size."""

PATCHES = [("        for start in range(0, len(texts), batch_size):", "        for start in range(0, len(texts), len(texts)):"),
           ("            batch = [texts[i] for i in order[start:start + batch_size]]",
            "            batch = [texts[i] for i in order[start:]]")]
