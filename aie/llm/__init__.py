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

import json
import math
import re
import threading
import time
import weakref
from dataclasses import dataclass, field, replace
from typing import Any

from .. import config, validate
from ..errors import (
    AIEError,
    BudgetExceededError,
    ConfigError,
    InvalidInputError,
    InvalidTypeError,
    LocalModelError,
    ModelProviderMismatchError,
    ProviderError,
    ProviderUnavailableError,
    UnknownModelError,
)
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
    guidance: hash it). An id already in that form ("u_" and 32 lower-case hex digits, such
    as lab 07's keyed `end_user_id(user, secret)`) is sent as it is, not hashed again, so
    the id the provider sees is the one your logs hold."""
    if user is None:
        return None
    if not isinstance(user, str) or not user.strip():
        raise ValueError(f"user must be a non-empty string naming your end user (it is hashed before "
                         f"it is sent), or None; got {user!r}")
    import hashlib
    import re

    if re.fullmatch(r"u_[0-9a-f]{32}", user):
        return user

    salt = config.get("AIE_USER_ID_SECRET", "") or ""
    return "u_" + hashlib.sha256((salt + "\0" + user.strip()).encode("utf-8")).hexdigest()[:32]


# The spending cap. Every priced call reserves its worst-case cost under the lock before it
# is sent and settles to its real cost after, so N threads at once cannot all pass the check.
_budget_lock = threading.Lock()
_spent_usd = 0.0
_reserved_usd = 0.0


def spent() -> float:
    """US dollars spent by chat calls in this process (from the registry's prices)."""
    return _spent_usd


def reset_budget() -> None:
    global _spent_usd, _reserved_usd
    with _budget_lock:
        _spent_usd = 0.0
        _reserved_usd = 0.0


def _check_messages(messages: Any) -> list[dict[str, Any]]:
    if not isinstance(messages, list) or not messages:
        raise InvalidInputError("messages must be a non-empty list of {'role', 'content'} dicts")
    for i, m in enumerate(messages):
        if not isinstance(m, dict):
            raise InvalidTypeError(f"messages[{i}] must be a dict with 'role' and 'content', got {type(m).__name__}")
        if m.get("role") not in ROLES:
            raise InvalidInputError(f"messages[{i}]['role'] must be one of {ROLES}, got {m.get('role')!r}")
        content = m.get("content")
        if not (m["role"] == "assistant" and content is None):
            validate.text(content, f"messages[{i}]['content']")
    return [dict(m) for m in messages]


# OpenAI's rule for function names, which every provider accepts.
_TOOL_NAME = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


def _normalise_tools(tools: list | None) -> list[dict[str, Any]]:
    if tools is None:
        return []
    if not isinstance(tools, list | tuple):
        raise InvalidTypeError(f"tools must be a list of tool definitions (dicts), got {type(tools).__name__}")
    out = []
    for i, t in enumerate(tools):
        if not isinstance(t, dict):
            raise InvalidTypeError(f"tools[{i}] must be a dict with 'name', 'description' and 'parameters'")
        if "function" in t:
            t = t["function"]
        if "name" not in t:
            raise InvalidInputError(f"tools[{i}] needs a 'name': {t!r}")
        if not isinstance(t["name"], str) or not _TOOL_NAME.match(t["name"]):
            raise InvalidInputError(f"tools[{i}]['name'] must be 1-64 letters, digits, '_' or '-', got {t['name']!r}")
        parameters = t.get("parameters") or t.get("input_schema") or {"type": "object", "properties": {}}
        if not isinstance(parameters, dict):
            raise InvalidTypeError(f"tools[{i}]['parameters'] must be a JSON Schema dict, got {type(parameters).__name__}")
        out.append({"name": t["name"], "description": validate.text(t.get("description") or "", f"tools[{i}]['description']"),
                    "parameters": parameters})
    names = [t["name"] for t in out]
    if len(set(names)) != len(names):
        raise InvalidInputError(f"tools must have unique names, got {names}")
    return out


def _normalise_format(response_format: Any) -> tuple[dict | None, bool]:
    if response_format is None:
        return None, False
    if isinstance(response_format, type) and hasattr(response_format, "model_json_schema"):
        return response_format.model_json_schema(), True
    if not isinstance(response_format, dict):
        raise InvalidTypeError("response_format must be a dict or a pydantic model class")
    kind = response_format.get("type")
    schema = None
    if kind == "json_object":
        schema = response_format.get("schema")
    elif kind == "json_schema":
        inner = response_format.get("json_schema")
        schema = inner.get("schema") if isinstance(inner, dict) else None
        if schema is None:
            raise InvalidInputError("response_format of type 'json_schema' needs {'json_schema': {'name': ..., 'schema': {...}}}")
    elif kind in (None, "text"):
        return None, False
    else:
        raise InvalidInputError(f"response_format type {kind!r} is not one of json_object, json_schema, text")
    if schema is not None and not isinstance(schema, dict):
        raise InvalidTypeError(f"response_format's schema must be a JSON Schema dict, got {type(schema).__name__}")
    return schema, True


def _check_model(provider: str, model: Any) -> str:
    """A model id the provider can serve, or ModelProviderMismatchError naming both."""
    model = validate.text(model, "model", allow_empty=False, max_chars=500)
    serving = provider
    if provider == "replay":
        from ._replay import inner_provider

        serving = inner_provider()
    if serving == "local":
        from ._local import default_model_id

        if model != default_model_id():
            raise ModelProviderMismatchError(
                model, "local", f"it runs one GGUF, {default_model_id()!r}; AIE_LOCAL_MODEL points it at another")
        return model
    info = find_model(model)
    if serving in ("openai", "anthropic", "ollama") and info is not None and info.provider != serving:
        base_url = config.get("OPENAI_BASE_URL") or ""
        if serving == "openai" and base_url and "api.openai.com" not in base_url:
            return model  # an OpenAI-compatible server serves whatever it has loaded
        raise ModelProviderMismatchError(model, serving, f"aie/models.toml lists {model!r} under {info.provider}")
    return model


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
    return provider, _check_model(provider, model)


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


def _count_prompt(request: Request) -> int:
    """Prompt tokens for a request: the messages plus the tool definitions and the schema,
    which every provider also sends to the model."""
    extra = json.dumps([request.tools, request.schema]) if request.tools or request.schema else ""
    try:
        tokens = count_tokens(request.messages, request.model)
        return tokens + (count_tokens(extra, request.model) if extra else 0)
    except UnknownModelError:  # a model id only the server knows (an OpenAI-compatible URL): estimate
        pass
    except AIEError:
        raise
    except Exception:  # a tokenizer we cannot run: estimate
        pass
    # about 3 characters a token, rounded up
    chars = sum(len(m.get("content") or "") for m in request.messages) + len(extra)
    return chars // 3 + 1


def _estimate_cost(request: Request) -> float:
    info = find_model(request.model)
    if info is None or (info.input_per_1m == 0 and info.output_per_1m == 0):
        return 0.0
    return info.cost(_count_prompt(request), request.max_tokens)


def price(completion: Completion) -> float:
    info = find_model(completion.model)
    if info is None:
        return 0.0
    # reasoning tokens are inside completion_tokens (billed as output); cached ones inside prompt_tokens
    return info.cost(completion.usage.prompt_tokens, completion.usage.completion_tokens,
                     cached_tokens=completion.usage.cached_tokens)


def budget_usd() -> float | None:
    """AIE_BUDGET_USD as a number, None when unset; anything but a finite amount >= 0 is an error."""
    raw = config.get("AIE_BUDGET_USD")
    if raw is None:
        return None
    try:
        value = float(raw)
    except ValueError:
        value = math.nan
    if not math.isfinite(value) or value < 0:
        raise ConfigError(
            f"AIE_BUDGET_USD={raw!r} is not an amount of US dollars: set a finite number >= 0 "
            "(AIE_BUDGET_USD=0.50) or unset it for no cap."
        )
    return value


def _is_free(provider: str, backend: Any, model: str) -> bool:
    """True when a call costs nothing: the local model, Ollama, a replayed cassette, or a
    model the registry prices at zero."""
    if provider in ("local", "ollama") or getattr(backend, "mode", None) == "replay":
        return True
    if provider == "replay" and getattr(backend, "provider", None) in ("local", "ollama"):
        return True
    info = find_model(model)
    return info is not None and info.input_per_1m == 0 and info.output_per_1m == 0


def _reserve(request: Request, free: bool) -> float:
    """Reserve the call's worst-case cost against AIE_BUDGET_USD, or refuse before sending."""
    global _reserved_usd
    budget = budget_usd()
    if budget is None or free:
        return 0.0
    if find_model(request.model) is None:
        raise BudgetExceededError(
            f"Model {request.model!r} has no price in aie/models.toml, so AIE_BUDGET_USD cannot be "
            "enforced for it: add its prices to the registry, or unset AIE_BUDGET_USD."
        )
    estimate = _estimate_cost(request)
    with _budget_lock:
        committed = _spent_usd + _reserved_usd
        if committed + estimate > budget:
            raise BudgetExceededError(
                f"This call could cost up to ${estimate:.6f} and ${committed:.6f} is already "
                f"spent or reserved: that would pass AIE_BUDGET_USD=${budget:.6f}. Raise the budget, "
                "lower max_tokens, or use the local model (free)."
            )
        _reserved_usd += estimate
    return estimate


def _settle(reserved: float, cost: float) -> None:
    global _spent_usd, _reserved_usd
    with _budget_lock:
        _reserved_usd = max(0.0, _reserved_usd - reserved)
        _spent_usd += cost


def _translate(exc: BaseException, provider: str) -> BaseException:
    """Every error leaving chat() is typed and carries no key: our own errors (and bad-input
    ValueError/TypeError) keep their type with keys redacted; anything else a backend or SDK
    raised becomes a ProviderError (a LocalModelError for the local model)."""
    message = config.redact(str(exc))
    if isinstance(exc, AIEError | ValueError | TypeError):
        if message != str(exc):
            exc.args = (message,)
        return exc
    if provider == "local":
        return LocalModelError(f"the local model failed: {type(exc).__name__}: {message}")
    kind = ProviderUnavailableError if isinstance(exc, TimeoutError | ConnectionError) or "Timeout" in type(exc).__name__ \
        or "Connect" in type(exc).__name__ else ProviderError
    return kind(f"{provider} call failed: {type(exc).__name__}: {message}", provider=provider)


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
    """Send a chat to the configured provider. See the module docstring.

    Bad arguments raise InvalidInputError (a ValueError) or InvalidTypeError (a TypeError)
    naming the argument; provider failures raise a ProviderError subclass with every key
    redacted; see docs/reliability.md for the inputs tried.
    """
    messages = _check_messages(messages)
    max_tokens = validate.positive_int(max_tokens, "max_tokens")
    temperature = validate.number(temperature, "temperature", minimum=0.0, maximum=2.0)
    top_p = validate.number(top_p, "top_p", minimum=0.0, maximum=1.0, exclusive_minimum=True)
    if seed is not None and (isinstance(seed, bool) or not isinstance(seed, int)):
        raise InvalidTypeError(f"seed must be an integer or None, got {type(seed).__name__} {seed!r}")
    if isinstance(stop, str):
        stop = [stop]
    if stop is not None and (not isinstance(stop, list | tuple) or not all(isinstance(s, str) and s for s in stop)):
        raise InvalidTypeError(f"stop must be a non-empty string or a list of them, got {stop!r}")
    stop = [validate.text(s, "stop") for s in stop or []]
    if isinstance(tool_choice, dict):
        inner_choice = tool_choice.get("function", tool_choice)
        tool_choice = inner_choice.get("name") if isinstance(inner_choice, dict) else None
        if not isinstance(tool_choice, str):
            raise InvalidInputError("tool_choice as a dict must be {'type': 'function', 'function': {'name': ...}}")
    if tool_choice is not None and not isinstance(tool_choice, str):
        raise InvalidTypeError(f"tool_choice must be 'auto', 'required', 'none' or a tool name, got {tool_choice!r}")
    if not isinstance(stream, bool):
        raise InvalidTypeError(f"stream must be True or False, got {stream!r}")
    schema, json_mode = _normalise_format(response_format)
    provider, model = resolve(provider, model)
    request = Request(
        messages=messages,
        model=model,
        temperature=temperature,
        top_p=top_p,
        max_tokens=max_tokens,
        seed=seed,
        stop=stop,
        tools=_normalise_tools(tools),
        tool_choice=tool_choice,
        schema=schema,
        json_mode=json_mode,
        stream=stream,
        user=end_user_id(user),
    )
    backend = get_backend(provider)
    free = _is_free(provider, backend, model)
    reserved = _reserve(request, free)
    start = time.perf_counter()
    settled = threading.Event()

    def settle(cost: float) -> None:
        if not settled.is_set():
            settled.set()
            _settle(reserved, cost)

    def finish(completion: Completion) -> Completion:
        completion.latency = time.perf_counter() - start
        if free:
            completion.cost = 0.0
        else:
            if completion.usage.total_tokens == 0:  # the server sent no usage: count it ourselves
                completion.usage = Usage(_count_prompt(request), _count_text(completion.text, model))
            completion.cost = price(completion)
        settle(completion.cost)
        return completion

    if not stream:
        try:
            return finish(backend.complete(request))
        except Exception as exc:
            raise _translate(exc, provider) from None
        finally:
            settle(0.0)  # failed or interrupted: nothing to charge (a no-op after finish)
    try:
        inner = backend.stream(request)
    except BaseException as exc:
        settle(0.0)
        if not isinstance(exc, Exception):
            raise
        raise _translate(exc, provider) from None
    started: list[bool] = []

    def chunks():
        parts: list[str] = []
        done = False
        started.append(True)
        try:
            for chunk in inner:
                parts.append(chunk)
                yield chunk
            done = True
        except Exception as exc:
            raise _translate(exc, provider) from None
        finally:
            if not done:  # abandoned or failed midway: stop generating, charge what was generated
                inner.close()
                cost = 0.0
                info = find_model(model)
                if parts and info is not None and not free:
                    usage = inner.state.usage
                    prompt = usage.prompt_tokens if usage and usage.prompt_tokens else _count_prompt(request)
                    cost = info.cost(prompt, _count_text("".join(parts), model))
                settle(cost)

    def make(text: str) -> Completion:
        try:
            return finish(inner.finish(text))
        except Exception as exc:
            raise _translate(exc, provider) from None
        finally:
            settle(0.0)

    result = Stream(chunks(), make)
    # Never iterated: nothing was sent, so free the reservation (a started stream settles above).
    weakref.finalize(result, lambda: None if started else settle(0.0))
    return result


def _count_text(text: str, model: str) -> int:
    if not text:
        return 0
    try:
        return count_tokens(text, model)
    except Exception:
        return len(text) // 3 + 1


def with_model(request: Request, model: str) -> Request:
    return replace(request, model=model)
