"""Calls without streaming and yields the whole text once."""

PATCHES = [("    stream = llm.chat([{\"role\": \"user\", \"content\": prompt}], max_tokens=max_tokens, stream=True)\n    yield from stream",
            "    yield llm.chat([{\"role\": \"user\", \"content\": prompt}], max_tokens=max_tokens).text")]
TESTS = ["test_streamed_chunks_join_to_the_answer"]
