"""Looks past the top k: recall over every hit the retriever returns."""

PATCHES = [("enumerate(retriever(q[\"question\"], k)[:k], 1)", "enumerate(retriever(q[\"question\"], k + 10), 1)")]
