"""Lab 05 (`rag`) measured: retrieval quality, index build time, and end-to-end latency of
the hand-built, LangChain and LlamaIndex pipelines on the local models.

    .venv/bin/python bench/bench_rag.py                 (or: make bench)
    .venv/bin/python bench/bench_rag.py --questions 6   (a quicker end-to-end sample)

Retrieval runs over every question of the handbook set (tune and held-out splits reported
separately); generation (SmolLM2-135M on llama.cpp) over every tenth answerable "tune"
question, every unanswerable one, and every third answerable held-out question. Everything is offline. Times are wall-clock on this
machine, with the load average printed next to them: a busy machine slows every column
alike. Prints Markdown tables and writes bench/results/rag.json.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

RESULTS = Path(__file__).resolve().parent / "results" / "rag.json"
RETRIEVERS = ("bm25", "dense", "hybrid", "hybrid+mmr")


def timed(fn, *args, **kwargs):
    start = time.perf_counter()
    out = fn(*args, **kwargs)
    return out, time.perf_counter() - start


def retrieval_latency(retrievers: dict, questions: list[dict], store) -> dict:
    """Median milliseconds per call, query embedding included (caches cleared first)."""
    out = {}
    for name, retriever in retrievers.items():
        times = []
        for q in questions:
            store._queries.clear()  # the MemoryStore's query cache: time the embedding too
            times.append(timed(retriever, q["question"], 5)[1])
        out[name] = 1000 * statistics.median(times)
    return out


def retrieval_table(rag, retrievers: dict, questions: list[dict]) -> dict:
    """recall@1/3/5 and MRR per retriever and split."""
    rows = {}
    for name, retriever in retrievers.items():
        cache = {}

        def run(question, k, retriever=retriever, cache=cache):
            if question not in cache:
                cache[question] = retriever(question, 10)
            return cache[question][:k]

        row = {}
        for split in ("tune", "heldout"):
            subset = [q for q in questions if q["split"] == split]
            for k in (1, 3, 5):
                row[f"{split}_recall@{k}"] = rag.retrieval_metrics(subset, run, k)["recall"]
            row[f"{split}_mrr"] = rag.retrieval_metrics(subset, run, 5)["mrr"]
        rows[name] = row
    return rows


def end_to_end(rag, pipeline, questions: list[dict]) -> dict:
    """Answer each question; latency, modes, citation validity and a loose accuracy."""
    out = {"latency_s": [], "modes": {}, "valid": 0, "right_source": 0, "match": 0, "n": 0,
           "not_found_on_unanswerable": 0, "n_unanswerable": 0, "answers": []}
    for q in questions:
        result, seconds = timed(pipeline.ask, q["question"])
        prompt_ids = {h["id"] for h in pipeline.retrieve(q["question"], rag.PROMPT_CHUNKS)}
        out["latency_s"].append(seconds)
        out["modes"][result["mode"]] = out["modes"].get(result["mode"], 0) + 1
        out["answers"].append({"id": q["id"], "answer": result["answer"], "citations": result["citations"],
                               "mode": result["mode"], "seconds": round(seconds, 2)})
        if q["doc_ids"]:
            out["n"] += 1
            out["valid"] += set(result["citations"]) <= prompt_ids
            out["right_source"] += any(c.split("#")[0] in q["doc_ids"] for c in result["citations"])
            out["match"] += rag.answer_matches(result["answer"], q["answer"])
        else:
            out["n_unanswerable"] += 1
            out["not_found_on_unanswerable"] += result["answer"] == rag.NOT_FOUND
    generated = [a["seconds"] for a in out["answers"] if a["mode"] != "not_found"]
    gated = [a["seconds"] for a in out["answers"] if a["mode"] == "not_found"]
    out["median_latency_s"] = statistics.median(generated) if generated else 0.0
    out["median_not_found_s"] = statistics.median(gated) if gated else None
    return out


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--questions", type=int, default=0,
                        help="answer only this many sample questions per split end to end (default: 11 tune, 11 held-out)")
    parser.add_argument("--skip-frameworks", action="store_true", help="hand-built pipeline only")
    args = parser.parse_args(argv)

    from solutions import rag

    docs, questions = rag.load_corpus(), rag.load_questions()
    tune_answerable = [q for q in questions if q["split"] == "tune" and q["doc_ids"]]
    sample = tune_answerable[::10][: args.questions or None]
    heldout_sample = [q for q in questions if q["split"] == "heldout" and q["doc_ids"]][::3][: args.questions or None]
    unanswerable = [q for q in questions if not q["doc_ids"]]

    from aie.embed import embed

    _, load_s = timed(embed, ["warm up the embedding model"])

    # Index build: chunk + embed the corpus, three ways.
    (chunks, t_chunk) = timed(rag.chunk_corpus, docs)
    store, t_embed = timed(rag.build_store, chunks)
    builds = {"hand-built": {"chunks": len(chunks), "chunk_s": t_chunk, "index_s": t_chunk + t_embed}}
    pipelines = {}
    retriever = rag.make_retriever("hybrid", chunks, store)
    pipelines["hand-built"] = rag.Pipeline("hand-built (hybrid)", retriever, lambda q: rag.answer(q, retriever),
                                           len(chunks))
    if not args.skip_frameworks:
        for name, build in (("LangChain", rag.rag_langchain), ("LlamaIndex", rag.rag_llamaindex)):
            pipeline, seconds = timed(build, docs)
            pipelines[name] = pipeline
            builds[name] = {"chunks": pipeline.chunks, "index_s": seconds}

    # Retrieval latency on 20 questions no cache has seen, then quality over every question.
    retrievers = {kind: rag.make_retriever(kind, chunks, store) for kind in RETRIEVERS}
    retrievers["current only (hybrid)"] = rag.make_retriever("hybrid", chunks, store, where={"status": "current"})
    for name, pipeline in pipelines.items():
        if name != "hand-built":
            retrievers[f"{name} (dense)"] = pipeline.retrieve
    latency = retrieval_latency(retrievers, questions[1::7][:20], store)
    store.warm([q["question"] for q in questions])
    retrieval = retrieval_table(rag, retrievers, questions)
    for name, ms in latency.items():
        retrieval[name]["median_ms"] = ms

    agreement = {}
    for name, pipeline in pipelines.items():
        if name == "hand-built":
            continue
        for split in ("tune", "heldout"):
            subset = [q for q in questions if q["split"] == split and q["doc_ids"]]
            same = sum(pipeline.retrieve(q["question"], 1)[0]["source"]
                       == rag.dense_search(q["question"], store, 1)[0]["source"] for q in subset)
            agreement[f"{name}_{split}"] = same / len(subset)

    # Not-in-the-documents gate over every question (no model call needed to decide).
    gate = {}
    for split in ("tune", "heldout"):
        subset = [q for q in questions if q["split"] == split]
        flagged = {}
        for q in subset:
            rel, unseen = rag.retrieval_confidence(q["question"], retriever(q["question"], rag.PROMPT_CHUNKS))
            flagged[q["id"]] = rel < rag.MIN_RELEVANCE or bool(unseen)
        un = [q for q in subset if not q["doc_ids"]]
        an = [q for q in subset if q["doc_ids"]]
        gate[split] = {"unanswerable_flagged": sum(flagged[q["id"]] for q in un), "unanswerable": len(un),
                       "answerable_flagged": sum(flagged[q["id"]] for q in an), "answerable": len(an)}

    # End to end on the local model.
    e2e = {name: end_to_end(rag, p, sample + (unanswerable if name == "hand-built" else []))
           for name, p in pipelines.items()}
    extractive = rag.Pipeline("extractive only", retriever,
                              lambda q: rag.answer(q, retriever, generate=lambda *a: ""), len(chunks))
    e2e["extractive only (no model)"] = end_to_end(rag, extractive, sample)
    # The same hand-built pipeline on held-out questions that nothing was tuned on.
    e2e["hand-built, held-out"] = end_to_end(rag, pipelines["hand-built"], heldout_sample)
    e2e["extractive only, held-out"] = end_to_end(rag, extractive, heldout_sample)

    result = {
        "machine": {"python": platform.python_version(), "cpus": os.cpu_count(),
                    "load_average": [round(x, 2) for x in os.getloadavg()]},
        "embedding_model_load_s": load_s,
        "builds": builds,
        "retrieval": retrieval,
        "agreement_top1_with_hand_built_dense": agreement,
        "not_found_gate": gate,
        "end_to_end": e2e,
        "sample": [q["id"] for q in sample],
        "heldout_sample": [q["id"] for q in heldout_sample],
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    tmp = RESULTS.with_suffix(".tmp")
    tmp.write_text(json.dumps(result, indent=2))
    tmp.replace(RESULTS)
    print_tables(result)
    return result


def print_tables(r: dict) -> None:
    print(f"load average {r['machine']['load_average']} on {r['machine']['cpus']} CPUs\n")
    print("| retriever | recall@1 | recall@3 | recall@5 | MRR | held-out recall@5 | held-out MRR | median ms |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for name, row in r["retrieval"].items():
        print(f"| {name} | {row['tune_recall@1']:.3f} | {row['tune_recall@3']:.3f} | {row['tune_recall@5']:.3f} "
              f"| {row['tune_mrr']:.3f} | {row['heldout_recall@5']:.3f} | {row['heldout_mrr']:.3f} "
              f"| {row['median_ms']:.1f} |")
    print("\n| pipeline | chunks | index build s |")
    print("|---|---:|---:|")
    for name, b in r["builds"].items():
        print(f"| {name} | {b['chunks']} | {b['index_s']:.1f} |")
    print("\n| pipeline | questions | median s (retrieve + generate) | valid citations | cites a right source "
          "| answer matches (loose) | modes | not found on unanswerable (median s) |")
    print("|---|---:|---:|---:|---:|---:|---|---:|")
    for name, e in r["end_to_end"].items():
        un = (f"{e['not_found_on_unanswerable']}/{e['n_unanswerable']} ({e['median_not_found_s']:.2f})"
              if e["n_unanswerable"] else "—")
        print(f"| {name} | {e['n'] + e['n_unanswerable']} | {e['median_latency_s']:.1f} | {e['valid']}/{e['n']} "
              f"| {e['right_source']}/{e['n']} | {e['match']}/{e['n']} | {e['modes']} | {un} |")
    print("\nagreement of the top source with hand-built dense retrieval:",
          {k: round(v, 3) for k, v in r["agreement_top1_with_hand_built_dense"].items()})
    print("not-in-the-documents gate:", r["not_found_gate"])


if __name__ == "__main__":
    main()
