"""The typed errors every part of `aie` raises.

    AIEError
    ├── ConfigError            bad or missing settings
    │   ├── MissingKeyError    a provider needs a key that is not set
    │   └── UnknownModelError  a model id not in aie/models.toml (also a ValueError)
    ├── ProviderError          the provider answered with an error
    │   ├── AuthenticationError  key rejected
    │   ├── RateLimitError     429 after retries
    │   └── ProviderUnavailableError  5xx / connection refused after retries
    ├── BudgetExceededError    AIE_BUDGET_USD would be exceeded: refused before sending
    ├── ReplayMissingError     no cassette for this request in replay mode
    └── LocalModelError        the local GGUF is missing or cannot load
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
