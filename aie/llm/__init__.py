"""One chat interface over every provider: messages in, a `Completion` out.

    from aie.llm import chat
    reply = chat([{"role": "user", "content": "What is the capital of France?"}])
    reply.text, reply.usage, reply.cost, reply.finish_reason

The provider comes from `provider=` or AIE_PROVIDER (default `local`: SmolLM2-135M on
llama.cpp, in process, offline); the model from `model=` or AIE_MODEL. Only the backend
modules (`aie/llm/_<provider>.py`) import a provider SDK.

`response_format` takes any of
    {"type": "json_object"}                                   any JSON object
    {"type": "json_object", "schema": {...}}                  JSON matching a JSON Schema
    {"type": "json_schema", "json_schema": {"name": ..., "schema": {...}}}   (OpenAI's form)
    a pydantic model class                                    its JSON Schema
and every backend turns it into its own mechanism (grammar-constrained decoding locally).
`tools` takes OpenAI-style tool definitions or plain {"name", "description", "parameters"}.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field, replace
from typing import Any

from .. import config
from ..errors import BudgetExceededError, ConfigError
from ..registry import find_model
from ..tokens import count_tokens
from ._types import Completion, Stream, ToolCall, Usage

__all__ = [
    "chat",
    "Completion",
    "Stream",
    "ToolCall",
    "Usage",
    "Request",
    "count_tokens",
    "resolve",
    "spent",
    "reset_budget",
]

ROLES = ("system", "user", "assistant", "tool")


@dataclass
class Request:
    """A provider-neutral chat request; backends translate it."""

    messages: list[dict[str, Any]]
    model: str
    temperature: float = 0.0
    top_p: float = 1.0
    max_tokens: int = 256
    seed: int | None = 0
    stop: list[str] = field(default_factory=list)
    tools: list[dict[str, Any]] = field(default_factory=list)  # {"name","description","parameters"}
    tool_choice: str | dict | None = None  # "auto" | "required" | "none" | a tool name
    schema: dict[str, Any] | None = None  # JSON Schema the answer must match
    json_mode: bool = False  # answer must be a JSON object (schema may be None)
    stream: bool = False
    user: str | None = None  # an opaque end-user id (end_user_id()), never a raw name

    def fingerprint(self) -> dict[str, Any]:
        """Everything that determines the answer (the replay cassette key)."""
        fp = {
            "model": self.model,
            "messages": self.messages,
            "tools": self.tools,
            "tool_choice": self.tool_choice,
            "params": {
                "temperature": self.temperature,
                "top_p": self.top_p,
                "max_tokens": self.max_tokens,
                "seed": self.seed,
                "stop": self.stop,
                "schema": self.schema,
                "json_mode": self.json_mode,
            },
            "stream": self.stream,
        }
        if self.user:  # only when set: cassettes recorded without one keep their names
            fp["user"] = self.user
        return fp


def end_user_id(user: str | None) -> str | None:
    """The id sent to the provider for `chat(..., user=...)`: "u_" and 32 hex digits of a
    SHA-256 of the name (salted with AIE_USER_ID_SECRET when set). The same name always
    gives the same id, so the provider can tell your users apart for abuse monitoring,
    but it never receives the name or e-mail address itself (OpenAI's safety_identifier
    guidance: hash it). Already-opaque ids are hashed too: harmless, and one rule."""
    if user is None:
        return None
    if not isinstance(user, str) or not user.strip():
        raise ValueError(f"user must be a non-empty string naming your end user (it is hashed before "
                         f"it is sent), or None; got {user!r}")
    import hashlib

    salt = config.get("AIE_USER_ID_SECRET", "") or ""
    return "u_" + hashlib.sha256((salt + "\0" + user.strip()).encode("utf-8")).hexdigest()[:32]



_spent_usd = 0.0


def spent() -> float:
    """US dollars spent by chat calls in this process (from the registry's prices)."""
    return _spent_usd


def reset_budget() -> None:
    global _spent_usd
    _spent_usd = 0.0


def _check_messages(messages: Any) -> list[dict[str, Any]]:
    if not isinstance(messages, list) or not messages:
        raise ValueError("messages must be a non-empty list of {'role', 'content'} dicts")
    for i, m in enumerate(messages):
        if not isinstance(m, dict):
            raise ValueError(f"messages[{i}] must be a dict with 'role' and 'content'")
        if m.get("role") not in ROLES:
            raise ValueError(f"messages[{i}]['role'] must be one of {ROLES}, got {m.get('role')!r}")
        content = m.get("content")
        if not isinstance(content, str) and not (m["role"] == "assistant" and content is None):
            raise ValueError(f"messages[{i}]['content'] must be a string, got {type(content).__name__}")
    return [dict(m) for m in messages]


def _normalise_tools(tools: list | None) -> list[dict[str, Any]]:
    out = []
    for t in tools or []:
        if "function" in t:
            t = t["function"]
        if "name" not in t:
            raise ValueError(f"a tool needs a 'name': {t!r}")
        out.append(
            {
                "name": t["name"],
                "description": t.get("description", ""),
                "parameters": t.get("parameters") or t.get("input_schema") or {"type": "object", "properties": {}},
            }
        )
    return out


def _normalise_format(response_format: Any) -> tuple[dict | None, bool]:
    if response_format is None:
        return None, False
    if isinstance(response_format, type) and hasattr(response_format, "model_json_schema"):
        return response_format.model_json_schema(), True
    if not isinstance(response_format, dict):
        raise ValueError("response_format must be a dict or a pydantic model class")
    kind = response_format.get("type")
    if kind == "json_object":
        return response_format.get("schema"), True
    if kind == "json_schema":
        return response_format["json_schema"]["schema"], True
    if kind in (None, "text"):
        return None, False
    raise ValueError(f"response_format type {kind!r} is not one of json_object, json_schema, text")


def resolve(provider: str | None = None, model: str | None = None) -> tuple[str, str]:
    """(provider, model) after applying arguments, AIE_PROVIDER / AIE_MODEL and defaults."""
    provider = (provider or config.provider()).lower()
    if provider not in config.PROVIDERS:
        raise ConfigError(f"provider {provider!r} is not one of {', '.join(config.PROVIDERS)}")
    if model is None:
        model = config.get("AIE_MODEL")
    if model is None:
        if provider == "replay":
            inner = config.get("AIE_REPLAY_PROVIDER", "openai")
            model = config.DEFAULT_MODELS[inner]
        elif provider == "local":
            from ._local import default_model_id

            model = default_model_id()
        else:
            model = config.DEFAULT_MODELS[provider]
    return provider, model


def get_backend(provider: str):
    if provider == "local":
        from ._local import LocalBackend as B
    elif provider == "openai":
        from ._openai import OpenAIBackend as B
    elif provider == "anthropic":
        from ._anthropic import AnthropicBackend as B
    elif provider == "ollama":
        from ._ollama import OllamaBackend as B
    elif provider == "litellm":
        from ._litellm import LiteLLMBackend as B
    elif provider == "replay":
        from ._replay import ReplayBackend as B
    else:  # pragma: no cover - resolve() already checked
        raise ConfigError(provider)
    return B()


def _estimate_cost(request: Request) -> float:
    info = find_model(request.model)
    if info is None or (info.input_per_1m == 0 and info.output_per_1m == 0):
        return 0.0
    try:
        prompt = count_tokens(request.messages, request.model)
    except Exception:
        prompt = sum(len(m.get("content") or "") for m in request.messages) // 3
    return info.cost(prompt, request.max_tokens)


def price(completion: Completion) -> float:
    info = find_model(completion.model)
    if info is None:
        return 0.0
    # reasoning tokens are inside completion_tokens (billed as output); cached ones inside prompt_tokens
    return info.cost(completion.usage.prompt_tokens, completion.usage.completion_tokens,
                     cached_tokens=completion.usage.cached_tokens)


def chat(
    messages: list[dict[str, Any]],
    *,
    model: str | None = None,
    provider: str | None = None,
    temperature: float = 0.0,
    top_p: float = 1.0,
    max_tokens: int = 256,
    seed: int | None = 0,
    stop: str | list[str] | None = None,
    tools: list[dict[str, Any]] | None = None,
    tool_choice: str | dict | None = None,
    response_format: Any = None,
    stream: bool = False,
    user: str | None = None,
) -> Completion | Stream:
    """Send a chat to the configured provider. See the module docstring."""
    global _spent_usd
    messages = _check_messages(messages)
    if not isinstance(max_tokens, int) or max_tokens <= 0:
        raise ValueError(f"max_tokens must be a positive integer, got {max_tokens!r}")
    if not 0.0 <= float(temperature) <= 2.0:
        raise ValueError(f"temperature must be between 0 and 2, got {temperature!r}")
    if not 0.0 < float(top_p) <= 1.0:
        raise ValueError(f"top_p must be in (0, 1], got {top_p!r}")
    if isinstance(tool_choice, dict):
        tool_choice = tool_choice.get("function", tool_choice).get("name")
    schema, json_mode = _normalise_format(response_format)
    provider, model = resolve(provider, model)
    request = Request(
        messages=messages,
        model=model,
        temperature=float(temperature),
        top_p=float(top_p),
        max_tokens=max_tokens,
        seed=seed,
        stop=[stop] if isinstance(stop, str) else list(stop or []),
        tools=_normalise_tools(tools),
        tool_choice=tool_choice,
        schema=schema,
        json_mode=json_mode,
        stream=stream,
        user=end_user_id(user),
    )
    budget = config.get("AIE_BUDGET_USD")
    if budget is not None:
        estimate = _estimate_cost(request)
        if estimate > 0 and _spent_usd + estimate > float(budget):
            raise BudgetExceededError(
                f"This call could cost up to ${estimate:.6f} and ${_spent_usd:.6f} is already "
                f"spent: that would pass AIE_BUDGET_USD=${float(budget):.6f}. Raise the budget, "
                "lower max_tokens, or use the local model (free)."
            )
    backend = get_backend(provider)
    start = time.perf_counter()

    def finish(completion: Completion) -> Completion:
        global _spent_usd
        completion.latency = time.perf_counter() - start
        completion.cost = price(completion)
        _spent_usd += completion.cost
        return completion

    if stream:
        inner = backend.stream(request)
        return Stream(iter(inner), lambda text: finish(inner.finish(text)))
    return finish(backend.complete(request))


def with_model(request: Request, model: str) -> Request:
    return replace(request, model=model)
