"""Breaks price ties by the alphabetically last id."""

PATCHES = [("    best = min(candidates, key=lambda m: (estimate_cost(prompt_tokens, completion_tokens, m.id), m.id))",
            "    best = min(sorted(candidates, key=lambda m: m.id, reverse=True),\n"
            "               key=lambda m: estimate_cost(prompt_tokens, completion_tokens, m.id))")]
