"""Trusts any answer whose citations are prompt ids, supported by them or not."""

PATCHES = [("    if not cited or not supported([by_id[c] for c in cited]):", "    if not cited:")]
TESTS = ["test_answer_falls_back_when_the_output_is_invalid"]
