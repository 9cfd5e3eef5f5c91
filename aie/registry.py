"""The model registry (`aie/models.toml`): look up a model's provider, context window,
prices and cut-off, and price a call. Nothing else in the course names a price."""

from __future__ import annotations

import datetime as _dt
import tomllib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from .errors import UnknownModelError

REGISTRY_PATH = Path(__file__).with_name("models.toml")
STATUSES = ("active", "legacy", "deprecated", "retired")
STALE_AFTER_DAYS = 180


@dataclass(frozen=True)
class ModelInfo:
    id: str
    provider: str
    kind: str
    context_window: int
    max_output: int
    input_per_1m: float
    output_per_1m: float
    price_date: str
    cutoff: str
    status: str
    tokenizer: str
    source: str = ""
    cached_input_per_1m: float | None = None
    batch_discount: float | None = None
    reasoning: bool = False  # hidden reasoning tokens, billed as output
    native_structured_output: bool = False
    dimensions: int | None = None
    retires: str | None = None
    notes: str = ""

    def cost(self, prompt_tokens: int, completion_tokens: int = 0, *, reasoning_tokens: int = 0,
             cached_tokens: int = 0) -> float:
        """US dollars for this many tokens: tokens / 1M x price per 1M.

        `reasoning_tokens` are billed at the output price (a reasoning model's hidden
        thinking), on top of `completion_tokens`. `cached_tokens` is the part of
        `prompt_tokens` read from the provider's prompt cache, billed at
        `cached_input_per_1m` when the registry has one.
        """
        cached = min(cached_tokens, prompt_tokens)
        cached_price = self.input_per_1m if self.cached_input_per_1m is None else self.cached_input_per_1m
        return ((prompt_tokens - cached) * self.input_per_1m + cached * cached_price
                + (completion_tokens + reasoning_tokens) * self.output_per_1m) / 1e6

    def age_days(self, today: _dt.date | None = None) -> int:
        """Days since the figures were read from the provider's page."""
        today = today or _dt.date.today()
        return (today - _dt.date.fromisoformat(self.price_date)).days

    def is_stale(self, today: _dt.date | None = None, days: int = STALE_AFTER_DAYS) -> bool:
        return self.age_days(today) > days


@lru_cache(maxsize=1)
def _load() -> dict[str, ModelInfo]:
    with REGISTRY_PATH.open("rb") as f:
        raw = tomllib.load(f)
    return {mid: ModelInfo(id=mid, **fields) for mid, fields in raw["models"].items()}


def all_models() -> dict[str, ModelInfo]:
    return dict(_load())


def get_model(model_id: str) -> ModelInfo:
    """The registry entry for `model_id`, or UnknownModelError naming the known ids."""
    if not isinstance(model_id, str) or not model_id:
        raise UnknownModelError(str(model_id), list(_load()))
    try:
        return _load()[model_id]
    except KeyError:
        raise UnknownModelError(model_id, list(_load())) from None


def find_model(model_id: str) -> ModelInfo | None:
    return _load().get(model_id)


def cost(model_id: str, prompt_tokens: int, completion_tokens: int = 0, *, reasoning_tokens: int = 0,
         cached_tokens: int = 0) -> float:
    return get_model(model_id).cost(prompt_tokens, completion_tokens, reasoning_tokens=reasoning_tokens,
                                    cached_tokens=cached_tokens)


def stale_models(today: _dt.date | None = None, days: int = STALE_AFTER_DAYS) -> list[ModelInfo]:
    """Entries whose figures were read more than `days` days ago: re-check their `source`."""
    return [m for m in _load().values() if m.is_stale(today, days)]
