"""Settings are honoured the same way everywhere: a key kept in .env counts like one in the
environment (notebook provider cells included), a learner's own AIE_PROVIDER survives the
optional cells, and `user=` reaches replay cassettes only as its hashed id."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest

from aie import config
from aie.llm import chat, end_user_id

ROOT = Path(__file__).resolve().parents[2]
MESSAGES = [{"role": "user", "content": "What is the capital of France?"}]


@pytest.fixture
def dotenv(monkeypatch, tmp_path):
    """Point the settings at a fresh .env in tmp_path."""

    def write(text: str):
        (tmp_path / ".env").write_text(text)
        monkeypatch.setattr(config, "_dotenv_cache", None)
        monkeypatch.setattr(config, "REPO_ROOT", tmp_path / "elsewhere")
        monkeypatch.chdir(tmp_path)

    return write


def test_a_key_kept_in_dotenv_counts(dotenv):
    dotenv("ANTHROPIC_API_KEY=fake-anthropic-key-in-dotenv\n")
    assert "ANTHROPIC_API_KEY" not in os.environ
    assert config.cloud_provider() == "anthropic", "a key in .env must count like one in the environment"


def test_the_learners_provider_wins_when_its_key_is_set(dotenv, monkeypatch):
    dotenv("OPENAI_API_KEY=fake-openai-key-in-dotenv\nANTHROPIC_API_KEY=fake-anthropic-key-in-dotenv\n"
           "AIE_PROVIDER=anthropic\n")
    assert config.cloud_provider() == "anthropic", "AIE_PROVIDER=anthropic (in .env) with its key set wins"
    monkeypatch.setenv("AIE_PROVIDER", "local")
    assert config.cloud_provider() == "openai", "otherwise the first provider whose key is set"


def test_no_key_no_cloud_provider(dotenv):
    dotenv("AIE_PROVIDER=local\n")
    assert config.cloud_provider() is None


def test_setting_puts_back_the_learners_own_value(monkeypatch):
    monkeypatch.setenv("AIE_PROVIDER", "ollama")
    with config.setting("AIE_PROVIDER", "openai"):
        assert config.provider() == "openai"
    assert os.environ["AIE_PROVIDER"] == "ollama", "the learner's AIE_PROVIDER must survive the cell"
    monkeypatch.delenv("AIE_PROVIDER")
    with pytest.raises(RuntimeError):
        with config.setting("AIE_PROVIDER", "openai"):
            raise RuntimeError("the cell failed")
    assert "AIE_PROVIDER" not in os.environ, "unset before, unset after, even when the block fails"


@pytest.mark.parametrize("notebook", sorted((ROOT / "notebooks").glob("*.ipynb")), ids=lambda p: p.name)
def test_notebook_cells_read_keys_and_providers_through_aie_config(notebook):
    """os.environ alone misses keys kept in .env, and assigning or deleting AIE_PROVIDER
    there loses the learner's own choice: the cells use aie.config (get, cloud_provider, setting)."""
    cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
    code = "\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "code")
    reads_key = re.findall(r"os\.environ(?:\.get\(|\[)\s*[\"'][A-Z_]*(?:API_KEY|_TOKEN)[\"']", code)
    assert not reads_key, f"{notebook.name} reads a key from os.environ only: {reads_key}; use config.get"
    overwrites = re.findall(r"(?:os\.environ\[[\"']AIE_[A-Z_]+[\"']\]\s*=|del os\.environ\[[\"']AIE_"
                            r"|os\.environ\.pop\([\"']AIE_)", code)
    assert not overwrites, (f"{notebook.name} sets or drops an AIE_ setting by hand: {overwrites}; "
                            "use `with config.setting(...)`, which puts the learner's value back")


def test_replay_cassettes_record_the_hashed_user_never_the_name(monkeypatch, canned, tmp_path):
    body = {"id": "chatcmpl-1", "object": "chat.completion", "created": 1, "model": "gpt-4o-mini",
            "choices": [{"index": 0, "message": {"role": "assistant", "content": "Paris."}, "finish_reason": "stop"}],
            "usage": {"prompt_tokens": 14, "completion_tokens": 2, "total_tokens": 16}}
    canned.add("POST", "/v1/chat/completions", 200, json=body)
    monkeypatch.setenv("AIE_PROVIDER", "replay")
    monkeypatch.setenv("AIE_REPLAY_PROVIDER", "openai")
    monkeypatch.setenv("AIE_REPLAY_MODE", "record")
    monkeypatch.setenv("AIE_CASSETTE_DIR", str(tmp_path))
    monkeypatch.setenv("OPENAI_API_KEY", "fake-openai-key-replay-0000")
    monkeypatch.setenv("OPENAI_BASE_URL", canned.url + "/v1")
    chat(MESSAGES, model="gpt-4o-mini", user="alice@example.com")
    (cassette,) = tmp_path.glob("openai-*.json")
    text = cassette.read_text()
    assert json.loads(text)["request"]["user"] == end_user_id("alice@example.com")
    assert "alice" not in text and "example.com" not in text, "the raw name must not be written"
    monkeypatch.setenv("AIE_REPLAY_MODE", "replay")
    assert chat(MESSAGES, model="gpt-4o-mini", user="alice@example.com").text == "Paris."
    assert canned.calls == 1, "the replay answered from the cassette"


def test_the_user_salt_changes_the_id(monkeypatch):
    plain = end_user_id("alice")
    monkeypatch.setenv("AIE_USER_ID_SECRET", "a-long-class-secret")
    assert end_user_id("alice") != plain and end_user_id("alice").startswith("u_")
