"""Returns each chunk's whole text, not a bounded snippet."""

PATCHES = [
    ('"text": " ".join(h["text"].split())[:SNIPPET_CHARS]}',
     '"text": h["text"]}'),
]
