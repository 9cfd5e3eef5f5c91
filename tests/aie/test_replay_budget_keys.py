"""Record/replay cassettes, the spending cap, and what a missing key says."""

from __future__ import annotations

import json

import pytest

from aie import config
from aie.errors import BudgetExceededError, ConfigError, MissingKeyError, ReplayMissingError
from aie.llm import chat, spent

MESSAGES = [{"role": "user", "content": "What is the capital of France?"}]


def test_record_then_replay_round_trip(monkeypatch, tmp_path):
    """Record with the local backend (the mechanism is the same for every provider),
    then replay the same request without running the model."""
    monkeypatch.setenv("AIE_PROVIDER", "replay")
    monkeypatch.setenv("AIE_REPLAY_PROVIDER", "local")
    monkeypatch.setenv("AIE_CASSETTE_DIR", str(tmp_path))
    monkeypatch.setenv("AIE_REPLAY_MODE", "record")
    recorded = chat(MESSAGES, max_tokens=24)
    streamed = chat(MESSAGES, max_tokens=24, stream=True)
    recorded_chunks = list(streamed)
    files = sorted(tmp_path.glob("local-*.json"))
    assert len(files) == 2
    data = json.loads(files[0].read_text())
    assert data["provider"] == "local" and "messages" in data["request"]

    monkeypatch.setenv("AIE_REPLAY_MODE", "replay")
    import aie.llm._local as local

    monkeypatch.setattr(local.LocalBackend, "complete", lambda *a: pytest.fail("replay must not call the model"))
    monkeypatch.setattr(local.LocalBackend, "stream", lambda *a: pytest.fail("replay must not call the model"))
    replayed = chat(MESSAGES, max_tokens=24)
    assert replayed.text == recorded.text and replayed.usage == recorded.usage
    again = chat(MESSAGES, max_tokens=24, stream=True)
    assert list(again) == recorded_chunks and again.completion.text == recorded.text


def test_a_different_request_has_a_different_cassette(monkeypatch, tmp_path):
    from aie.llm import Request
    from aie.llm._replay import cassette_key

    a = Request(messages=MESSAGES, model="gpt-4o")
    b = Request(messages=MESSAGES, model="gpt-4o", temperature=0.5)
    c = Request(messages=MESSAGES, model="gpt-4o-mini")
    keys = {cassette_key("openai", r) for r in (a, b, c)} | {cassette_key("anthropic", a)}
    assert len(keys) == 4
    assert cassette_key("openai", a) == cassette_key("openai", Request(messages=MESSAGES, model="gpt-4o"))


def test_a_missing_cassette_says_how_to_record_it(monkeypatch, tmp_path):
    monkeypatch.setenv("AIE_PROVIDER", "replay")
    monkeypatch.setenv("AIE_REPLAY_PROVIDER", "openai")
    monkeypatch.setenv("AIE_CASSETTE_DIR", str(tmp_path))
    with pytest.raises(ReplayMissingError) as err:
        chat(MESSAGES)
    assert "AIE_REPLAY_MODE=record" in str(err.value) and "AIE_REPLAY_PROVIDER=openai" in str(err.value)


def test_cassettes_never_hold_a_key(monkeypatch, tmp_path):
    from aie.llm import Completion, Request
    from aie.llm._replay import _write

    monkeypatch.setenv("OPENAI_API_KEY", "sk-proj-abcdefghijklmnopqrstuvwx")
    leaked = Completion(text="my key is sk-proj-abcdefghijklmnopqrstuvwx", finish_reason="stop", model="gpt-4o",
                        provider="openai")
    _write(tmp_path / "c.json", {"request": Request(messages=MESSAGES, model="gpt-4o").fingerprint(),
                                 "response": leaked.to_dict()})
    assert "abcdefghijklmnop" not in (tmp_path / "c.json").read_text()
    with pytest.raises(ConfigError, match="shaped like an API key"):
        _write(tmp_path / "d.json", {"response": {"text": "sk-ant-api03-ZZZZZZZZZZZZZZZZZZZZZZZZZZ"}})


def test_budget_refuses_before_sending(monkeypatch, canned):
    monkeypatch.setenv("AIE_PROVIDER", "openai")
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test-000000000000000000000000")
    monkeypatch.setenv("OPENAI_BASE_URL", canned.url + "/v1")
    monkeypatch.setenv("AIE_BUDGET_USD", "0.001")
    # gpt-4o: 256 output tokens cost up to $0.00256, over the $0.001 cap
    with pytest.raises(BudgetExceededError, match="AIE_BUDGET_USD"):
        chat(MESSAGES, model="gpt-4o", max_tokens=256)
    assert canned.calls == 0, "the refused call must never reach the provider"
    assert spent() == 0.0


def test_budget_counts_what_was_spent(monkeypatch, canned):
    body = {"id": "chatcmpl-1", "object": "chat.completion", "created": 1, "model": "gpt-4o",
            "choices": [{"index": 0, "message": {"role": "assistant", "content": "Paris."}, "finish_reason": "stop"}],
            "usage": {"prompt_tokens": 100, "completion_tokens": 20, "total_tokens": 120}}
    canned.add("POST", "/v1/chat/completions", 200, json=body)
    monkeypatch.setenv("AIE_PROVIDER", "openai")
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test-000000000000000000000000")
    monkeypatch.setenv("OPENAI_BASE_URL", canned.url + "/v1")
    monkeypatch.setenv("AIE_BUDGET_USD", "0.0014")
    first = chat(MESSAGES, model="gpt-4o", max_tokens=100)  # worst case ~$0.00104; it costs $0.00045
    assert first.cost == pytest.approx((100 * 2.5 + 20 * 10) / 1e6)
    assert spent() == pytest.approx(first.cost)
    with pytest.raises(BudgetExceededError):
        chat(MESSAGES, model="gpt-4o", max_tokens=100)  # $0.00045 spent + up to $0.00104 > $0.0014
    assert canned.calls == 1


def test_the_local_model_is_never_refused_by_the_budget(monkeypatch):
    monkeypatch.setenv("AIE_BUDGET_USD", "0")
    assert chat(MESSAGES, max_tokens=8).cost == 0.0


def test_a_missing_openai_key_names_the_variable_and_the_local_default(monkeypatch):
    monkeypatch.setenv("AIE_PROVIDER", "openai")
    with pytest.raises(MissingKeyError) as err:
        chat(MESSAGES)
    message = str(err.value)
    assert "OPENAI_API_KEY" in message and ".env" in message and "AIE_PROVIDER=local" in message


def test_a_rejected_key_is_reported_without_the_key(monkeypatch, canned):
    canned.add("POST", "/v1/chat/completions", 401, json={"error": {"message": "Incorrect API key provided: sk-test-***",
                                                                     "type": "invalid_request_error",
                                                                     "code": "invalid_api_key"}})
    monkeypatch.setenv("AIE_PROVIDER", "openai")
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test-123456789012345678901234")
    monkeypatch.setenv("OPENAI_BASE_URL", canned.url + "/v1")
    from aie.errors import AuthenticationError

    with pytest.raises(AuthenticationError) as err:
        chat(MESSAGES, model="gpt-4o")
    assert "OPENAI_API_KEY" in str(err.value) and "123456789012345678901234" not in str(err.value)
    assert canned.requests[-1].headers["authorization"] == "Bearer sk-test-123456789012345678901234"


def test_settings_come_from_dotenv(monkeypatch, tmp_path):
    (tmp_path / ".env").write_text("AIE_PROVIDER=ollama\nAIE_MODEL=llama3.2:3b\n")
    monkeypatch.setattr(config, "_dotenv_cache", None)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(config, "REPO_ROOT", tmp_path / "elsewhere")
    assert config.provider() == "ollama"
    assert config.get("AIE_MODEL") == "llama3.2:3b"
    monkeypatch.setenv("AIE_PROVIDER", "local")  # the environment wins over .env
    assert config.provider() == "local"


def test_an_unknown_provider_lists_the_choices(monkeypatch):
    monkeypatch.setenv("AIE_PROVIDER", "skynet")
    with pytest.raises(ConfigError, match="local, openai, anthropic"):
        chat(MESSAGES)
