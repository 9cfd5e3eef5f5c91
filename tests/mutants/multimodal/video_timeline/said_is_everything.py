"""Gives every scene the whole transcript."""

PATCHES = [('        said = [w["word"] for w in words if scene["start"] <= (w["start"] + w["end"]) / 2 < scene["end"]]\n', '        said = [w["word"] for w in words]\n')]
TESTS = ['test_timeline_aligns_what_was_said']
