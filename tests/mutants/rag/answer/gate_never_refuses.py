"""An "unanswerable" gate that never refuses: the model is asked whatever was retrieved."""

PATCHES = [("    if relevance < MIN_RELEVANCE or unseen:\n        return {\"answer\": NOT_FOUND,", "    if False:\n        return {\"answer\": NOT_FOUND,")]
TESTS = ["test_answer_does_not_call_the_model_when_nothing_relevant_is_retrieved"]
