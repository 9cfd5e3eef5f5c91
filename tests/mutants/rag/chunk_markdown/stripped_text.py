"""Strips each chunk's text, so the chunks no longer join back to the document."""

PATCHES = [("\"headings\": list(headings), \"text\": piece}", "\"headings\": list(headings), \"text\": piece.strip()}")]
