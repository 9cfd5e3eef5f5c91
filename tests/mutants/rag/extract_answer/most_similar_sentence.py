"""Returns the sentence most similar to the question by embedding alone: no answer type, no entity overlap."""

PATCHES = [("        score = float(sim) + TYPE_WEIGHT * bool(spans) + ENTITY_WEIGHT * overlap\n",
            "        score = float(sim)\n")]
TESTS = ["test_extract_answer_worked_example", "test_extract_answer_prefers_a_span_of_the_asked_type"]
