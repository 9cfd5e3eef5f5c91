"""Sends an empty or blank prompt to the model instead of rejecting it."""

PATCHES = [("    if not isinstance(prompt, str) or not prompt.strip():\n        raise ValueError(\"prompt must be a non-empty string\")\n    messages = (",
            "    messages = (")]
TESTS = ["test_complete_rejects_empty_prompts"]
