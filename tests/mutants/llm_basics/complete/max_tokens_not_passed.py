"""Forgets to pass max_tokens through (the runtime's default applies)."""

PATCHES = [("max_tokens=max_tokens, stop=stop)\n    # END SOLUTION", "stop=stop)\n    # END SOLUTION")]
TESTS = ["test_complete_passes_max_tokens_and_stop"]
