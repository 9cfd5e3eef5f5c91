"""Asks for a verdict without a schema: the model may answer anything, at any length."""

PATCHES = [("    raw = generate(messages, judge_schema(), max_tokens)", "    raw = generate(messages, {}, max_tokens)")]
TESTS = ["test_judge_asks_for_a_bounded_verdict_with_the_rubric"]
