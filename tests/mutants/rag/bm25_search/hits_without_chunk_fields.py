"""Returns only each hit's id and score, dropping the chunk's fields (source, text, headings)."""

PATCHES = [('    return [{**pool[int(j)], "score": float(s)} for j, s in zip(ids[0], scores[0]) if s > 0]',
            '    return [{"id": pool[int(j)]["id"], "score": float(s)} for j, s in zip(ids[0], scores[0]) if s > 0]')]
