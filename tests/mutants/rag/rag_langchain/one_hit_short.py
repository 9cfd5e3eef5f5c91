"""Asks the store for k - 1 documents (an off-by-one): retrieve(question, 3) gives 2 hits."""

PATCHES = [("        for doc, score in store.similarity_search_with_score(question, k=check_k(k)):",
            "        for doc, score in store.similarity_search_with_score(question, k=max(1, check_k(k) - 1)):")]
TESTS = ["test_langchain_answers_with_valid_citations"]
