"""The Ollama backend (official `ollama` client) for a server at OLLAMA_HOST
(default http://127.0.0.1:11434). `ollama pull smollm2:135m` gives the same model as the
local default. Structured output uses Ollama's `format` (a JSON Schema, or "json").

Retries: the client has none, so 429 and 5xx answers are retried here with backoff.
"""

from __future__ import annotations

import time
from typing import Any

from .. import config
from ..errors import ProviderError, ProviderUnavailableError, RateLimitError
from ._types import BackendStream, Completion, StreamState, ToolCall, Usage

RETRIES = 3
BACKOFF = 0.5  # seconds, doubled after each retry


def _client():
    import ollama

    return ollama.Client(host=config.get("OLLAMA_HOST", "http://127.0.0.1:11434"), timeout=120)


def build_kwargs(request) -> dict[str, Any]:
    options: dict[str, Any] = {
        "temperature": request.temperature,
        "top_p": request.top_p,
        "num_predict": request.max_tokens,
    }
    if request.seed is not None:
        options["seed"] = request.seed
    if request.stop:
        options["stop"] = request.stop
    kwargs: dict[str, Any] = {"model": request.model, "messages": request.messages, "options": options}
    if request.tools and request.tool_choice != "none":
        kwargs["tools"] = [{"type": "function", "function": t} for t in request.tools]
    if request.schema is not None:
        kwargs["format"] = request.schema
    elif request.json_mode:
        kwargs["format"] = "json"
    return kwargs


def _call(fn):
    import ollama

    delay = BACKOFF
    retries = int(config.get("AIE_MAX_RETRIES", str(RETRIES)))
    for attempt in range(retries + 1):
        try:
            return fn()
        except ollama.ResponseError as exc:
            status = exc.status_code
            retryable = status == 429 or status >= 500
            if retryable and attempt < retries:
                time.sleep(delay)
                delay *= 2
                continue
            if status == 404:
                raise ProviderError(
                    f"Ollama has no such model: {exc.error}. Run `ollama pull <model>` first.",
                    provider="ollama",
                    status=404,
                ) from None
            cls = RateLimitError if status == 429 else ProviderUnavailableError if status >= 500 else ProviderError
            raise cls(f"Ollama answered HTTP {status}: {exc.error}", provider="ollama", status=status) from None
        except ConnectionError as exc:
            raise ProviderUnavailableError(
                f"could not reach Ollama at {config.get('OLLAMA_HOST', 'http://127.0.0.1:11434')}: "
                f"{exc}. Start it with `ollama serve`, or unset AIE_PROVIDER to use the "
                "in-process local model.",
                provider="ollama",
            ) from None


def _finish_reason(done_reason: str | None, tool_calls: list) -> str:
    if tool_calls:
        return "tool_calls"
    return "length" if done_reason == "length" else "stop"


class OllamaBackend:
    name = "ollama"

    def complete(self, request) -> Completion:
        client = _client()
        resp = _call(lambda: client.chat(**build_kwargs(request)))
        calls = [
            ToolCall(name=tc.function.name, arguments=dict(tc.function.arguments or {}), id=f"call_{i}")
            for i, tc in enumerate(resp.message.tool_calls or [])
        ]
        return Completion(
            text=resp.message.content or "",
            finish_reason=_finish_reason(resp.done_reason, calls),
            model=request.model,
            provider="ollama",
            usage=Usage(resp.prompt_eval_count or 0, resp.eval_count or 0),
            tool_calls=calls,
        )

    def stream(self, request) -> BackendStream:
        client = _client()
        kwargs = build_kwargs(request)

        def chunks(state: StreamState):
            for part in _call(lambda: client.chat(stream=True, **kwargs)):
                if part.message and part.message.content:
                    yield part.message.content
                if part.done:
                    state.finish_reason = _finish_reason(part.done_reason, [])
                    state.usage = Usage(part.prompt_eval_count or 0, part.eval_count or 0)

        def make(text: str, state: StreamState) -> Completion:
            return Completion(text=text, finish_reason=state.finish_reason, model=request.model,
                              provider="ollama", usage=state.usage or Usage())

        return BackendStream(chunks, make)
