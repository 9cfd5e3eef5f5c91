"""Keeps the API's leading space on segment texts."""

PATCHES = [('                 "text": s["text"].strip(), "words": []} for s in data.get("segments") or []]', '                 "text": s["text"], "words": []} for s in data.get("segments") or []]')]
TESTS = ['test_transcribe_api_same_shape_as_local']
