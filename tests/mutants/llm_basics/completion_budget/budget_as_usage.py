"""Reports the budget as the tokens used."""

PATCHES = [("        \"completion_tokens\": reply.usage.completion_tokens,", "        \"completion_tokens\": max_tokens,")]
TESTS = ["test_a_big_enough_budget_ends_with_stop"]
