"""Takes any repo_id, so 'all-MiniLM-L6-v2' (no owner) or 42 make a broken folder name instead of a clear error."""

PATCHES = [("    if not isinstance(repo_id, str) or not re.fullmatch(r\"[\\w.\\-]+/[\\w.\\-]+\", repo_id):\n",
            "    if False:\n")]
