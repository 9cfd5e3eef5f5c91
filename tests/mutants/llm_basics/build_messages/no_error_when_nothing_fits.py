"""Returns [system, user] even when those two alone are over the budget."""

PATCHES = [("        raise ValueError(f\"the system prompt and user message alone are over max_context_tokens={max_context_tokens}\")",
            "        return head + tail")]
