"""The OpenAI backend (official SDK). Also serves any OpenAI-compatible server — the
llama.cpp server, vLLM, Ollama's /v1 — through OPENAI_BASE_URL (the SDK's own variable).

Structured output: api.openai.com gets `json_schema` (strict); other servers get
`json_object` with the schema alongside, the form llama.cpp's server and vLLM accept
(llama.cpp's server rejects `json_schema` with HTTP 500).
"""

from __future__ import annotations

import json
from typing import Any

from .. import config
from ..errors import AuthenticationError, ProviderError, ProviderUnavailableError, RateLimitError
from ._types import BackendStream, Completion, StreamState, ToolCall, Usage

OPENAI_HOST = "api.openai.com"


def _client():
    import openai

    base_url = config.get("OPENAI_BASE_URL")
    key = config.get("OPENAI_API_KEY")
    if not key:
        if base_url and OPENAI_HOST not in base_url:
            key = "not-needed"  # local OpenAI-compatible servers ignore the key
        else:
            key = config.require_key("openai")
    return openai.OpenAI(api_key=key, base_url=base_url, max_retries=int(config.get("AIE_MAX_RETRIES", "3")), timeout=120)


def _is_openai(client) -> bool:
    return OPENAI_HOST in str(client.base_url)


def _translate_error(exc: Exception) -> Exception:
    import openai

    msg = config.redact(str(exc))
    if isinstance(exc, openai.AuthenticationError):
        return AuthenticationError(
            "OpenAI rejected the key in OPENAI_API_KEY (HTTP 401). Check it, or unset "
            "AIE_PROVIDER to use the local model.",
            provider="openai",
            status=401,
        )
    if isinstance(exc, openai.RateLimitError):
        return RateLimitError(f"OpenAI rate limit after retries: {msg}", provider="openai", status=429)
    if isinstance(exc, openai.APIConnectionError):
        return ProviderUnavailableError(f"could not reach the OpenAI-compatible server: {msg}", provider="openai")
    if isinstance(exc, openai.APIStatusError):
        status = exc.status_code
        cls = ProviderUnavailableError if status >= 500 else ProviderError
        return cls(f"OpenAI-compatible server answered HTTP {status}: {msg}", provider="openai", status=status)
    return exc


def build_kwargs(request, *, native_openai: bool) -> dict[str, Any]:
    kwargs: dict[str, Any] = {
        "model": request.model,
        "messages": request.messages,
        "temperature": request.temperature,
        "top_p": request.top_p,
        "max_tokens": request.max_tokens,
    }
    if request.seed is not None:
        kwargs["seed"] = request.seed
    if request.stop:
        kwargs["stop"] = request.stop
    if request.tools:
        kwargs["tools"] = [{"type": "function", "function": t} for t in request.tools]
        if request.tool_choice in ("auto", "required", "none"):
            kwargs["tool_choice"] = request.tool_choice
        elif request.tool_choice:
            kwargs["tool_choice"] = {"type": "function", "function": {"name": request.tool_choice}}
    if request.schema is not None:
        if native_openai:
            kwargs["response_format"] = {
                "type": "json_schema",
                "json_schema": {"name": "answer", "schema": request.schema},
            }
        else:
            kwargs["response_format"] = {"type": "json_object", "schema": request.schema}
    elif request.json_mode:
        kwargs["response_format"] = {"type": "json_object"}
    return kwargs


def parse_tool_calls(raw) -> list[ToolCall]:
    calls = []
    for tc in raw or []:
        try:
            args = json.loads(tc.function.arguments or "{}")
        except json.JSONDecodeError:
            args = {"_raw": tc.function.arguments}
        calls.append(ToolCall(name=tc.function.name, arguments=args, id=tc.id or ""))
    return calls


class OpenAIBackend:
    name = "openai"

    def complete(self, request) -> Completion:
        client = _client()
        try:
            resp = client.chat.completions.create(**build_kwargs(request, native_openai=_is_openai(client)))
        except Exception as exc:
            raise _translate_error(exc) from None
        choice = resp.choices[0]
        usage = Usage(resp.usage.prompt_tokens, resp.usage.completion_tokens) if resp.usage else Usage()
        return Completion(
            text=choice.message.content or "",
            finish_reason=choice.finish_reason or "stop",
            model=request.model,
            provider="openai",
            usage=usage,
            tool_calls=parse_tool_calls(choice.message.tool_calls),
        )

    def stream(self, request) -> BackendStream:
        client = _client()
        kwargs = build_kwargs(request, native_openai=_is_openai(client))
        if _is_openai(client):
            kwargs["stream_options"] = {"include_usage": True}

        def chunks(state: StreamState):
            try:
                for event in client.chat.completions.create(stream=True, **kwargs):
                    if event.usage:
                        state.usage = Usage(event.usage.prompt_tokens, event.usage.completion_tokens)
                    if not event.choices:
                        continue
                    choice = event.choices[0]
                    if choice.finish_reason:
                        state.finish_reason = choice.finish_reason
                    if choice.delta and choice.delta.content:
                        yield choice.delta.content
            except Exception as exc:
                raise _translate_error(exc) from None

        def make(text: str, state: StreamState) -> Completion:
            return Completion(
                text=text,
                finish_reason=state.finish_reason,
                model=request.model,
                provider="openai",
                usage=state.usage or Usage(),
            )

        return BackendStream(chunks, make)
