"""Sends a non-string example output with str() (Python's repr, not JSON)."""

PATCHES = [("        reply = wanted if isinstance(wanted, str) else json.dumps(wanted)", "        reply = str(wanted)")]
