"""Puts the system prompt inside the user message instead of a system message."""

PATCHES = [("    messages = ([{\"role\": \"system\", \"content\": system}] if system else []) + [{\"role\": \"user\", \"content\": prompt}]",
            "    messages = [{\"role\": \"user\", \"content\": f\"{system}\\n\\n{prompt}\" if system else prompt}]")]
TESTS = ["test_complete_uses_the_system_prompt"]
