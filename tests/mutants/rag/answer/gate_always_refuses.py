"""An "unanswerable" gate that always refuses."""

PATCHES = [("    if relevance < MIN_RELEVANCE or unseen:\n        return {\"answer\": NOT_FOUND,", "    if True:\n        return {\"answer\": NOT_FOUND,")]
TESTS = ["test_answer_falls_back_when_the_output_is_invalid"]
