"""The model registry (`aie/models.toml`): look up a model's provider, context window,
prices and cut-off, and price a call. Nothing else in the course names a price."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from .errors import UnknownModelError

REGISTRY_PATH = Path(__file__).with_name("models.toml")


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
    dimensions: int | None = None
    retires: str | None = None
    notes: str = ""

    def cost(self, prompt_tokens: int, completion_tokens: int = 0) -> float:
        """US dollars for this many tokens: tokens / 1M x price per 1M."""
        return (prompt_tokens * self.input_per_1m + completion_tokens * self.output_per_1m) / 1e6


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


def cost(model_id: str, prompt_tokens: int, completion_tokens: int = 0) -> float:
    return get_model(model_id).cost(prompt_tokens, completion_tokens)
