"""Keeps the source document's id out of the chunk metadata: hits have no "source"."""

PATCHES = [("            metadata = {\"source\": doc[\"id\"], \"status\": doc.get(\"status\", \"current\"),",
            "            metadata = {\"status\": doc.get(\"status\", \"current\"),")]
TESTS = ["test_langchain_answers_with_valid_citations"]
