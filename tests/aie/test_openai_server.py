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


def test_async_client_sends_null_assistant_content_as_empty(canned):
    """`async_openai_client` (for SDKs built on AsyncOpenAI, such as the Agents SDK): an
    assistant turn with tool calls and null content, valid for OpenAI, reaches the server
    with content "" (llama_cpp.server refuses null). A canned loopback server stands in for
    the server and keeps what it got; everything else in the request is unchanged."""
    import asyncio

    from aie.llm.server import async_openai_client

    canned.add("POST", "/v1/chat/completions", json={
        "id": "chatcmpl-1", "object": "chat.completion", "created": 1, "model": "smollm2",
        "choices": [{"index": 0, "finish_reason": "stop", "message": {"role": "assistant", "content": "220"}}],
        "usage": {"prompt_tokens": 5, "completion_tokens": 1, "total_tokens": 6}})
    call = {"id": "call_1", "type": "function", "function": {"name": "calculator", "arguments": "{}"}}
    messages = [{"role": "user", "content": "55 * 4?"},
                {"role": "assistant", "content": None, "tool_calls": [call]},
                {"role": "tool", "tool_call_id": "call_1", "content": "220"}]

    async def ask():
        client = async_openai_client(canned.url + "/v1", max_retries=0)
        try:
            return await client.chat.completions.create(model="smollm2", messages=messages, temperature=0)
        finally:
            await client.close()

    reply = asyncio.run(ask())
    assert reply.choices[0].message.content == "220"
    sent = canned.requests[-1].json()
    assert sent["messages"][1] == {"role": "assistant", "content": "", "tool_calls": [call]}
    assert sent["messages"][0] == messages[0] and sent["messages"][2] == messages[2] and sent["temperature"] == 0
    assert canned.requests[-1].headers["authorization"] == "Bearer local", "the api_key argument is sent"


def test_the_server_keeps_to_its_share_of_threads(tmp_path, monkeypatch):
    """A grader or test worker given one core (AIE_LOCAL_THREADS=1) must not start a server
    that runs llama.cpp on every core (its threads spin when they outnumber the cores). The
    real server is started (so llama_cpp.server accepted the flags) and its command line read."""
    import subprocess

    from aie import config
    from aie.llm import server
    from aie.llm._local import model_path

    started, real_popen = [], subprocess.Popen

    def popen(args, *a, **kw):
        started.append(list(args))
        return real_popen(args, *a, **kw)

    monkeypatch.setattr(server.subprocess, "Popen", popen)
    with config.setting("AIE_LOCAL_THREADS", "1"), server.llama_server(model_path(), log_dir=tmp_path) as base:
        assert base.startswith("http://127.0.0.1:")
    args = started[0]
    assert args[args.index("--n_threads") + 1] == "1" and args[args.index("--n_threads_batch") + 1] == "1", args
