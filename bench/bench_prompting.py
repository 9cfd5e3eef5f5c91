"""Lab 02's intent-classification comparison on all 48 test tickets, and on the notebook's sample.

    .venv/bin/python bench/bench_prompting.py            (or: make bench)
    .venv/bin/python bench/bench_prompting.py --threads 1

The notebook runs its model rows on 24 of the 48 test tickets (the first 4 of each intent)
so that it stays under two minutes; this bench runs the same rows on all 48 and on that
sample, side by side, so the notebook can say how far the sample's figures are from the
whole split's. Rows: zero-shot, few-shot (one train example per intent), few-shot with the
6 nearest training tickets (MiniLM cosine, most similar last), and three baselines with no
model (the vote of those 6 neighbours, the single nearest ticket, a logistic regression on
the embeddings). It also records what the examples cost: prompt tokens and seconds per
classification, zero-shot against six-shot. Prints a Markdown table and writes
bench/results/prompting.json.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import time
from collections import Counter
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
os.environ.setdefault("AIE_TARGET", "solutions")

import numpy as np

RESULTS = Path(__file__).resolve().parent / "results" / "prompting.json"
INTENTS = ["billing", "bug", "feature_request", "account_access", "cancellation", "praise"]
PER_INTENT = 4  # the notebook's sample: the first 4 test tickets of each intent


def notebook_sample(test: list[dict]) -> list[dict]:
    """The tickets notebook 02 classifies with the model (same expression as its cell)."""
    return [t for i in INTENTS for t in [t for t in test if t["intent"] == i][:PER_INTENT]]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=None, help="llama.cpp threads (AIE_LOCAL_THREADS)")
    args = parser.parse_args()
    if args.threads:
        os.environ["AIE_LOCAL_THREADS"] = str(args.threads)

    from sklearn.linear_model import LogisticRegression

    from aie import tokens
    from aie.data import load_tickets
    from aie.embed import embed
    from aie.grading import load_lab

    lab = load_lab("prompting")
    train, test = load_tickets("train"), load_tickets("test")
    examples = [(t["text"], t["intent"]) for t in [next(t for t in train if t["intent"] == i) for i in INTENTS]]
    train_vectors = embed([t["text"] for t in train])
    test_vectors = dict(zip((t["text"] for t in test), embed([t["text"] for t in test])))

    def nearest_examples(text: str, k: int = 6) -> list[tuple[str, str]]:
        order = np.argsort(train_vectors @ test_vectors[text])[-k:]
        return [(train[j]["text"], train[j]["intent"]) for j in order]

    def nearest_vote(text: str, k: int = 6) -> str:
        labels = [label for _, label in reversed(nearest_examples(text, k))]
        votes = Counter(labels)
        return max(labels, key=lambda label: votes[label])

    classifier = LogisticRegression(max_iter=2000).fit(train_vectors, [t["intent"] for t in train])

    timings: dict[str, list[float]] = {"zero-shot": [], "few-shot (6)": []}

    def timed(name, predict):
        def run(text):
            start = time.perf_counter()
            label = predict(text)
            timings[name].append(time.perf_counter() - start)
            return label
        return run

    # The model rows run once, on all 48; the sample's figures are read from the same predictions.
    rows = {
        "zero-shot": timed("zero-shot", lambda text: lab.classify(text, INTENTS)),
        "few-shot (6)": timed("few-shot (6)", lambda text: lab.classify(text, INTENTS, examples=examples)),
        "few-shot, 6 nearest": lambda text: lab.classify(text, INTENTS, examples=nearest_examples(text)),
        "6-nearest vote, no model": nearest_vote,
        "the single nearest ticket": lambda text: nearest_examples(text, 1)[0][1],
        "logistic regression": lambda text: str(classifier.predict(test_vectors[text][None, :])[0]),
    }
    sample_ids = {t["id"] for t in notebook_sample(test)}
    results: dict[str, dict] = {}
    for name, predict in rows.items():
        predicted = {t["id"]: predict(t["text"]) for t in test}
        right = {t["id"]: predicted[t["id"]] == t["intent"] for t in test}
        results[name] = {
            "all_48": {"right": sum(right.values()), "n": len(test), "accuracy": round(sum(right.values()) / len(test), 3)},
            "sample_24": {
                "right": sum(right[i] for i in sample_ids),
                "n": len(sample_ids),
                "accuracy": round(sum(right[i] for i in sample_ids) / len(sample_ids), 3),
            },
            "predicted": dict(Counter(predicted.values())),
        }
        print(f"{name:26} all 48: {results[name]['all_48']['accuracy']:.2f}   sample 24: "
              f"{results[name]['sample_24']['accuracy']:.2f}", flush=True)

    system = lab.CLASSIFY_SYSTEM.format(labels=", ".join(INTENTS))
    shots = [(lab.render(lab.MESSAGE_TEMPLATE, message=a), {"label": b}) for a, b in examples]
    message = lab.render(lab.MESSAGE_TEMPLATE, message=test[0]["text"])
    cost = {
        "prompt_tokens": {
            "zero-shot": tokens.count_tokens(lab.few_shot_messages(system, [], message), "smollm2-135m-instruct"),
            "few-shot (6)": tokens.count_tokens(lab.few_shot_messages(system, shots, message), "smollm2-135m-instruct"),
        },
        "median_s_per_classification": {k: round(statistics.median(v), 3) for k, v in timings.items()},
    }
    ratio = cost["median_s_per_classification"]["few-shot (6)"] / cost["median_s_per_classification"]["zero-shot"]
    cost["few_shot_over_zero_shot_time"] = round(ratio, 2)

    print("\n| row | all 48 | sample of 24 (notebook) |\n|---|---:|---:|")
    for name, r in results.items():
        print(f"| {name} | {r['all_48']['accuracy']:.2f} ({r['all_48']['right']}/48) | "
              f"{r['sample_24']['accuracy']:.2f} ({r['sample_24']['right']}/24) |")
    print(f"\nprompt tokens: {cost['prompt_tokens']}; median s per classification: "
          f"{cost['median_s_per_classification']} (few-shot / zero-shot {ratio:.2f}x)")

    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps({
        "bench": "prompting",
        "model": "smollm2-135m-instruct (local, llama.cpp)",
        "threads": os.environ.get("AIE_LOCAL_THREADS", "all cores"),
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(),
                    "load_average_at_end": round(os.getloadavg()[0], 2)},
        "sample": f"the first {PER_INTENT} test tickets of each intent ({len(sample_ids)})",
        "rows": results,
        "cost": cost,
    }, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {RESULTS.relative_to(RESULTS.parent.parent.parent)}")


if __name__ == "__main__":
    main()
