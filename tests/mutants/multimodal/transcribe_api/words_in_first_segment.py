"""Puts every word in the first segment."""

PATCHES = [('        home = next((s for s in reversed(segments) if s["start"] <= w["start"]), segments[0])\n', '        home = segments[0]\n')]
TESTS = ['test_transcribe_api_same_shape_as_local']
