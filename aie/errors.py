"""The typed errors every part of `aie` raises.

    AIEError
    ├── ConfigError            bad or missing settings
    │   ├── MissingKeyError    a provider needs a key that is not set
    │   ├── UnknownModelError  a model id not in aie/models.toml (also a ValueError)
    │   └── ModelProviderMismatchError  a model id the chosen provider cannot serve
    ├── InvalidInputError      a bad argument (also a ValueError): aie/validate.py
    │   ├── InvalidTypeError   an argument of the wrong type (also a TypeError)
    │   └── ContextWindowError the prompt does not fit the model's context window
    ├── ProviderError          the provider answered with an error
    │   ├── AuthenticationError  key rejected
    │   ├── RateLimitError     429 after retries
    │   └── ProviderUnavailableError  5xx / connection refused after retries
    ├── BudgetExceededError    AIE_BUDGET_USD would be exceeded: refused before sending
    ├── ReplayMissingError     no cassette for this request in replay mode
    └── LocalModelError        the local GGUF is missing or cannot load, or is busy
"""

from __future__ import annotations

LOCAL_HINT = (
    "Or use the local model, which needs no key: unset AIE_PROVIDER "
    "(or set AIE_PROVIDER=local)."
)


class AIEError(Exception):
    """Base class of every error raised by `aie`."""


class ConfigError(AIEError):
    pass


class MissingKeyError(ConfigError):
    def __init__(self, provider: str, variable: str):
        self.provider = provider
        self.variable = variable
        super().__init__(
            f"The {provider} provider needs an API key: set {variable} in your environment "
            f"or in .env (see .env.example). {LOCAL_HINT}"
        )


class UnknownModelError(ConfigError, ValueError):
    def __init__(self, model: str, known: list[str] | None = None):
        self.model = model
        hint = f" Known models: {', '.join(sorted(known))}." if known else ""
        super().__init__(
            f"Unknown model {model!r}: it is not in aie/models.toml.{hint} "
            "Add it to the registry or pick a listed id (`aie models`)."
        )


class ModelProviderMismatchError(ConfigError, ValueError):
    def __init__(self, model: str, provider: str, serves: str):
        self.model = model
        self.provider = provider
        super().__init__(
            f"Model {model!r} cannot be served by the {provider} provider ({serves}). "
            f"Unset AIE_MODEL (or drop model=) to use the {provider} default, or choose the provider "
            "that serves this model with AIE_PROVIDER."
        )


class InvalidInputError(AIEError, ValueError):
    """A bad argument: the message names the argument, the rule and the fix."""


class InvalidTypeError(InvalidInputError, TypeError):
    """An argument of the wrong type."""


class ContextWindowError(InvalidInputError):
    def __init__(self, model: str, prompt_tokens: int, window: int, how: str = ""):
        self.model = model
        self.prompt_tokens = prompt_tokens
        self.window = window
        super().__init__(
            f"The prompt is {prompt_tokens:,} tokens but {model}'s context window is {window:,} tokens"
            f"{how}: shorten the messages (drop old turns, truncate documents) so prompt and answer fit."
        )


class ProviderError(AIEError):
    def __init__(self, message: str, *, provider: str = "", status: int | None = None):
        self.provider = provider
        self.status = status
        super().__init__(message)


class AuthenticationError(ProviderError):
    pass


class RateLimitError(ProviderError):
    pass


class ProviderUnavailableError(ProviderError):
    pass


class BudgetExceededError(AIEError):
    pass


class ReplayMissingError(AIEError):
    pass


class LocalModelError(AIEError):
    pass
