"""The registry's LiteLLM entries (Gemini, Mistral, Cohere) against the price map LiteLLM ships
inside its package. The providers' own pages cannot be read offline; LiteLLM's map is kept up
to date by its maintainers from those pages (each entry names its page), so a release of
LiteLLM that moves a price or drops a model makes this test fail, and the registry entry is
re-read. Offline: the map is a JSON file in the installed package; nothing is fetched."""
from __future__ import annotations

import functools
import json
from pathlib import Path

import pytest

from aie import registry


@functools.lru_cache(maxsize=1)
def litellm_map() -> dict:
    """LiteLLM's bundled map, read once (4,800+ entries)."""
    import importlib.util

    spec = importlib.util.find_spec("litellm")
    assert spec and spec.origin, "litellm is installed by make setup"
    return json.loads((Path(spec.origin).parent / "model_prices_and_context_window_backup.json").read_text())


ACTIVE = sorted(m.id for m in registry.all_models().values() if m.provider == "litellm" and m.status != "retired")


def test_there_are_litellm_entries_to_check():
    assert len(ACTIVE) >= 3, ACTIVE


@pytest.mark.parametrize("model_id", ACTIVE)
def test_active_litellm_entry_matches_litellms_map(model_id):
    m = registry.all_models()[model_id]
    entry = litellm_map().get(model_id)
    assert entry is not None, f"{model_id} is not in LiteLLM's price map: retired or renamed? re-read {m.source}"
    per_1m = lambda key: round(entry.get(key, 0.0) * 1e6, 4)  # noqa: E731
    assert (m.input_per_1m, m.output_per_1m) == (per_1m("input_cost_per_token"), per_1m("output_cost_per_token")), \
        f"{model_id}: the registry's prices differ from LiteLLM's map; re-read {m.source}"
    if "cache_read_input_token_cost" in entry:
        assert m.cached_input_per_1m == per_1m("cache_read_input_token_cost"), f"{model_id}: cached-input price"
    assert m.context_window == entry["max_input_tokens"], f"{model_id}: context window"
    assert bool(getattr(m, "reasoning", False)) == bool(entry.get("supports_reasoning")), \
        f"{model_id}: a reasoning model bills its thinking tokens as output; mark it reasoning = true"


def test_retired_litellm_entries_are_gone_from_the_map():
    retired = [m.id for m in registry.all_models().values() if m.provider == "litellm" and m.status == "retired"]
    still_listed = [mid for mid in retired if mid in litellm_map()]
    assert not still_listed, f"marked retired but still priced by LiteLLM: {still_listed}"
