"""An "unanswerable" gate that never refuses: the model is asked whatever was retrieved."""

PATCHES = [("    if relevance < MIN_RELEVANCE or unseen:\n        return not_found", "    if False:\n        return not_found")]
TESTS = ["test_answer_does_not_call_the_model_when_nothing_relevant_is_retrieved"]
