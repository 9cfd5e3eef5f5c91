"""Guesses the finish reason from how the text ends instead of reading it."""

PATCHES = [("        \"finish_reason\": reply.finish_reason,",
            "        \"finish_reason\": \"stop\" if reply.text.rstrip().endswith((\".\", \"!\", \"?\")) else \"length\",")]
TESTS = ["test_the_finish_reason_is_read_not_guessed"]
