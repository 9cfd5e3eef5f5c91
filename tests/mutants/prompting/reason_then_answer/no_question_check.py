"""Sends an empty question to the model instead of rejecting it."""

PATCHES = [("    _need_text(question, \"question\")\n    messages = [{\"role\": \"system\", \"content\": REASON_SYSTEM}",
            "    messages = [{\"role\": \"system\", \"content\": REASON_SYSTEM}")]
TESTS = ["test_reason_then_answer_rejects_an_empty_question"]
