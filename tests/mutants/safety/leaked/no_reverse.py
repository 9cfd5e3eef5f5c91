"""Forgets the canary written backwards."""

PATCHES = [('(key, body if len(body) >= 8 else "", key[::-1])', '(key, body if len(body) >= 8 else "")')]
