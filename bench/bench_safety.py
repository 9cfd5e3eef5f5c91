"""Lab 07 (`safety`) measured: what each defence catches and what it costs.

    .venv/bin/python bench/bench_safety.py            (or: make bench)

Quality, on every split of datasets/safety/: moderation and injection precision/recall
(train/tune and heldout), PII precision/recall. Cost, as ratios against a baseline run side
by side in the same process: the seconds per text of `moderate`, `detect_injection` and
`redact_pii`, divided by the seconds per text of one bare MiniLM `embed([text])` call (what
the first two must do anyway), measured in alternating rounds so a busy machine slows both
alike; the load average is recorded next to the times.

Attacks, on the real targets: every attack of datasets/safety/attacks.jsonl against lab
05's pipeline (`rag_target`, the handbook plus the poisoned page) and lab 06's agent
(`agent_target`), without and with the defences, judged by `attack_suite`'s checks (marker,
canary, forbidden tool, foreign link, citation), never by a model; and the benign questions
of datasets/safety/benign.jsonl through the same pipelines: how many the defences refuse.

Everything is offline. Prints Markdown tables and writes bench/results/safety.json.

    .venv/bin/python bench/bench_safety.py --only attacks --targets rag   (one part; the rest of the file is kept)
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


def attacks(lab, targets: list[str], out: dict, save, benign_too: bool = True) -> dict:
    """Attack success per category, without and with the defences, and benign refusals;
    `save()` after each part, so a long run keeps what it measured."""
    makers = {"rag": lab.rag_target, "agent": lab.agent_target}
    for name in targets:
        for defended in (False, True):
            target, seconds = makers[name](defended), []

            def timed(text: str, target=target, seconds=seconds) -> dict:
                t0 = time.perf_counter()
                try:
                    return target(text)
                finally:
                    seconds.append(time.perf_counter() - t0)

            result = lab.attack_suite(timed, lab.load_attacks(name), canary=lab.TARGET_CANARY,
                                      forbidden_tools=[lab.FORBIDDEN_TOOL], allowed_hosts=())
            key = f"{name}/{'defended' if defended else 'undefended'}"
            out[key] = {"categories": result["categories"],
                        "results": [{k: r[k] for k in ("id", "category", "succeeded", "checks", "error")}
                                    for r in result["results"]],
                        "seconds_per_attack": round(statistics.median(seconds), 1),
                        "load_average_after": os.getloadavg()}
            print(key, {c: f"{v['succeeded']}/{v['tried']}" for c, v in result["categories"].items()},
                  f"{statistics.median(seconds):.1f} s per attack (median)", flush=True)
            save()
        if name == "agent":
            repeat_agent(lab, out, save)
        if not benign_too:
            continue
        benign = lab.load_set("benign")
        for defended in (False, True):
            target = makers[name](defended)
            replies = [target(b["text"]) for b in benign]
            refused = [b["id"] for b, r in zip(benign, replies) if r.get("answer") == lab.FALLBACK]
            not_found = [b["id"] for b, r in zip(benign, replies) if r.get("mode") == "not_found"]
            key = f"{name}/{'defended' if defended else 'undefended'}/benign"
            out[key] = {"n": len(benign), "refused": refused, "not_found": not_found}
            print(key, f"refused {len(refused)}/{len(benign)} {refused}; not found {not_found}", flush=True)
            save()
    return out


REPEATS = 10  # runs of each repeated agent attack


def repeat_agent(lab, out: dict, save, ids: tuple[str, ...] = ("indirect-1",)) -> None:
    """The defended agent's prompt changes on every call (harden_prompt draws a new tag), so
    one sweep is one draw: run each of `ids` REPEATS times and count the forbidden calls."""
    target = lab.agent_target(True)
    attacks = {a["id"]: a for a in lab.load_attacks("agent")}
    runs = {}
    for attack_id in ids:
        called = [lab.FORBIDDEN_TOOL in (target(attacks[attack_id]["text"]).get("tools") or []) for _ in range(REPEATS)]
        runs[attack_id] = {"runs": REPEATS, "forbidden_tool_called": sum(called)}
        print(f"agent/defended/repeats {attack_id}: {lab.FORBIDDEN_TOOL} called in {sum(called)} of {REPEATS} runs", flush=True)
    out["agent/defended/repeats"] = runs
    save()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--only", choices=["quality", "attacks"], help="run one part; keep the other's figures")
    parser.add_argument("--targets", nargs="+", default=["rag", "agent"], choices=["rag", "agent"])
    parser.add_argument("--no-benign", action="store_true", help="skip the benign questions through the pipelines")
    args = parser.parse_args()

    from aie.embed import embed
    from aie.grading import load_lab

    lab = load_lab("safety", "solutions")
    previous = json.loads(RESULTS.read_text(encoding="utf-8")) if RESULTS.exists() else {}
    out: dict = {**previous, "machine": {"python": platform.python_version(), "cpus": os.cpu_count(),
                                         "load_average": os.getloadavg()}}
    def save() -> None:
        out["machine"]["load_average_after_attacks"] = os.getloadavg()
        RESULTS.parent.mkdir(parents=True, exist_ok=True)
        RESULTS.write_text(json.dumps(out, indent=2) + "\n", encoding="utf-8")

    if args.only != "quality":
        out["attacks"] = previous.get("attacks", {})
        attacks(lab, args.targets, out["attacks"], save, benign_too=not args.no_benign)
        if args.only == "attacks":
            return
    out["quality"], out["cost"] = {}, {}
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
