"""Asks the retriever for k - 1 nodes (an off-by-one): retrieve(question, 3) gives 2 hits."""

PATCHES = [("        for result in index.as_retriever(similarity_top_k=check_k(k)).retrieve(question):",
            "        for result in index.as_retriever(similarity_top_k=max(1, check_k(k) - 1)).retrieve(question):")]
TESTS = ["test_llamaindex_answers_with_valid_citations_and_local_models"]
