"""Load test of `aie serve` (lab 10's reference on the local model), on loopback.

N concurrent users ask handbook questions for T seconds (bounded also by a request count);
for each user and answer: time to the first token and to the last. Baseline, side by side:
the same questions through `answer_events` directly in one thread (no HTTP, no
concurrency), so the table reads as ratios that hold on any machine. Writes
bench/results/capstone.json. The load average is recorded with the figures.

    .venv/bin/python bench/bench_capstone.py --users 4 --seconds 60
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import time
from pathlib import Path

from aie.grading import load_lab
from aie.serve import Server, create_app, load_test, parse_sse

OUT = Path(__file__).resolve().parent / "results" / "capstone.json"


def direct(lab, kb, questions: list[str]) -> dict:
    first, last = [], []
    for _ in lab.answer_events("warm up", lab.retrieve(kb, questions[0], 2), max_tokens=4):
        pass  # load the model and build the BM25 index outside the timings
    for q in questions:
        start, got = time.monotonic(), None
        for item in lab.answer_events(q, lab.retrieve(kb, q, 2)):  # one event at a time, as it streams
            if parse_sse(item)[0][0] == "token" and got is None:
                got = time.monotonic() - start
        first.append(got)
        last.append(time.monotonic() - start)
    return {"ttft_p50": statistics.median(first), "last_p50": statistics.median(last), "served": len(last)}


def launch() -> dict:
    """Seconds from starting `aie serve` (a new process, AIE_TARGET=solutions) to its first
    answer on /api/info, and, as the baseline, from starting `aie --help` to its exit."""
    import socket
    import subprocess
    import sys

    import httpx

    aie = str(Path(sys.executable).parent / "aie")
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    start = time.monotonic()
    proc = subprocess.Popen([aie, "serve", "--port", str(port)], env={**os.environ, "AIE_TARGET": "solutions"},
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        while True:
            try:
                if httpx.get(f"http://127.0.0.1:{port}/api/info", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if proc.poll() is not None or time.monotonic() - start > 120:
                raise RuntimeError("aie serve did not start")
            time.sleep(0.05)
        ready = time.monotonic() - start
    finally:
        proc.terminate()
        proc.wait()
    start = time.monotonic()
    subprocess.run([aie, "--help"], stdout=subprocess.DEVNULL, check=True)
    return {"serve_ready_s": round(ready, 2), "help_s": round(time.monotonic() - start, 2)}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--users", type=int, default=4)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--max-requests", type=int, default=40)
    args = parser.parse_args()
    lab = load_lab("capstone", "solutions")
    t0 = time.monotonic()
    app = create_app(lab)
    startup = time.monotonic() - t0
    kb = app.state.kb
    base = direct(lab, kb, ["How many days of annual leave do I get?", "How do I book the sauna?"])
    with Server(app) as url:
        load = load_test(url, users=args.users, seconds=args.seconds, max_requests=args.max_requests)
    started = launch()
    result = {"startup_s": round(startup, 2), "launch": started, "baseline_one_user_direct": base, "load": load,
              "ttft_p50_vs_direct": round(load["ttft_p50"] / base["ttft_p50"], 2) if load["ttft_p50"] else None,
              "last_p50_vs_direct": round(load["last_p50"] / base["last_p50"], 2) if load["last_p50"] else None,
              "load_average": os.getloadavg(), "cores": os.cpu_count()}
    OUT.parent.mkdir(exist_ok=True)
    OUT.write_text(json.dumps(result, indent=2) + "\n")
    print(f"| measure | direct, 1 user | app, {args.users} users |")
    print("|---|---:|---:|")
    print(f"| time to first token p50 (s) | {base['ttft_p50']:.2f} | {load['ttft_p50'] or 0:.2f} |")
    print(f"| time to last token p50 (s) | {base['last_p50']:.2f} | {load['last_p50'] or 0:.2f} |")
    print(f"| p95 first / last (s) | | {load['ttft_p95'] or 0:.2f} / {load['last_p95'] or 0:.2f} |")
    print(f"| served / errors | {base['served']} / 0 | {load['served']} / {load['errors']} |")
    print(f"\naie serve ready {started['serve_ready_s']:.2f} s after launch (aie --help: {started['help_s']:.2f} s);"
          f" app built in process {startup:.2f} s; load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")


if __name__ == "__main__":
    main()
