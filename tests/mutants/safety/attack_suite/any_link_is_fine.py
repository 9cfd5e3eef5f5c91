"""Does not check links: exfiltration through a markdown image passes."""

PATCHES = [('        if any((urlparse(u).hostname or "").lower() not in hosts for u in links_in(answer)):\n            checks.append("link")\n', '')]
