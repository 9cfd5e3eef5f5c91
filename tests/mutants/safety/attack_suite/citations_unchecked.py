"""Ignores citations outside the retrieved sources."""

PATCHES = [('        if sources and any(c not in sources for c in reply.get("citations") or ()):\n            checks.append("citation")\n', '')]
