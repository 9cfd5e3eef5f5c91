"""The Ollama backend (official `ollama` client) for a server at OLLAMA_HOST
(default http://127.0.0.1:11434). `ollama pull smollm2:135m` gives the same model as the
local default. Structured output uses Ollama's `format` (a JSON Schema, or "json").

Retries and timeouts: the client has no retries, so 429 and 5xx answers and timeouts are
retried here (AIE_MAX_RETRIES times, backoff doubling from 0.5 s); each HTTP answer may take
AIE_TIMEOUT_S seconds. A server that is not running is reported at once, with the fix. A
stream is retried only before its first chunk (after that, the text already shown would
repeat), and a stream that ends without Ollama's final `done` message is "incomplete".

Errors: every failure is one of `aie.errors` (HTTP 401/403 AuthenticationError, 429
RateLimitError, 5xx and timeouts ProviderUnavailableError, other answers ProviderError, an
error line inside a stream too), with every configured key (OLLAMA_API_KEY, which the
client sends to a hosted Ollama, and the others) redacted from the message.
"""

from __future__ import annotations

import time
from typing import Any

from .. import config
from ..errors import AuthenticationError, ProviderError, ProviderUnavailableError, RateLimitError
from ._types import BackendStream, Completion, StreamState, ToolCall, Usage

BACKOFF = 0.5  # seconds, doubled after each retry


def _host() -> str:
    return config.get("OLLAMA_HOST", "http://127.0.0.1:11434")


def _client():
    import ollama

    return ollama.Client(host=_host(), timeout=config.timeout_s())


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


def _is_timeout(exc: BaseException) -> bool:
    import httpx

    return isinstance(exc, httpx.TimeoutException | TimeoutError)


def _translate(exc: BaseException) -> BaseException | None:
    """Our typed error for an Ollama failure, or None for anything else."""
    import httpx
    import ollama

    if isinstance(exc, ollama.ResponseError):
        status, said = exc.status_code, config.redact(str(exc.error))
        if status == 404:
            return ProviderError(f"Ollama has no such model: {said}. Run `ollama pull <model>` first.",
                                 provider="ollama", status=404)
        if status in (401, 403):
            return AuthenticationError(
                f"Ollama at {_host()} refused the request (HTTP {status}): {said}. A hosted Ollama needs "
                "OLLAMA_API_KEY; a local `ollama serve` needs none.", provider="ollama", status=status)
        if status < 0:  # an {"error": ...} line inside a stream carries no status
            return ProviderError(f"Ollama reported an error during the answer: {said}", provider="ollama")
        cls = RateLimitError if status == 429 else ProviderUnavailableError if status >= 500 else ProviderError
        return cls(f"Ollama answered HTTP {status}: {said}", provider="ollama", status=status)
    if _is_timeout(exc):
        return ProviderUnavailableError(
            f"Ollama at {_host()} did not answer within AIE_TIMEOUT_S={config.timeout_s():g} s (tried "
            f"{config.max_retries() + 1} times). A first call loads the model and can be slow: raise "
            "AIE_TIMEOUT_S, or try again.", provider="ollama")
    if isinstance(exc, ConnectionError | httpx.ConnectError):
        return ProviderUnavailableError(
            f"could not reach Ollama at {_host()}: {config.redact(str(exc))}. Start it with `ollama serve`, or unset "
            "AIE_PROVIDER to use the in-process local model.", provider="ollama")
    if isinstance(exc, httpx.TransportError):  # the connection broke mid-answer
        return ProviderUnavailableError(f"the connection to Ollama at {_host()} broke: "
                                        f"{config.redact(str(exc)) or type(exc).__name__}. Try again.",
                                        provider="ollama")
    if isinstance(exc, ValueError) and type(exc).__name__ == "JSONDecodeError":
        return ProviderError(f"Ollama sent a reply that is not JSON: {config.redact(str(exc))}", provider="ollama")
    return None


def _retryable(exc: BaseException) -> bool:
    import ollama

    if isinstance(exc, ollama.ResponseError):
        return exc.status_code == 429 or exc.status_code >= 500
    return _is_timeout(exc)


def _call(fn):
    """fn() with retries on 429, 5xx and timeouts, and Ollama's errors translated."""
    delay = BACKOFF
    retries = config.max_retries()
    for attempt in range(retries + 1):
        try:
            return fn()
        except Exception as exc:
            if _retryable(exc) and attempt < retries:
                time.sleep(delay)
                delay *= 2
                continue
            typed = _translate(exc)
            if typed is None:
                raise
            raise typed from None


def _stream_parts(fn):
    """Iterate fn()'s stream, retrying like _call until the first part has arrived."""
    delay = BACKOFF
    retries = config.max_retries()
    for attempt in range(retries + 1):
        started = False
        try:
            for part in fn():
                started = True
                yield part
            return
        except Exception as exc:
            if not started and _retryable(exc) and attempt < retries:
                time.sleep(delay)
                delay *= 2
                continue
            typed = _translate(exc)
            if typed is None:
                raise
            raise typed from None


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
            for part in _stream_parts(lambda: client.chat(stream=True, **kwargs)):
                if part.message and part.message.content:
                    yield part.message.content
                if part.done:
                    state.finish_reason = _finish_reason(part.done_reason, [])
                    state.usage = Usage(part.prompt_eval_count or 0, part.eval_count or 0)

        def make(text: str, state: StreamState) -> Completion:
            return Completion(text=text, finish_reason=state.finish_reason, model=request.model,
                              provider="ollama", usage=state.usage or Usage())

        return BackendStream(chunks, make)
