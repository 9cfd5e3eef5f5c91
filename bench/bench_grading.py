"""Grading a class: the local-folder recipe of the README on N submissions of one lab.

A class is made from the lab's reference: a third stubs, a third complete, a third with the
first 2..k of the exercises solved. Every submission is graded with
`aie grade --submission DIR --lab LAB --format json` (the same command the Gradescope and
Classroom recipes run, one submission per job), WORKERS at a time, as the README's
`xargs -P` recipe does, each with its share of the cores (`--threads`: llama.cpp's threads
spin while they wait, so two graders with a thread per core each run four busy threads on
two cores, and complete submissions then took 13 minutes instead of 40 s and lost points to
the per-test limit). Baseline, side by side: `aie grade --target solutions --lab LAB`
(the reference graded in this checkout, no isolation), timed before the class.

Results are written to bench/results/grading.json after every submission, so a run cut
short still records what it measured (`completed` of `n`), with the load average of the
machine, which matters: on a shared machine every figure here scales with it.

    python bench/run.py grading            # 30 submissions of llm_basics, 2 at a time
    python bench/bench_grading.py --n 6 --workers 1
"""

from __future__ import annotations

import argparse
import ast
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results" / "grading.json"
AIE = [sys.executable, "-m", "aie.cli"]


def make_class(lab_id: str, n: int, out: Path) -> list[tuple[str, str]]:
    """(folder, kind) for n submissions: stub, complete, partial, in turn."""
    sys.path.insert(0, str(ROOT))
    from aie.grading.release import stub_source

    solution = (ROOT / "solutions" / f"{lab_id}.py").read_text()
    stub = stub_source(solution, lab_id)
    funcs = [f for f in ast.parse(solution).body if isinstance(f, ast.FunctionDef) and not f.name.startswith("_")]
    made = []
    for i in range(n):
        folder = out / f"student{i + 1:02d}"
        (folder / "labs").mkdir(parents=True)
        if i % 3 == 0:
            text, kind = stub, "stub"
        elif i % 3 == 1:
            text, kind = solution, "complete"
        else:
            k = 2 + (i // 3) % max(1, len(funcs) - 2)
            text = stub + "\n\n" + "\n\n".join(ast.get_source_segment(solution, f) for f in funcs[:k]) + "\n"
            kind = f"partial ({k} of {len(funcs)} functions)"
        (folder / "labs" / f"{lab_id}.py").write_text(text)
        made.append((str(folder), kind))
    return made


def grade_one(folder: str, lab_id: str, threads: int) -> dict:
    report = Path(folder) / "grade.json"
    start = time.perf_counter()
    proc = subprocess.run([*AIE, "grade", "--submission", folder, "--lab", lab_id, "--format", "json",
                           "--threads", str(threads), "--out", str(report)], cwd=ROOT, capture_output=True, text=True)
    seconds = time.perf_counter() - start
    data = json.loads(report.read_text()) if report.is_file() else {}
    return {"seconds": round(seconds, 1), "returncode": proc.returncode, "score": data.get("total"),
            "max": data.get("max"), "timeouts": sum(t["status"] == "timeout" for t in data.get("tests", [])),
            "load": round(os.getloadavg()[0], 1)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lab", default="llm_basics")
    parser.add_argument("--n", type=int, default=30)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=0,
                        help="threads per grader (default: the cores shared among the workers)")
    parser.add_argument("--no-baseline", action="store_true")
    args = parser.parse_args()
    threads = args.threads or max(1, (os.cpu_count() or 2) // args.workers)
    result = {"lab": args.lab, "n": args.n, "workers": args.workers, "threads": threads, "cpus": os.cpu_count(),
              "load_at_start": round(os.getloadavg()[0], 1), "baseline": None, "completed": 0, "submissions": []}

    def save() -> None:
        RESULTS.parent.mkdir(parents=True, exist_ok=True)
        RESULTS.write_text(json.dumps(result, indent=2) + "\n")

    if not args.no_baseline:
        start = time.perf_counter()
        subprocess.run([*AIE, "grade", "--target", "solutions", "--lab", args.lab, "--format", "json"], cwd=ROOT,
                       capture_output=True, text=True)
        result["baseline"] = {"what": f"aie grade --target solutions --lab {args.lab} (no isolation)",
                              "seconds": round(time.perf_counter() - start, 1), "load": round(os.getloadavg()[0], 1)}
        save()
    with tempfile.TemporaryDirectory(prefix="aie-class-") as tmp:
        made = make_class(args.lab, args.n, Path(tmp))
        start = time.perf_counter()
        with ThreadPoolExecutor(max_workers=args.workers) as pool:
            futures = {pool.submit(grade_one, folder, args.lab, threads): (folder, kind) for folder, kind in made}
            for future in futures:
                folder, kind = futures[future]
                row = dict(future.result(), student=Path(folder).name, kind=kind)
                result["submissions"].append(row)
                result["completed"] = len(result["submissions"])
                result["elapsed_seconds"] = round(time.perf_counter() - start, 1)
                save()
        result["total_seconds"] = round(time.perf_counter() - start, 1)
    result["load_at_end"] = round(os.getloadavg()[0], 1)
    by_kind: dict[str, list[float]] = {}
    for row in result["submissions"]:
        by_kind.setdefault(row["kind"].split(" ")[0], []).append(row["seconds"])
    result["median_seconds"] = {k: statistics.median(v) for k, v in by_kind.items()}
    save()
    print(f"| {args.n} submissions of {args.lab}, {args.workers} at a time | {result['total_seconds']} s |")
    for kind, secs in result["median_seconds"].items():
        print(f"| median, {kind} | {secs} s |")
    if result["baseline"]:
        print(f"| baseline: {result['baseline']['what']} | {result['baseline']['seconds']} s |")


if __name__ == "__main__":
    main()
