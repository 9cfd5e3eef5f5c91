"""aie.handbook: the stored chunks are the reference chunker's, and the reference retriever
ranks as lab 05's solution does — so tests and labs that use it in place of `solutions.rag`
(under `aie grade --submission`, in a class repository) keep their measured figures."""

from __future__ import annotations

import pytest

from aie import handbook
from aie.data import load_handbook, load_handbook_questions
from solutions import rag

pytestmark = pytest.mark.slow  # embeds the handbook twice: about 35 s of CPU


@pytest.fixture(scope="module")
def chunks():
    return handbook.load_chunks()


@pytest.fixture(scope="module")
def both(chunks):
    """(aie.handbook.Reference with its store, the solution's MemoryStore), questions warmed."""
    questions = [q["question"] for q in load_handbook_questions()]
    ref = handbook.Reference(chunks)
    ref.store.warm(questions)
    store = rag.build_store(chunks)
    store.warm(questions)
    return ref, store, questions


def test_the_stored_chunks_are_the_reference_chunkers(chunks):
    expected = rag.chunk_corpus(load_handbook(), rag.CHUNK_TOKENS)
    assert chunks == expected, "datasets/handbook/chunks.jsonl is stale: run `python -m aie.handbook`"
    assert all(handbook.index_text(c) == rag.index_text(c) for c in chunks), "index_text differs from lab 05's"


def test_reference_retrieval_ranks_as_the_solution_does(chunks, both):
    ref, store, questions = both
    for q in questions:
        for kind in ("bm25", "dense", "hybrid"):
            ours = ref.make_retriever(kind, chunks, ref.store)(q, 5)
            theirs = rag.make_retriever(kind, chunks, store)(q, 5)
            assert [h["id"] for h in ours] == [h["id"] for h in theirs], f"{kind} ranks differently for {q!r}"
            assert [h["score"] for h in ours] == pytest.approx([h["score"] for h in theirs], abs=1e-5), \
                f"{kind} scores differ for {q!r}"


def test_reference_groundedness_agrees_with_the_solution_on_its_worked_examples():
    cases = [("Leave is 27 days", [{"text": "You get 27 days of leave."}]),
             ("Leave is 30 days", [{"text": "You get 27 days of leave."}]),
             ("Purple elephants dance on Jupiter", [{"text": "You get 27 days of leave."}]),
             ("", [{"text": "anything"}])]
    for answer, cited in cases:
        assert handbook.Reference.groundedness(answer, cited) == pytest.approx(rag.groundedness(answer, cited),
                                                                               abs=1e-3), answer


def test_make_retriever_names_the_kinds():
    with pytest.raises(ValueError, match="kind must be one of"):
        handbook.Reference([]).make_retriever("sparse")


def test_reference_groundedness_passes_what_the_solution_accepts(chunks):
    """lab 05's `answer` returns only answers its own groundedness puts at MIN_GROUNDED (0.75)
    or more; the graded test checks them with the reference's at a floor of 0.5. Over the
    extractive and gold answers of every question (two BM25 chunks each), the reference never
    falls under 0.5 where the solution's passes (measured: 0.6 at worst)."""
    ref = handbook.Reference(chunks)
    worst = 1.0
    for q in load_handbook_questions():
        hits = ref.bm25_search(q["question"], chunks, 2)
        for text in (rag.extractive_answer(q["question"], hits)["answer"] if hits else "", q["answer"]):
            if hits and rag.groundedness(text, hits) >= rag.MIN_GROUNDED:
                worst = min(worst, ref.groundedness(text, hits))
    assert worst >= 0.5, f"an answer the solution calls grounded scores {worst:.2f} with the reference check"
