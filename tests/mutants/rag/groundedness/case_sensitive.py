"""Compares words case-sensitively."""

PATCHES = [("        source.update(content_words(index_text(chunk) if isinstance(chunk, dict) else str(chunk)))",
            "        source.update(re.findall(r\"\\w+\", index_text(chunk) if isinstance(chunk, dict) else str(chunk)))"),
           ("    words = content_words(answer)\n", "    words = [w for w in re.findall(r\"\\w+\", answer) if w.lower() in set(content_words(answer))]\n")]
