"""Counts the unanswerable questions (no doc_ids) as misses instead of skipping them."""

PATCHES = [("    answerable = [q for q in qa_set if q.get(\"doc_ids\")]\n", "    answerable = [q for q in qa_set if \"doc_ids\" in q]\n")]
