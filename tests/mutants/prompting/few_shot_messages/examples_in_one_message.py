"""Packs every example into the system message instead of user/assistant turns."""

PATCHES = [("        messages.append({\"role\": \"user\", \"content\": given})\n"
            "        messages.append({\"role\": \"assistant\", \"content\": reply})\n",
            "        messages[0][\"content\"] += f\"\\nInput: {given}\\nOutput: {reply}\"\n")]
