"""Lab 06 (`agents`) measured: success rate, steps, tokens and seconds per task of the
hand-built ReAct loop, the LangGraph agent and the OpenAI Agents SDK agent, on the local model,
over the agent task set.

    .venv/bin/python bench/bench_agents.py                  (or: make bench)
    .venv/bin/python bench/bench_agents.py --split heldout  (the 13 held-out tasks only)
    .venv/bin/python bench/bench_agents.py --per-kind 2     (a quicker sample: 2 tasks per kind and split)

The agents get the same toolbox (calculator, search_handbook over lab 05's BM25 retriever,
convert_currency, which always fails offline), the same step limit (4 model calls) and run the
same tasks one after the other, so a busy machine slows them alike; the load average (1 min) is
recorded with every run and printed next to the times; our loop's time budget is raised to
BUDGET_SECONDS so that load changes the seconds, not the outcome. The results file is
rewritten after every task, so a run cut short keeps its figures ("tasks_done"). Ours and LangGraph's reach SmolLM2
through `aie.llm` (schema-constrained tool calls); the Agents SDK's through
`python -m llama_cpp.server` on 127.0.0.1 (the same GGUF), which constrains a reply only to a
named tool, so its first turn is told to search the handbook (`tool_choice="search_handbook"`;
the SDK then lets the model answer). Success is `task_success` (every number of the expected answer in the
agent's answer; for tasks without one, no invented number). Everything is offline. Prints a
Markdown table and writes bench/results/agents.json.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import statistics
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

RESULTS = Path(__file__).resolve().parent / "results" / "agents.json"
MAX_STEPS = 4
BUDGET_SECONDS = 1800  # our loop's time budget here (LangGraph and the SDK have none)


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
        "load_average": statistics.mean(r["load_average"] for r in rows),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--per-kind", type=int, default=None, help="tasks per kind and split (default: all)")
    parser.add_argument("--split", choices=("tune", "heldout"), default=None, help="one split (default: both)")
    parser.add_argument("--frameworks", default="aie,langgraph,openai_agents",
                        help="comma-separated: aie, langgraph, openai_agents")
    args = parser.parse_args()

    from solutions import agents as lab

    with contextlib.ExitStack() as stack:
        run(lab, args, stack)


def run(lab, args, stack: contextlib.ExitStack) -> None:
    tasks = sample(lab.load_tasks(args.split), args.per_kind)
    box = lab.default_toolbox()
    lab.search_handbook("warm up", k=1)  # build the BM25 index before timing
    frameworks = [f for f in args.frameworks.split(",") if f]
    budget = lab.Budget(seconds=BUDGET_SECONDS)  # so a busy machine changes the seconds, not the outcome
    runners = {"aie": lambda q: lab.run_agent(q, box, max_steps=MAX_STEPS, budget=budget)}
    if "langgraph" in frameworks:
        runners["langgraph"] = lab.langgraph_agent(box, max_steps=MAX_STEPS)
    if "openai_agents" in frameworks:
        from aie.llm._local import model_path
        from aie.llm.server import llama_server

        base_url = stack.enter_context(llama_server(model_path(), log_dir=Path(stack.enter_context(
            tempfile.TemporaryDirectory())), wait_s=120))
        runners["openai_agents"] = lab.openai_agents_sdk_agent(box, base_url, max_steps=MAX_STEPS,
                                                               tool_choice="search_handbook")
    rows: dict[str, list[dict]] = {f: [] for f in frameworks}
    load_before = os.getloadavg()[0]
    result: dict = {}
    for i, t in enumerate(tasks, 1):
        for name in frameworks:
            load = os.getloadavg()[0]
            answer, trace = runners[name](t["question"])
            used = {s.tool for s in trace.tool_calls if s.ok or s.tool == "convert_currency"}
            rows[name].append({
                "id": t["id"], "kind": t["kind"], "split": t["split"], "answer": answer,
                "success": lab.task_success(t, answer), "steps": len(trace.steps),
                "tool_calls": len(trace.tool_calls), "tokens": trace.tokens, "seconds": trace.seconds,
                "stop_reason": trace.stop_reason, "expected_tools_used": set(t["tools"]) <= used,
                "load_average": round((load + os.getloadavg()[0]) / 2, 1),
            })
            print(f"{name:13} {t['id']} {t['kind']:10} success={rows[name][-1]['success']!s:5} "
                  f"steps={len(trace.steps)} tokens={trace.tokens} {trace.seconds:.1f}s {trace.stop_reason} "
                  f"(load {rows[name][-1]['load_average']})", flush=True)
        result = summary(args, frameworks, rows, len(tasks), done=i, load_before=load_before)
        RESULTS.parent.mkdir(exist_ok=True)
        RESULTS.write_text(json.dumps(result, indent=1, default=str) + "\n")  # after every task: a partial run keeps its figures
    print_tables(result, frameworks, rows)
    print(f"\nwrote {RESULTS.relative_to(Path.cwd()) if RESULTS.is_relative_to(Path.cwd()) else RESULTS}")


def summary(args, frameworks: list[str], rows: dict[str, list[dict]], planned: int, *, done: int,
            load_before: float) -> dict:
    result = {"machine": {"cpus": os.cpu_count(), "python": platform.python_version(),
                          "load_average": [round(load_before, 1), round(os.getloadavg()[0], 1)]},
              "tasks_planned": planned, "tasks_done": done,
              "max_steps": MAX_STEPS, "aie_budget_seconds": BUDGET_SECONDS, "split": args.split or "all",
              "per_kind": args.per_kind, "model": "smollm2-135m-instruct (llama.cpp, local)", "frameworks": {}}
    for name in frameworks:
        kinds = sorted({r["kind"] for r in rows[name]})
        result["frameworks"][name] = {
            "overall": summarise(rows[name]),
            "by_split": {s: summarise([r for r in rows[name] if r["split"] == s]) for s in ("tune", "heldout")},
            "by_kind": {k: summarise([r for r in rows[name] if r["kind"] == k]) for k in kinds},
            "tasks": rows[name],
        }
    return result


def print_tables(result: dict, frameworks: list[str], rows: dict[str, list[dict]]) -> None:
    load = result["machine"]["load_average"]
    print(f"\n{result['tasks_done']} tasks, max {MAX_STEPS} steps, load average {load[0]:.1f} -> {load[1]:.1f} "
          f"on {os.cpu_count()} CPUs\n")
    print("| agent | split | tasks | success | answered | expected tools used | mean steps | tokens / task | "
          "seconds / task | load average |")
    print("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for name in frameworks:
        for split, s in [("all", result["frameworks"][name]["overall"]),
                         *result["frameworks"][name]["by_split"].items()]:
            if s:
                print(f"| {name} | {split} | {s['tasks']} | {s['success']:.2f} | {s['answered']:.2f} | "
                      f"{s['expected_tools_used']:.2f} | {s['mean_steps']:.2f} | {s['tokens_per_task']:.0f} | "
                      f"{s['seconds_per_task']:.1f} | {s['load_average']:.1f} |")
    print("\n| agent | " + " | ".join(sorted({r["kind"] for r in rows[frameworks[0]]})) + " |")
    print("|---|" + "---:|" * len({r["kind"] for r in rows[frameworks[0]]}))
    for name in frameworks:
        by_kind = result["frameworks"][name]["by_kind"]
        print(f"| {name} | " + " | ".join(f"{v['success']:.2f}" for _, v in sorted(by_kind.items())) + " |")


if __name__ == "__main__":
    main()
