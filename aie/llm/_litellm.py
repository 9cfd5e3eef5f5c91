"""The LiteLLM backend (optional extra `litellm`): the long tail of providers — Gemini,
Mistral, Cohere, Azure OpenAI, AWS Bedrock and SageMaker, Replicate — with model ids as
LiteLLM spells them (`gemini/gemini-2.5-flash-lite`, `bedrock/...`, `azure/<deployment>`).
Keys come from each provider's own variable (GEMINI_API_KEY, MISTRAL_API_KEY, ...), which
LiteLLM reads. `openai/<model>` with OPENAI_BASE_URL reaches any OpenAI-compatible server.

Timeouts and retries: AIE_TIMEOUT_S and AIE_MAX_RETRIES, as for the other backends. Every
LiteLLM failure is one of `aie.errors` (or a ValueError/TypeError for a bad argument) with
every configured key redacted from the message: providers echo keys in error bodies.
"""

from __future__ import annotations

import json
import os
import time
from typing import Any

from .. import config
from ..errors import (
    AuthenticationError,
    ConfigError,
    ProviderError,
    ProviderUnavailableError,
    RateLimitError,
)
from ._types import BackendStream, Completion, StreamState, ToolCall, Usage


def _litellm():
    # Use the cost map that ships in the wheel: at import LiteLLM otherwise fetches it.
    os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")
    try:
        import litellm
    except ImportError:
        raise ConfigError(
            "AIE_PROVIDER=litellm needs the optional extra: pip install -e '.[litellm]'. "
            "Or unset AIE_PROVIDER to use the local model."
        ) from None
    litellm.telemetry = False
    return litellm


def build_kwargs(request) -> dict[str, Any]:
    kwargs: dict[str, Any] = {
        "model": request.model,
        "messages": request.messages,
        "temperature": request.temperature,
        "top_p": request.top_p,
        "max_tokens": request.max_tokens,
        "num_retries": 0,  # retried here (AIE_MAX_RETRIES): LiteLLM's own count compounds with its SDKs'
        "timeout": config.timeout_s(),  # AIE_TIMEOUT_S per answer
    }
    if request.seed is not None:
        kwargs["seed"] = request.seed
    if request.stop:
        kwargs["stop"] = request.stop
    base_url = config.get("OPENAI_BASE_URL")
    if request.model.startswith("openai/") and base_url:
        kwargs["api_base"] = base_url
        kwargs["api_key"] = config.get("OPENAI_API_KEY") or "not-needed"
    if request.tools:
        kwargs["tools"] = [{"type": "function", "function": t} for t in request.tools]
        if request.tool_choice:
            kwargs["tool_choice"] = request.tool_choice
    if request.schema is not None:
        kwargs["response_format"] = {"type": "json_schema", "json_schema": {"name": "answer", "schema": request.schema}}
    elif request.json_mode:
        kwargs["response_format"] = {"type": "json_object"}
    return kwargs


def _translate(exc: Exception) -> Exception:
    litellm = _litellm()
    msg = config.redact(str(exc))
    if isinstance(exc, litellm.AuthenticationError):
        return AuthenticationError(f"key rejected: {msg}", provider="litellm", status=401)
    if isinstance(exc, litellm.RateLimitError):
        return RateLimitError(msg, provider="litellm", status=429)
    if isinstance(exc, (litellm.APIConnectionError, litellm.ServiceUnavailableError)):
        return ProviderUnavailableError(msg, provider="litellm")
    if isinstance(exc, litellm.APIError):
        return ProviderError(msg, provider="litellm", status=getattr(exc, "status_code", None))
    if isinstance(exc, ValueError | TypeError):  # LiteLLM's own argument checks
        exc.args = (msg,)
        return exc
    return ProviderError(f"LiteLLM failed: {type(exc).__name__}: {msg}", provider="litellm",
                         status=getattr(exc, "status_code", None))


BACKOFF = 0.5  # seconds, doubled after each retry


def _retryable(exc: Exception) -> bool:
    """429, 408 (LiteLLM's Timeout) and 5xx answers are worth another try; a connection that
    cannot be made is reported at once."""
    status = getattr(exc, "status_code", None)
    return isinstance(status, int) and (status in (408, 429) or status >= 500)


def _call(fn):
    """fn() with AIE_MAX_RETRIES retries on retryable errors, every error translated."""
    delay = BACKOFF
    for attempt in range(config.max_retries() + 1):
        try:
            return fn()
        except Exception as exc:
            if not _retryable(exc) or attempt == config.max_retries():
                raise _translate(exc) from None
            time.sleep(delay)
            delay *= 2


def _stream_events(fn):
    """fn()'s stream, retried like _call but only before its first event (after that the
    text already shown would repeat), every error translated."""
    delay = BACKOFF
    for attempt in range(config.max_retries() + 1):
        started = False
        try:
            for event in fn():
                started = True
                yield event
            return
        except Exception as exc:
            if started or not _retryable(exc) or attempt == config.max_retries():
                raise _translate(exc) from None
            time.sleep(delay)
            delay *= 2


class LiteLLMBackend:
    name = "litellm"

    def complete(self, request) -> Completion:
        litellm = _litellm()
        kwargs = build_kwargs(request)
        resp = _call(lambda: litellm.completion(**kwargs))
        choice = resp.choices[0]
        calls = []
        for tc in choice.message.tool_calls or []:
            args = tc.function.arguments
            calls.append(ToolCall(name=tc.function.name, arguments=json.loads(args) if isinstance(args, str) else args, id=tc.id or ""))
        return Completion(
            text=choice.message.content or "",
            finish_reason=choice.finish_reason or "stop",
            model=request.model,
            provider="litellm",
            usage=Usage(resp.usage.prompt_tokens, resp.usage.completion_tokens),
            tool_calls=calls,
        )

    def stream(self, request) -> BackendStream:
        litellm = _litellm()
        kwargs = build_kwargs(request)

        def chunks(state: StreamState):
            for event in _stream_events(lambda: litellm.completion(stream=True, **kwargs)):
                choice = event.choices[0]
                if choice.finish_reason:
                    state.finish_reason = choice.finish_reason
                if choice.delta and choice.delta.content:
                    yield choice.delta.content

        def make(text: str, state: StreamState) -> Completion:
            return Completion(text=text, finish_reason=state.finish_reason, model=request.model,
                              provider="litellm", usage=state.usage or Usage())

        return BackendStream(chunks, make)
