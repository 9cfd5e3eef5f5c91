"""Yields the text so far at each step instead of the new chunk."""

PATCHES = [("    yield from stream\n",
            "    so_far = \"\"\n    for chunk in stream:\n        so_far += chunk\n        yield so_far\n")]
TESTS = ["test_streamed_chunks_join_to_the_answer"]
