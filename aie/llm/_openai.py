"""The OpenAI backend (official SDK): the Responses API and Chat Completions. Also serves
any OpenAI-compatible server — the llama.cpp server, vLLM, Ollama's /v1 — through
OPENAI_BASE_URL (the SDK's own variable).

Which API (AIE_OPENAI_API):
- `responses` (the default on api.openai.com): POST /v1/responses, OpenAI's current API.
  Messages become `input` items (tool calls `function_call`, tool results
  `function_call_output`), `max_tokens` becomes `max_output_tokens`, a schema becomes
  `text.format` (`json_schema`), `store` is false (nothing is kept on OpenAI's side), and
  the answer's `output` items, `status` and `usage` (reasoning and cached tokens included)
  are mapped to the same `Completion` as Chat Completions. It has no `seed` and no `stop`:
  a call with `stop=` goes to Chat Completions, which has them.
- `chat` (the default for every other server): POST /v1/chat/completions.
The Assistants API (threads, runs) was shut down on 2026-08-26; the Responses API
replaces it, and this course never used it.

Structured output on Chat Completions: api.openai.com gets `json_schema`; other servers
get `json_object` with the schema alongside, the form llama.cpp's server and vLLM accept
(llama.cpp's server rejects `json_schema` with HTTP 500; `{"type": "json_object",
"schema": ...}` is llama-cpp-python's shape, not OpenAI's).

`chat(..., user=...)` is sent as `safety_identifier` (already hashed by `aie.llm`).
Timeouts and retries: AIE_TIMEOUT_S per HTTP answer and AIE_MAX_RETRIES retries (the
SDK's own backoff, honouring Retry-After) on 408/409/429/5xx and timeouts.
"""

from __future__ import annotations

import json
from typing import Any

from .. import config
from ..errors import (
    AuthenticationError,
    ConfigError,
    ProviderError,
    ProviderUnavailableError,
    RateLimitError,
)
from ..registry import find_model
from ._types import BackendStream, Completion, StreamState, ToolCall, Usage

OPENAI_HOST = "api.openai.com"
APIS = ("responses", "chat")


def _client():
    import openai

    base_url = config.get("OPENAI_BASE_URL")
    key = config.get("OPENAI_API_KEY")
    if not key:
        if base_url and OPENAI_HOST not in base_url:
            key = "not-needed"  # local OpenAI-compatible servers ignore the key
        else:
            key = config.require_key("openai")
    return openai.OpenAI(api_key=key, base_url=base_url, max_retries=config.max_retries(),
                         timeout=config.timeout_s())


def _is_openai(client) -> bool:
    return OPENAI_HOST in str(client.base_url)


def api_for(client, request) -> str:
    """'responses' or 'chat' for this request (see the module docstring)."""
    choice = (config.get("AIE_OPENAI_API") or "").strip().lower()
    if choice and choice not in APIS:
        raise ConfigError(f"AIE_OPENAI_API={choice!r} must be 'responses' or 'chat' (or unset: responses on "
                          "api.openai.com, chat on other OpenAI-compatible servers).")
    api = choice or ("responses" if _is_openai(client) else "chat")
    if api == "responses" and request.stop:
        return "chat"  # the Responses API has no stop sequences
    return api


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
    if isinstance(exc, openai.APITimeoutError):
        return ProviderUnavailableError(
            f"the OpenAI-compatible server did not answer within AIE_TIMEOUT_S={config.timeout_s():g} s "
            f"(tried {config.max_retries() + 1} times). Raise AIE_TIMEOUT_S for long answers, or try again later.",
            provider="openai")
    if isinstance(exc, openai.APIConnectionError):
        return ProviderUnavailableError(f"could not reach the OpenAI-compatible server: {msg}", provider="openai")
    if isinstance(exc, openai.APIStatusError):
        status = exc.status_code
        cls = ProviderUnavailableError if status >= 500 else ProviderError
        return cls(f"OpenAI-compatible server answered HTTP {status}: {msg}", provider="openai", status=status)
    return exc


def _is_reasoning(request) -> bool:
    info = find_model(request.model)
    return bool(info and info.reasoning)


# ------------------------------------------------------------------ Chat Completions

def build_kwargs(request, *, native_openai: bool) -> dict[str, Any]:
    kwargs: dict[str, Any] = {"model": request.model, "messages": request.messages}
    if _is_reasoning(request):
        # OpenAI's reasoning models take max_completion_tokens (reasoning included) and no
        # sampling settings on Chat Completions; max_tokens is the older name
        kwargs["max_completion_tokens"] = request.max_tokens
    else:
        kwargs.update(temperature=request.temperature, top_p=request.top_p, max_tokens=request.max_tokens)
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
    if getattr(request, "user", None):
        kwargs["safety_identifier"] = request.user
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


def chat_usage(raw) -> Usage:
    """Chat Completions usage: prompt/completion totals and their cached/reasoning parts."""
    if not raw:
        return Usage()
    prompt_details = getattr(raw, "prompt_tokens_details", None)
    completion_details = getattr(raw, "completion_tokens_details", None)
    return Usage(raw.prompt_tokens or 0, raw.completion_tokens or 0,
                 reasoning_tokens=getattr(completion_details, "reasoning_tokens", None) or 0,
                 cached_tokens=getattr(prompt_details, "cached_tokens", None) or 0)


# ---------------------------------------------------------------------- Responses API

def responses_input(messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Chat-style messages as Responses `input` items."""
    items: list[dict[str, Any]] = []
    for m in messages:
        role = m["role"]
        if role == "tool":
            items.append({"type": "function_call_output", "call_id": m.get("tool_call_id", ""),
                          "output": m.get("content") or ""})
            continue
        if m.get("content"):
            items.append({"role": role, "content": m["content"]})
        for tc in m.get("tool_calls") or []:
            fn = tc.get("function", tc)
            args = fn.get("arguments", {})
            items.append({"type": "function_call", "call_id": tc.get("id", ""), "name": fn["name"],
                          "arguments": args if isinstance(args, str) else json.dumps(args)})
    return items


def build_responses_kwargs(request) -> dict[str, Any]:
    kwargs: dict[str, Any] = {
        "model": request.model,
        "input": responses_input(request.messages),
        "max_output_tokens": request.max_tokens,
        "store": False,
    }
    if not _is_reasoning(request):  # reasoning models take an effort, not sampling settings
        kwargs["temperature"] = request.temperature
        kwargs["top_p"] = request.top_p
    if request.tools:
        kwargs["tools"] = [{"type": "function", "name": t["name"], "description": t["description"],
                            "parameters": t["parameters"]} for t in request.tools]
        if request.tool_choice in ("auto", "required", "none"):
            kwargs["tool_choice"] = request.tool_choice
        elif request.tool_choice:
            kwargs["tool_choice"] = {"type": "function", "name": request.tool_choice}
    if request.schema is not None:
        kwargs["text"] = {"format": {"type": "json_schema", "name": "answer", "schema": request.schema}}
    elif request.json_mode:
        kwargs["text"] = {"format": {"type": "json_object"}}
    if getattr(request, "user", None):
        kwargs["safety_identifier"] = request.user
    return kwargs


def responses_usage(usage: dict | None) -> Usage:
    if not usage:
        return Usage()
    return Usage(usage.get("input_tokens") or 0, usage.get("output_tokens") or 0,
                 reasoning_tokens=(usage.get("output_tokens_details") or {}).get("reasoning_tokens") or 0,
                 cached_tokens=(usage.get("input_tokens_details") or {}).get("cached_tokens") or 0)


def parse_response(request, data: dict) -> Completion:
    """A Responses API `response` object (as a dict) as a Completion."""
    texts, calls, refused = [], [], False
    for item in data.get("output") or []:
        if item.get("type") == "message":
            for part in item.get("content") or []:
                if part.get("type") == "output_text":
                    texts.append(part.get("text") or "")
                elif part.get("type") == "refusal":
                    refused = True
                    texts.append(part.get("refusal") or "")
        elif item.get("type") == "function_call":
            try:
                args = json.loads(item.get("arguments") or "{}")
            except json.JSONDecodeError:
                args = {"_raw": item.get("arguments")}
            calls.append(ToolCall(name=item.get("name", ""), arguments=args, id=item.get("call_id") or item.get("id") or ""))
    return Completion(
        text="".join(texts),
        finish_reason=responses_finish(data, calls, refused),
        model=request.model,
        provider="openai",
        usage=responses_usage(data.get("usage")),
        tool_calls=calls,
    )


def responses_finish(data: dict, calls: list, refused: bool = False) -> str:
    status = data.get("status")
    if status == "incomplete":
        reason = (data.get("incomplete_details") or {}).get("reason")
        return {"max_output_tokens": "length", "content_filter": "content_filter"}.get(reason, "incomplete")
    if status != "completed":
        return "incomplete"
    if calls:
        return "tool_calls"
    return "content_filter" if refused else "stop"


def _dump(obj) -> dict:
    return obj.model_dump() if hasattr(obj, "model_dump") else dict(obj)


class OpenAIBackend:
    name = "openai"

    def complete(self, request) -> Completion:
        client = _client()
        if api_for(client, request) == "responses":
            try:
                resp = client.responses.create(**build_responses_kwargs(request))
            except Exception as exc:
                raise _translate_error(exc) from None
            return parse_response(request, _dump(resp))
        try:
            resp = client.chat.completions.create(**build_kwargs(request, native_openai=_is_openai(client)))
        except Exception as exc:
            raise _translate_error(exc) from None
        choice = resp.choices[0]
        return Completion(
            text=choice.message.content or "",
            finish_reason=choice.finish_reason or "stop",
            model=request.model,
            provider="openai",
            usage=chat_usage(resp.usage),
            tool_calls=parse_tool_calls(choice.message.tool_calls),
        )

    def stream(self, request) -> BackendStream:
        client = _client()
        if api_for(client, request) == "responses":
            return self._stream_responses(client, request)
        kwargs = build_kwargs(request, native_openai=_is_openai(client))
        if _is_openai(client):
            kwargs["stream_options"] = {"include_usage": True}

        def chunks(state: StreamState):
            try:
                for event in client.chat.completions.create(stream=True, **kwargs):
                    if event.usage:
                        state.usage = chat_usage(event.usage)
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

    def _stream_responses(self, client, request) -> BackendStream:
        """Responses streaming: semantic events. Text arrives in `response.output_text.delta`;
        the stream ends with `response.completed`, `response.incomplete` or
        `response.failed` (no `[DONE]`), whose `response` carries usage, tool calls and
        status. A stream cut before any of them stays "incomplete"."""
        kwargs = build_responses_kwargs(request)
        final: dict[str, Completion] = {}

        def chunks(state: StreamState):
            try:
                for event in client.responses.create(stream=True, **kwargs):
                    kind = getattr(event, "type", "")
                    if kind == "response.output_text.delta":
                        if event.delta:
                            yield event.delta
                    elif kind in ("response.completed", "response.incomplete"):
                        completion = parse_response(request, _dump(event.response))
                        final["c"] = completion
                        state.finish_reason = completion.finish_reason
                        state.usage = completion.usage
                    elif kind == "response.failed":
                        error = _dump(event.response).get("error") or {}
                        raise ProviderError(f"OpenAI reported the response failed: {error.get('code')}: "
                                            f"{config.redact(str(error.get('message')))}", provider="openai")
                    elif kind == "error":
                        raise ProviderError(f"OpenAI stream error {getattr(event, 'code', None)}: "
                                            f"{config.redact(str(getattr(event, 'message', '')))}", provider="openai")
            except ProviderError:
                raise
            except Exception as exc:
                raise _translate_error(exc) from None

        def make(text: str, state: StreamState) -> Completion:
            done = final.get("c")
            return Completion(
                text=text,
                finish_reason=state.finish_reason,
                model=request.model,
                provider="openai",
                usage=state.usage or Usage(),
                tool_calls=done.tool_calls if done else [],
            )

        return BackendStream(chunks, make)
