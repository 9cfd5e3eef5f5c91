"""Scores an archived page like a current one: the 2024 expense row answers a question about today."""

PATCHES = [("        if chunk.get(\"status\") == \"archived\" and not asks_for_the_past:\n", "        if False:\n")]
TESTS = ["test_extract_answer_prefers_a_span_of_the_asked_type"]
