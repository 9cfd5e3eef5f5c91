"""Leaves "source" out of the hits."""

PATCHES = [("            hits.append({\"id\": node.id_, \"source\": node.metadata[\"source\"],\n", "            hits.append({\"id\": node.id_,\n")]
TESTS = ["test_llamaindex_answers_with_valid_citations_and_local_models"]
