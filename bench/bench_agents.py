"""Lab 06 (`agents`) measured: success rate, steps, tokens and seconds per task of the
hand-built ReAct loop and of the LangGraph agent, on the local model, over the agent task set.

    .venv/bin/python bench/bench_agents.py                  (or: make bench)
    .venv/bin/python bench/bench_agents.py --per-kind 2     (a quicker sample: 2 tasks per kind and split)

Both agents get the same toolbox (calculator, search_handbook over lab 05's BM25 retriever,
convert_currency, which always fails offline), the same step limit (4 model calls) and run the
same tasks one after the other, so a busy machine slows both alike; the load average is printed
next to the times. Success is `task_success` (every number of the expected answer in the
agent's answer; for tasks without one, no invented number). Everything is offline. Prints a
Markdown table and writes bench/results/agents.json.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

RESULTS = Path(__file__).resolve().parent / "results" / "agents.json"
MAX_STEPS = 4


def sample(tasks: list[dict], per_kind: int | None) -> list[dict]:
    if not per_kind:
        return tasks
    picked, seen = [], {}
    for t in tasks:
        key = (t["kind"], t["split"])
        if seen.get(key, 0) < per_kind:
            picked.append(t)
            seen[key] = seen.get(key, 0) + 1
    return picked


def summarise(rows: list[dict]) -> dict:
    if not rows:
        return {}
    return {
        "tasks": len(rows),
        "success": sum(r["success"] for r in rows) / len(rows),
        "mean_steps": statistics.mean(r["steps"] for r in rows),
        "mean_tool_calls": statistics.mean(r["tool_calls"] for r in rows),
        "tokens_per_task": statistics.mean(r["tokens"] for r in rows),
        "seconds_per_task": statistics.mean(r["seconds"] for r in rows),
        "answered": sum(r["stop_reason"] == "answer" for r in rows) / len(rows),
        "expected_tools_used": sum(r["expected_tools_used"] for r in rows) / len(rows),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--per-kind", type=int, default=None, help="tasks per kind and split (default: all)")
    parser.add_argument("--frameworks", default="aie,langgraph", help="comma-separated: aie, langgraph")
    args = parser.parse_args()

    from solutions import agents as lab

    tasks = sample(lab.load_tasks(), args.per_kind)
    box = lab.default_toolbox()
    lab.search_handbook("warm up", k=1)  # build the BM25 index before timing
    runners = {"aie": lambda q: lab.run_agent(q, box, max_steps=MAX_STEPS),
               "langgraph": lab.langgraph_agent(box, max_steps=MAX_STEPS)}
    frameworks = [f for f in args.frameworks.split(",") if f]
    rows: dict[str, list[dict]] = {f: [] for f in frameworks}
    load_before = os.getloadavg()[0]
    for t in tasks:
        for name in frameworks:
            answer, trace = runners[name](t["question"])
            used = {s.tool for s in trace.tool_calls if s.ok or s.tool == "convert_currency"}
            rows[name].append({
                "id": t["id"], "kind": t["kind"], "split": t["split"], "answer": answer,
                "success": lab.task_success(t, answer), "steps": len(trace.steps),
                "tool_calls": len(trace.tool_calls), "tokens": trace.tokens, "seconds": trace.seconds,
                "stop_reason": trace.stop_reason, "expected_tools_used": set(t["tools"]) <= used,
            })
            print(f"{name:9} {t['id']} {t['kind']:10} success={rows[name][-1]['success']!s:5} "
                  f"steps={len(trace.steps)} tokens={trace.tokens} {trace.seconds:.1f}s {trace.stop_reason}", flush=True)
    load_after = os.getloadavg()[0]

    result = {"machine": {"cpus": os.cpu_count(), "python": platform.python_version(),
                          "load_average": [round(load_before, 1), round(load_after, 1)]},
              "max_steps": MAX_STEPS, "model": "smollm2-135m-instruct (llama.cpp, local)", "frameworks": {}}
    print(f"\n{len(tasks)} tasks, max {MAX_STEPS} steps, load average {load_before:.1f} -> {load_after:.1f} "
          f"on {os.cpu_count()} CPUs\n")
    print("| agent | split | tasks | success | answered | expected tools used | mean steps | tokens / task | seconds / task |")
    print("|---|---|---:|---:|---:|---:|---:|---:|---:|")
    for name in frameworks:
        kinds = sorted({r["kind"] for r in rows[name]})
        result["frameworks"][name] = {
            "overall": summarise(rows[name]),
            "by_split": {s: summarise([r for r in rows[name] if r["split"] == s]) for s in ("tune", "heldout")},
            "by_kind": {k: summarise([r for r in rows[name] if r["kind"] == k]) for k in kinds},
            "tasks": rows[name],
        }
        for split, s in [("all", result["frameworks"][name]["overall"]),
                         *result["frameworks"][name]["by_split"].items()]:
            if s:
                print(f"| {name} | {split} | {s['tasks']} | {s['success']:.2f} | {s['answered']:.2f} | "
                      f"{s['expected_tools_used']:.2f} | {s['mean_steps']:.2f} | {s['tokens_per_task']:.0f} | "
                      f"{s['seconds_per_task']:.1f} |")
    print("\n| agent | " + " | ".join(sorted({r["kind"] for r in rows[frameworks[0]]})) + " |")
    print("|---|" + "---:|" * len({r["kind"] for r in rows[frameworks[0]]}))
    for name in frameworks:
        by_kind = result["frameworks"][name]["by_kind"]
        print(f"| {name} | " + " | ".join(f"{v['success']:.2f}" for _, v in sorted(by_kind.items())) + " |")
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=1, default=str) + "\n")
    print(f"\nwrote {RESULTS.relative_to(Path.cwd()) if RESULTS.is_relative_to(Path.cwd()) else RESULTS}")


if __name__ == "__main__":
    main()
