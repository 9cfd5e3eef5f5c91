"""An "unanswerable" gate that always refuses."""

PATCHES = [("    if relevance < MIN_RELEVANCE or unseen:\n        return not_found", "    if True:\n        return not_found")]
TESTS = ["test_answer_falls_back_when_the_output_is_invalid"]
