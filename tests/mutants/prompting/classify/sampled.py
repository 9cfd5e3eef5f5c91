"""Classifies at temperature 0.7, so the same text can get different labels."""

PATCHES = [("schema}, max_tokens=32)", "schema}, max_tokens=32, temperature=0.7)")]
TESTS = ["test_classify_constrains_the_reply_to_the_labels"]
