"""Settings, read from the environment and from `.env` in the working directory or the
repository root. One place reads them; everything else asks here.

    AIE_PROVIDER      local (default) | openai | anthropic | ollama | litellm | replay
    AIE_MODEL         a model id for that provider (default: the provider's default)
    AIE_LOCAL_MODEL   a path to any GGUF file for the local backend
    AIE_BUDGET_USD    refuse calls that would take this process's spend past it
    OPENAI_API_KEY, OPENAI_BASE_URL, ANTHROPIC_API_KEY, OLLAMA_HOST
    AIE_REPLAY_PROVIDER, AIE_REPLAY_MODE (replay|record), AIE_CASSETTE_DIR
    AIE_MAX_RETRIES   retries on 429 and 5xx answers (default 3, with backoff)
"""

from __future__ import annotations

import os
from pathlib import Path

from dotenv import dotenv_values

# The course folder: where curriculum.toml, labs/ and tests/ live. AIE_ROOT points the
# `aie` command at another copy (an instructor grading a submission checked out elsewhere).
REPO_ROOT = Path(os.environ.get("AIE_ROOT") or Path(__file__).resolve().parent.parent).resolve()
PROVIDERS = ("local", "openai", "anthropic", "ollama", "litellm", "replay")

DEFAULT_MODELS = {
    "local": "smollm2-135m-instruct",
    "openai": "gpt-4o-mini",
    "anthropic": "claude-3-5-haiku-latest",
    "ollama": "smollm2:135m",
    "litellm": "gemini/gemini-2.0-flash",
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


def redact(text: str) -> str:
    """Replace every configured key in `text` by '***' (for error messages and logs)."""
    for variable in KEY_VARIABLES.values():
        key = get(variable)
        if key and len(key) >= 8:
            text = text.replace(key, "***")
    return text
