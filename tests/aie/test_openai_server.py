"""The openai backend for real: the official SDK against llama.cpp's OpenAI-compatible
server on 127.0.0.1 (the same code reaches OpenAI, vLLM or Ollama's /v1)."""

from __future__ import annotations

import json

import pytest

from aie.llm import chat

PARIS = [{"role": "system", "content": "You are a helpful assistant."},
         {"role": "user", "content": "What is the capital of France?"}]


@pytest.fixture
def openai_local(monkeypatch, llama_server):
    monkeypatch.setenv("AIE_PROVIDER", "openai")
    monkeypatch.setenv("OPENAI_BASE_URL", llama_server)
    monkeypatch.setenv("AIE_MODEL", "smollm2")
    return llama_server


def test_chat(openai_local):
    reply = chat(PARIS, max_tokens=24)
    assert reply.provider == "openai"
    assert "paris" in reply.text.lower()
    assert reply.usage.prompt_tokens > 0 and reply.usage.completion_tokens > 0
    assert reply.finish_reason in ("stop", "length")


def test_streaming(openai_local):
    stream = chat(PARIS, max_tokens=24, stream=True)
    chunks = list(stream)
    assert len(chunks) > 2
    assert "paris" in "".join(chunks).lower()
    assert stream.completion.text == "".join(chunks)


def test_json_output_with_a_schema(openai_local):
    schema = {"type": "object", "properties": {"city": {"type": "string", "maxLength": 30}},
              "required": ["city"]}
    reply = chat([{"role": "user", "content": "Which city is the capital of France? Answer in JSON."}],
                 response_format={"type": "json_object", "schema": schema}, max_tokens=40)
    data = json.loads(reply.text)
    assert set(data) == {"city"} and isinstance(data["city"], str)


def test_an_unreachable_server_is_a_clear_error(monkeypatch):
    from aie.errors import ProviderUnavailableError

    monkeypatch.setenv("AIE_PROVIDER", "openai")
    monkeypatch.setenv("OPENAI_BASE_URL", "http://127.0.0.1:9/v1")
    monkeypatch.setenv("AIE_MAX_RETRIES", "0")
    with pytest.raises(ProviderUnavailableError, match="could not reach"):
        chat(PARIS, max_tokens=5)


def test_litellm_reaches_the_same_server(monkeypatch, llama_server):
    """The litellm backend (the long tail: Gemini, Bedrock, ...) for real, through its
    OpenAI-compatible route."""
    monkeypatch.setenv("AIE_PROVIDER", "litellm")
    monkeypatch.setenv("OPENAI_BASE_URL", llama_server)
    reply = chat(PARIS, model="openai/smollm2", max_tokens=24)
    assert reply.provider == "litellm"
    assert "paris" in reply.text.lower()
    assert reply.usage.completion_tokens > 0
    stream = chat(PARIS, model="openai/smollm2", max_tokens=24, stream=True)
    assert "paris" in "".join(stream).lower()
