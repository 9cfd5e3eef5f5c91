"""Forgets the input checks: a chunk without an id fails later with a KeyError, not a ValueError naming chunks."""

PATCHES = [("        if not isinstance(chunk, dict) or \"id\" not in chunk or not isinstance(chunk.get(\"text\"), str):\n            raise ValueError(f\"chunks[{n}] must be a dict with 'id' and 'text'\")\n", "        pass\n")]
TESTS = ["test_extract_answer_rejects_bad_input"]
