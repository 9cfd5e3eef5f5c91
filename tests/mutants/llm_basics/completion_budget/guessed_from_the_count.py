"""Guesses the finish reason from the token count instead of reading it."""

PATCHES = [("        \"finish_reason\": reply.finish_reason,",
            "        \"finish_reason\": \"length\" if reply.usage.completion_tokens >= max_tokens else \"stop\",")]
TESTS = ["test_the_finish_reason_is_read_not_guessed"]
