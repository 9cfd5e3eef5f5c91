"""The Anthropic backend (official SDK): the Messages API.

Mapping from the course's OpenAI-shaped requests:
- system messages -> the top-level `system` parameter (joined if several)
- tools -> `tools=[{name, description, input_schema}]`; `tool_use` blocks -> ToolCall
- role "tool" messages -> a user turn with a `tool_result` block
- response_format with a schema -> native structured outputs where the registry says the
  model has them (`native_structured_output`: Claude Haiku 4.5, Sonnet 5 and later):
  `output_config={"format": {"type": "json_schema", "schema": ...}}`, constrained
  decoding that returns the JSON as the text block. Anthropic's strict schemas need
  `additionalProperties: false` on every object, so it is added (`strict_schema`).
  Other models, and a bare `{"type": "json_object"}` with no schema (native outputs need
  one with properties), take the fallback: a forced tool call (`tool_choice={"type":
  "tool"}`) whose input is the answer. Claude Sonnet 5.5 and Opus 5.5 reject forced tool
  use, so on them give a schema.
- `chat(..., user=...)` -> `metadata.user_id` (already hashed by `aie.llm`)
- usage: input_tokens + cache reads and writes -> prompt_tokens (cache reads also ->
  cached_tokens); output_tokens (thinking included) -> completion_tokens
- stop_reason end_turn/stop_sequence -> "stop", max_tokens -> "length", tool_use -> "tool_calls"
- `seed` has no equivalent and is not sent. Neither are `temperature` and `top_p`: the
  API deprecated sampling parameters and SDK 1.0 removed them from `messages.create`
  (its migration guide). For an older model that still takes them, set
  AIE_ANTHROPIC_SAMPLING=1 to send them through `extra_body`.
- timeouts and retries: AIE_TIMEOUT_S per HTTP answer, AIE_MAX_RETRIES retries (the SDK's
  backoff) on 408/409/429/5xx (529 overloaded included) and timeouts.
"""

from __future__ import annotations

import json
from typing import Any

from .. import config
from ..errors import AuthenticationError, ProviderError, ProviderUnavailableError, RateLimitError
from ..registry import find_model
from ._types import BackendStream, Completion, StreamState, ToolCall, Usage

ANSWER_TOOL = "answer"
FINISH = {"end_turn": "stop", "stop_sequence": "stop", "max_tokens": "length", "tool_use": "tool_calls", "refusal": "content_filter"}


def _client():
    import anthropic

    key = config.require_key("anthropic")
    return anthropic.Anthropic(api_key=key, base_url=config.get("ANTHROPIC_BASE_URL"),
                               max_retries=config.max_retries(), timeout=config.timeout_s())


def _translate_error(exc: Exception) -> Exception:
    import anthropic

    msg = config.redact(str(exc))
    if isinstance(exc, anthropic.AuthenticationError):
        return AuthenticationError(
            "Anthropic rejected the key in ANTHROPIC_API_KEY (HTTP 401). Check it, or unset "
            "AIE_PROVIDER to use the local model.",
            provider="anthropic",
            status=401,
        )
    if isinstance(exc, anthropic.RateLimitError):
        return RateLimitError(f"Anthropic rate limit after retries: {msg}", provider="anthropic", status=429)
    if isinstance(exc, anthropic.APITimeoutError):
        return ProviderUnavailableError(
            f"Anthropic did not answer within AIE_TIMEOUT_S={config.timeout_s():g} s (tried "
            f"{config.max_retries() + 1} times). Raise AIE_TIMEOUT_S for long answers, or try again later.",
            provider="anthropic")
    if isinstance(exc, anthropic.APIConnectionError):
        return ProviderUnavailableError(f"could not reach Anthropic: {msg}", provider="anthropic")
    if isinstance(exc, anthropic.APIStatusError):
        status = exc.status_code
        cls = ProviderUnavailableError if status >= 500 else ProviderError
        return cls(f"Anthropic answered HTTP {status}: {msg}", provider="anthropic", status=status)
    return exc


def _convert_messages(messages: list[dict[str, Any]]) -> tuple[str | None, list[dict[str, Any]]]:
    system = [m["content"] for m in messages if m["role"] == "system"]
    out: list[dict[str, Any]] = []
    for m in messages:
        if m["role"] == "system":
            continue
        if m["role"] == "tool":
            block = {"type": "tool_result", "tool_use_id": m.get("tool_call_id", ""), "content": m["content"]}
            out.append({"role": "user", "content": [block]})
        elif m["role"] == "assistant" and m.get("tool_calls"):
            blocks: list[dict[str, Any]] = [{"type": "text", "text": m["content"]}] if m.get("content") else []
            for tc in m["tool_calls"]:
                fn = tc.get("function", tc)
                args = fn.get("arguments", {})
                blocks.append({
                    "type": "tool_use",
                    "id": tc.get("id", ""),
                    "name": fn["name"],
                    "input": json.loads(args) if isinstance(args, str) else args,
                })
            out.append({"role": "assistant", "content": blocks})
        else:
            out.append({"role": m["role"], "content": m["content"]})
    return ("\n\n".join(system) if system else None), out


def strict_schema(schema: Any) -> Any:
    """A copy of `schema` with `additionalProperties: false` on every object that lists
    properties (Anthropic's strict JSON outputs require it); nothing else changes."""
    if isinstance(schema, list):
        return [strict_schema(s) for s in schema]
    if not isinstance(schema, dict):
        return schema
    out = {k: strict_schema(v) for k, v in schema.items()}
    if out.get("type") == "object" and "properties" in out:
        out.setdefault("additionalProperties", False)
    return out


def uses_native_output(request) -> bool:
    """True when the answer's shape goes through output_config.format, not a forced tool."""
    if request.schema is None or not request.schema.get("properties"):
        return False
    info = find_model(request.model)
    return bool(info and info.native_structured_output)


def _forced_tool(request) -> bool:
    return not uses_native_output(request) and (request.schema is not None or (request.json_mode and not request.tools))


def build_kwargs(request) -> dict[str, Any]:
    system, messages = _convert_messages(request.messages)
    kwargs: dict[str, Any] = {
        "model": request.model,
        "max_tokens": request.max_tokens,
        "messages": messages,
    }
    if config.get("AIE_ANTHROPIC_SAMPLING"):
        sampling = {"temperature": request.temperature}
        if request.top_p != 1.0:
            sampling["top_p"] = request.top_p
        kwargs["extra_body"] = sampling
    if system:
        kwargs["system"] = system
    if request.stop:
        kwargs["stop_sequences"] = request.stop
    if getattr(request, "user", None):
        kwargs["metadata"] = {"user_id": request.user}
    tools = [{"name": t["name"], "description": t["description"], "input_schema": t["parameters"]} for t in request.tools]
    if uses_native_output(request):
        kwargs["output_config"] = {"format": {"type": "json_schema", "schema": strict_schema(request.schema)}}
    if _forced_tool(request):
        schema = request.schema or {"type": "object"}
        tools = [{"name": ANSWER_TOOL, "description": "Give the final answer in this shape.", "input_schema": schema}]
        kwargs["tool_choice"] = {"type": "tool", "name": ANSWER_TOOL}
    elif tools:
        if request.tool_choice == "required":
            kwargs["tool_choice"] = {"type": "any"}
        elif request.tool_choice == "none":
            kwargs["tool_choice"] = {"type": "none"}
        elif request.tool_choice and request.tool_choice != "auto":
            kwargs["tool_choice"] = {"type": "tool", "name": request.tool_choice}
    if tools:
        kwargs["tools"] = tools
    return kwargs


def message_usage(usage) -> Usage:
    cache_read = getattr(usage, "cache_read_input_tokens", None) or 0
    cache_write = getattr(usage, "cache_creation_input_tokens", None) or 0
    return Usage(usage.input_tokens + cache_read + cache_write, usage.output_tokens, cached_tokens=cache_read)


def parse_message(request, message) -> Completion:
    text_parts, calls = [], []
    structured = _forced_tool(request)
    for block in message.content:
        if block.type == "text":
            text_parts.append(block.text)
        elif block.type == "tool_use":
            if structured and block.name == ANSWER_TOOL:
                text_parts = [json.dumps(block.input)]
            else:
                calls.append(ToolCall(name=block.name, arguments=dict(block.input), id=block.id))
    finish = FINISH.get(message.stop_reason or "end_turn", "stop")
    if structured and finish == "tool_calls":
        finish = "stop"
    return Completion(
        text="".join(text_parts),
        finish_reason=finish,
        model=request.model,
        provider="anthropic",
        usage=message_usage(message.usage),
        tool_calls=calls,
    )


class AnthropicBackend:
    name = "anthropic"

    def complete(self, request) -> Completion:
        client = _client()
        try:
            message = client.messages.create(**build_kwargs(request))
        except Exception as exc:
            raise _translate_error(exc) from None
        return parse_message(request, message)

    def stream(self, request) -> BackendStream:
        client = _client()
        kwargs = build_kwargs(request)
        final: dict[str, Completion] = {}

        def chunks(state: StreamState):
            try:
                with client.messages.stream(**kwargs) as s:
                    yield from s.text_stream
                    final["c"] = parse_message(request, s.get_final_message())
            except Exception as exc:
                raise _translate_error(exc) from None

        def make(text: str, state: StreamState) -> Completion:
            completion = final["c"]
            completion.text = completion.text or text
            return completion

        return BackendStream(chunks, make)
