"""Returns the model's citations as they are, without checking them against the prompt's ids."""

PATCHES = [("    cited = [c for c in dict.fromkeys(cited) if isinstance(c, str) and c in by_id\n             and groundedness(text, [by_id[c]]) > 0][:MAX_CITATIONS]",
            "    return {\"answer\": text, \"citations\": cited, \"sources\": sources, \"mode\": \"model\"}")]
TESTS = ["test_answer_falls_back_when_the_output_is_invalid"]
