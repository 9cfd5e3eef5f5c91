"""Trusts the model's own "not in the documents" over an extraction that passed every check (the earlier rule: unless it found a typed span), so a 135M model's refusal of an answerable question stands."""

PATCHES = [("        return fallback()\n    # Keep citations that are in the prompt",
            "        return fallback() if extracted[\"span\"] else {**not_found, \"mode\": \"model\"}\n"
            "    # Keep citations that are in the prompt")]
TESTS = ["test_answer_does_not_let_the_models_refusal_overrule_a_checked_extraction"]
