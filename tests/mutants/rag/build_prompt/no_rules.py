"""Sends the sources and the question without the system message's rules."""

PATCHES = [("    return [{\"role\": \"system\", \"content\": SYSTEM_PROMPT}, {\"role\": \"user\", \"content\": user}]",
            "    return [{\"role\": \"system\", \"content\": \"You are a helpful assistant.\"}, {\"role\": \"user\", \"content\": user}]")]
