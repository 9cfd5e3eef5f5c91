"""Forgets to pass the stop sequences through."""

PATCHES = [("max_tokens=max_tokens, stop=stop)\n    # END SOLUTION", "max_tokens=max_tokens)\n    # END SOLUTION")]
TESTS = ["test_complete_passes_max_tokens_and_stop"]
