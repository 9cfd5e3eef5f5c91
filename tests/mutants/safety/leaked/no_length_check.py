"""Accepts a short canary that matches ordinary text by chance."""

PATCHES = [('    if len(key) < 8:\n        raise ValueError', '    if len(key) < 1:\n        raise ValueError')]
