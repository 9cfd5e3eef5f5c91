"""Accepts any secret, however short."""

PATCHES = [('    if not isinstance(secret, str | bytes) or len(secret) < 16:\n', '    if not isinstance(secret, str | bytes):\n')]
