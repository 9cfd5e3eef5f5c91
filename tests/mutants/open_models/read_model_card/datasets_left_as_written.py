"""Returns `datasets` as the YAML wrote it: a single dataset comes back as a string, not a list."""

PATCHES = [('"datasets": as_list(data.get("datasets")),', '"datasets": data.get("datasets") or [],')]
