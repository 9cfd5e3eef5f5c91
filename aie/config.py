"""Settings, read from the environment and from `.env` in the working directory or the
repository root. One place reads them; everything else asks here.

    AIE_PROVIDER      local (default) | openai | anthropic | ollama | litellm | replay
    AIE_MODEL         a model id for that provider (default: the provider's default)
    AIE_LOCAL_MODEL   a path to any GGUF file for the local backend
    AIE_LOCAL_CTX     the local model's context window in tokens (default: the registry's)
    AIE_LOCAL_THREADS threads llama.cpp uses (default: every core)
    AIE_LOCAL_WAIT_S  seconds a call waits for the local model while another call or an
                      unread stream holds it (default 120), then a LocalModelError
    AIE_BUDGET_USD    refuse calls that would take this process's spend past it
    OPENAI_API_KEY, OPENAI_BASE_URL, ANTHROPIC_API_KEY, OLLAMA_HOST
    AIE_REPLAY_PROVIDER, AIE_REPLAY_MODE (replay|record), AIE_CASSETTE_DIR
    AIE_MAX_RETRIES   retries on 429, 5xx and timeouts (default 2, with backoff)
    AIE_TIMEOUT_S     seconds to wait for one HTTP answer before giving up or retrying
                      (default 30; a cloud call then fails within about 30 x 3 s, not 120 x 4)
    AIE_OPENAI_API    responses (default on api.openai.com) | chat: which OpenAI API the
                      openai provider calls. Other OpenAI-compatible servers (llama.cpp,
                      vLLM, Ollama's /v1) speak Chat Completions, the default for them.
    AIE_LOCAL_SYSTEM  the system prompt the local backend adds when a call has none
    AIE_ANTHROPIC_SAMPLING  set: send temperature/top_p (through extra_body) to an older
                      Anthropic model that still takes them (see aie/llm/_anthropic.py)
    AIE_EMBED_PROVIDER, AIE_EMBED_MODEL   local (default) | openai | ollama, and its model
    AIE_USER_ID_SECRET  salts the hashed end-user ids sent for chat(..., user=...)
    AIE_SERVE_CORS    origins `aie serve` allows (comma-separated; default: none)
"""

from __future__ import annotations

import math
import os
from contextlib import contextmanager
from pathlib import Path

from dotenv import dotenv_values

# The course folder: where curriculum.toml, labs/ and tests/ live. AIE_ROOT points the
# `aie` command at another copy (an instructor grading a submission checked out elsewhere).
REPO_ROOT = Path(os.environ.get("AIE_ROOT") or Path(__file__).resolve().parent.parent).resolve()
PROVIDERS = ("local", "openai", "anthropic", "ollama", "litellm", "replay")

DEFAULT_MODELS = {
    "local": "smollm2-135m-instruct",
    "openai": "gpt-4o-mini",
    "anthropic": "claude-haiku-5-5",  # claude-3-5-haiku-latest was retired in February 2026
    "ollama": "smollm2:135m",
    "litellm": "gemini/gemini-2.5-flash-lite",
}

KEY_VARIABLES = {"openai": "OPENAI_API_KEY", "anthropic": "ANTHROPIC_API_KEY"}

_dotenv_cache: dict[str, str] | None = None


def _dotenv() -> dict[str, str]:
    global _dotenv_cache
    if _dotenv_cache is None:
        values: dict[str, str] = {}
        for candidate in (REPO_ROOT / ".env", Path.cwd() / ".env"):
            if candidate.is_file():
                values.update({k: v for k, v in dotenv_values(candidate).items() if v is not None})
        _dotenv_cache = values
    return _dotenv_cache


def get(name: str, default: str | None = None) -> str | None:
    """A setting: the environment first, then .env, then `default`. Empty counts as unset."""
    value = os.environ.get(name)
    if value:
        return value
    value = _dotenv().get(name)
    return value if value else default


def provider() -> str:
    from .errors import ConfigError

    name = (get("AIE_PROVIDER", "local") or "local").strip().lower()
    if name not in PROVIDERS:
        raise ConfigError(
            f"AIE_PROVIDER={name!r} is not a provider. Choose one of: {', '.join(PROVIDERS)}."
        )
    return name


def require_key(provider_name: str) -> str:
    """The API key for a provider, or a MissingKeyError that names the variable."""
    from .errors import MissingKeyError

    variable = KEY_VARIABLES[provider_name]
    key = get(variable)
    if not key:
        raise MissingKeyError(provider_name, variable)
    return key


def cloud_provider() -> str | None:
    """The cloud provider an optional notebook cell should try, or None: the one
    AIE_PROVIDER names if its key is set, else the first of openai, anthropic whose key is
    set. Keys count wherever they are kept (environment or .env), like everywhere else."""
    chosen = provider()
    if chosen in KEY_VARIABLES and get(KEY_VARIABLES[chosen]):
        return chosen
    return next((name for name, variable in KEY_VARIABLES.items() if get(variable)), None)


@contextmanager
def setting(name: str, value: str):
    """Set one setting for the `with` block, then put back what was there (a learner's own
    value, from the environment, included): `with config.setting("AIE_PROVIDER", "openai"):`."""
    previous = os.environ.get(name)
    os.environ[name] = value
    try:
        yield
    finally:
        if previous is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = previous


DEFAULT_TIMEOUT_S = 30.0
DEFAULT_MAX_RETRIES = 2
DEFAULT_LOCAL_WAIT_S = 120.0


def _number(name: str, default: float, cast, minimum: float):
    from .errors import ConfigError

    raw = get(name)
    if raw is None:
        return default
    try:
        value = cast(raw)
    except ValueError:
        value = None
    if value is None or not math.isfinite(value) or value < minimum:
        raise ConfigError(f"{name}={raw!r} must be a number >= {minimum:g} (in your environment or .env); "
                          f"unset it for the default, {default:g}.")
    return value


def timeout_s() -> float:
    """AIE_TIMEOUT_S: seconds to wait for one HTTP answer (default 30)."""
    return _number("AIE_TIMEOUT_S", DEFAULT_TIMEOUT_S, float, 0.1)


def max_retries() -> int:
    """AIE_MAX_RETRIES: retries after a 429, a 5xx or a timeout (default 2)."""
    return _number("AIE_MAX_RETRIES", DEFAULT_MAX_RETRIES, int, 0)


def local_wait_s() -> float:
    """AIE_LOCAL_WAIT_S: seconds a call waits for the busy local model (default 120)."""
    return _number("AIE_LOCAL_WAIT_S", DEFAULT_LOCAL_WAIT_S, float, 0.1)


def local_threads() -> int:
    """AIE_LOCAL_THREADS: threads llama.cpp uses, in process and behind llama_cpp.server
    (default: every core)."""
    return _number("AIE_LOCAL_THREADS", os.cpu_count() or 2, int, 1)


def redact(text: str) -> str:
    """Replace every configured key in `text` by '***' (for error messages and logs): the
    value of every variable named *_API_KEY, *_SECRET or *_TOKEN in the environment or .env
    (GEMINI_API_KEY and the other keys LiteLLM reads included)."""
    names = set(KEY_VARIABLES.values()) | set(os.environ) | set(_dotenv())
    for variable in names:
        if variable in KEY_VARIABLES.values() or variable.upper().endswith(("_API_KEY", "_SECRET", "_TOKEN")):
            key = get(variable)
            if key and len(key) >= 8:
                text = text.replace(key, "***")
    return text
