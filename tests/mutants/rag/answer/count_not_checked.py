"""Answers a "how many" question from a sentence that states no number: the page is on topic, the count is not in it."""

PATCHES = [("    if extracted[\"type\"] in COUNTED and not extracted[\"span\"]:\n", "    if False:\n")]
TESTS = ["test_answer_refuses_a_count_the_page_does_not_state"]
