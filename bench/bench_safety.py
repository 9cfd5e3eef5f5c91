"""Lab 07 (`safety`) measured: what each defence catches and what it costs.

    .venv/bin/python bench/bench_safety.py            (or: make bench)

Quality, on every split of datasets/safety/: moderation and injection precision/recall
(train/tune and heldout), PII precision/recall. Cost, as ratios against a baseline run side
by side in the same process: the seconds per text of `moderate`, `detect_injection` and
`redact_pii`, divided by the seconds per text of one bare MiniLM `embed([text])` call (what
the first two must do anyway), measured in alternating rounds so a busy machine slows both
alike; the load average is recorded next to the times. Everything is offline. Prints a
Markdown table and writes bench/results/safety.json.
"""

from __future__ import annotations

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

RESULTS = Path(__file__).resolve().parent / "results" / "safety.json"
ROUNDS = 3


def precision_recall(pred: list[bool], gold: list[bool]) -> dict:
    tp = sum(p and g for p, g in zip(pred, gold))
    fp = sum(p and not g for p, g in zip(pred, gold))
    fn = sum(g and not p for p, g in zip(pred, gold))
    return {"precision": round(tp / max(tp + fp, 1), 3), "recall": round(tp / max(tp + fn, 1), 3), "n": len(gold)}


def per_text(fn, texts: list[str]) -> float:
    t0 = time.perf_counter()
    for t in texts:
        fn(t)
    return (time.perf_counter() - t0) / len(texts)


def main() -> None:
    from aie.embed import embed
    from aie.grading import load_lab

    lab = load_lab("safety", "solutions")
    out: dict = {"machine": {"python": platform.python_version(), "cpus": os.cpu_count(),
                             "load_average": os.getloadavg()}, "quality": {}, "cost": {}}
    for split in ("train", "heldout"):
        rows = lab.load_set("moderation", split)
        out["quality"][f"moderation/{split}"] = precision_recall([lab.moderate(r["text"]).flagged for r in rows],
                                                                 [r["label"] != "safe" for r in rows])
    for split in ("tune", "heldout"):
        rows = lab.load_set("injections", split)
        out["quality"][f"injection/{split}"] = precision_recall([lab.detect_injection(r["text"])["injection"] for r in rows],
                                                                [r["label"] == "attack" for r in rows])
    tp = fp = fn = 0
    for r in lab.load_set("pii"):
        got = {(k.strip("<>").rsplit("_", 1)[0], v) for k, v in lab.redact_pii(r["text"])[1].items()}
        gold = {(e["type"], e["value"]) for e in r["entities"]}
        tp, fp, fn = tp + len(got & gold), fp + len(got - gold), fn + len(gold - got)
    out["quality"]["pii"] = {"precision": round(tp / max(tp + fp, 1), 3), "recall": round(tp / max(tp + fn, 1), 3),
                             "n": tp + fn}

    texts = [r["text"] for r in lab.load_set("injections", "heldout")]
    timings: dict[str, list[float]] = {k: [] for k in ("embed (baseline)", "moderate", "detect_injection", "redact_pii")}
    for _ in range(ROUNDS):  # alternate, so load changes hit every function alike
        timings["embed (baseline)"].append(per_text(lambda t: embed([t], progress=False), texts))
        timings["moderate"].append(per_text(lab.moderate, texts))
        timings["detect_injection"].append(per_text(lab.detect_injection, texts))
        timings["redact_pii"].append(per_text(lab.redact_pii, texts))
    base = statistics.median(timings["embed (baseline)"])
    for name, values in timings.items():
        med = statistics.median(values)
        out["cost"][name] = {"seconds_per_text": round(med, 4), "ratio_to_embed": round(med / base, 2)}
    out["machine"]["load_average_after"] = os.getloadavg()

    print("| measure | set | precision | recall |\n|---|---|---:|---:|")
    for key, v in out["quality"].items():
        print(f"| {key.split('/')[0]} | {key.split('/')[-1] if '/' in key else 'all'} (n={v['n']}) | {v['precision']:.2f} | {v['recall']:.2f} |")
    print("\n| function | s / text | × one embed call |\n|---|---:|---:|")
    for name, v in out["cost"].items():
        print(f"| {name} | {v['seconds_per_text']:.4f} | {v['ratio_to_embed']:.2f} |")
    print(f"\nload average before/after: {out['machine']['load_average']} / {out['machine']['load_average_after']}")
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(out, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
