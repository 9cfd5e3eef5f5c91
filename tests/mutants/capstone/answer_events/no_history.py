"""Drops the conversation history from the prompt."""

PATCHES = [("messages = [system, *(history or []), user]", "messages = [system, user]")]
TESTS = ["test_answer_sends_history_and_settings_to_the_model"]
