"""Puts the instruction in front of the query instead of in a system message."""

PATCHES = [("    messages = [{\"role\": \"system\", \"content\": instruction}]", "    messages = []"),
           ("    messages.append({\"role\": \"user\", \"content\": query})\n    return messages",
            "    messages.append({\"role\": \"user\", \"content\": f\"{instruction}\\n\\n{query}\"})\n    return messages")]
