"""Accepts an item with several kinds and silently uses the first."""

PATCHES = [('        if len(kinds) != 1:\n', '        if not kinds:\n')]
TESTS = ['test_index_rejects_bad_items']
