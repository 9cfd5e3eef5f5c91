"""Retrieves with the plain retriever: the question's version or year moves nothing up."""

PATCHES = [("    hits = list(time_aware(retriever)(question, k))[:k]", "    hits = list(retriever(question, k))[:k]")]
TESTS = ["test_answer_reads_the_version_the_question_asks_about"]
