"""The anthropic and ollama backends against recorded HTTP responses.

No Anthropic key or Ollama server exists here, so a canned HTTP server on 127.0.0.1
(`canned`, in conftest.py) stands in for them: the real SDKs send real HTTP requests to
it (Anthropic's SDK has its own HTTP stack, which respx cannot intercept).
The response bodies are the documented shapes:
- Anthropic Messages API reference (POST /v1/messages: `content` blocks of type `text`
  and `tool_use`, `stop_reason`, `usage.input_tokens/output_tokens`; error bodies
  `{"type": "error", "error": {"type": ..., "message": ...}}`).
- Ollama API docs (POST /api/chat: `message`, `done`, `done_reason`,
  `prompt_eval_count`, `eval_count`; tool calls in `message.tool_calls`; streaming as
  newline-delimited JSON objects).
- Anthropic structured outputs (`output_config.format` of type `json_schema`: the JSON
  comes back as the text block) on models that have them, the forced tool elsewhere.
What is tested is our code: the request we build (system prompt, tools, max_tokens,
headers without the key leaking into anything we write) and how we parse the answers.
Timeouts use `silent`, a loopback socket that accepts and never answers.
"""

from __future__ import annotations

import json
import time

import pytest

from aie.errors import AuthenticationError, MissingKeyError, ProviderError, ProviderUnavailableError
from aie.llm import chat

FAKE_KEY = "sk-ant-test-0000000000000000000000"
MESSAGES = [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Weather in Paris?"}]
TOOLS = [{"type": "function", "function": {"name": "get_weather", "description": "Weather for a city",
          "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}}}]


def _anthropic_message(content, stop_reason="end_turn", usage=(21, 9)):
    return {"id": "msg_01XFDUDYJgAACzvnptvVoYEL", "type": "message", "role": "assistant",
            "model": "claude-haiku-5-5", "content": content, "stop_reason": stop_reason,
            "stop_sequence": None, "usage": {"input_tokens": usage[0], "output_tokens": usage[1]}}


@pytest.fixture
def anthropic_env(monkeypatch, canned):
    monkeypatch.setenv("AIE_PROVIDER", "anthropic")
    monkeypatch.setenv("ANTHROPIC_API_KEY", FAKE_KEY)
    monkeypatch.setenv("ANTHROPIC_BASE_URL", canned.url)
    monkeypatch.setenv("AIE_MAX_RETRIES", "0")
    return canned


def test_anthropic_text_request_and_parse(anthropic_env):
    anthropic_env.add("POST", "/v1/messages", 200, json=_anthropic_message([{"type": "text", "text": "Sunny, 21°C."}]))
    reply = chat(MESSAGES, max_tokens=50, temperature=0.2)
    sent = anthropic_env.requests[-1].json()
    assert sent["system"] == "Be brief."
    assert sent["messages"] == [{"role": "user", "content": "Weather in Paris?"}]
    assert sent["max_tokens"] == 50
    assert sent["model"] == "claude-haiku-5-5", "the default is a current model (claude-3-5-haiku-latest is retired)"
    assert "seed" not in sent and "temperature" not in sent  # deprecated by the API, removed in SDK 1.0
    headers = anthropic_env.requests[-1].headers
    # SDK 2.x sends the key as a bearer token (older ones as x-api-key)
    assert FAKE_KEY in (headers.get("x-api-key"), headers.get("authorization", "").removeprefix("Bearer "))
    assert reply.text == "Sunny, 21°C." and reply.finish_reason == "stop"
    assert (reply.usage.prompt_tokens, reply.usage.completion_tokens) == (21, 9)
    assert reply.cost == pytest.approx((21 * 0.10 + 9 * 0.50) / 1e6)
    assert "metadata" not in sent, "no user=, no metadata"
    assert FAKE_KEY not in repr(reply.to_dict())


def test_anthropic_sampling_for_older_models_is_opt_in(anthropic_env, monkeypatch):
    monkeypatch.setenv("AIE_ANTHROPIC_SAMPLING", "1")
    anthropic_env.add("POST", "/v1/messages", 200, json=_anthropic_message([{"type": "text", "text": "Sunny."}]))
    chat(MESSAGES, temperature=0.2, model="claude-3-haiku-20240307")
    assert anthropic_env.requests[-1].json()["temperature"] == 0.2


def test_anthropic_tool_use(anthropic_env):
    anthropic_env.add("POST", "/v1/messages", 200, json=_anthropic_message([
            {"type": "text", "text": "Let me check."},
            {"type": "tool_use", "id": "toolu_01A09q90qw90lq917835lq9", "name": "get_weather",
             "input": {"city": "Paris"}}], stop_reason="tool_use"))
    reply = chat(MESSAGES, tools=TOOLS, tool_choice="required")
    sent = anthropic_env.requests[-1].json()
    assert sent["tools"][0]["name"] == "get_weather" and "input_schema" in sent["tools"][0]
    assert sent["tool_choice"] == {"type": "any"}
    assert reply.finish_reason == "tool_calls"
    assert reply.tool_calls[0].name == "get_weather" and reply.tool_calls[0].arguments == {"city": "Paris"}
    assert reply.tool_calls[0].id == "toolu_01A09q90qw90lq917835lq9"


def test_anthropic_tool_results_go_back_as_tool_result_blocks(anthropic_env):
    anthropic_env.add("POST", "/v1/messages", 200, json=_anthropic_message([{"type": "text", "text": "It is sunny."}]))
    history = [*MESSAGES,
               {"role": "assistant", "content": None, "tool_calls": [{"id": "toolu_1", "type": "function",
                "function": {"name": "get_weather", "arguments": "{\"city\": \"Paris\"}"}}]},
               {"role": "tool", "tool_call_id": "toolu_1", "content": "sunny"}]
    chat(history, tools=TOOLS)
    sent = anthropic_env.requests[-1].json()["messages"]
    assert sent[1]["content"][0] == {"type": "tool_use", "id": "toolu_1", "name": "get_weather",
                                     "input": {"city": "Paris"}}
    assert sent[2] == {"role": "user", "content": [{"type": "tool_result", "tool_use_id": "toolu_1",
                                                    "content": "sunny"}]}


def test_anthropic_structured_output_is_native_where_the_model_has_it(anthropic_env):
    """claude-haiku-5-5 takes a strict JSON Schema in output_config.format; the answer is
    the text block. Strict schemas need additionalProperties: false on every object."""
    schema = {"type": "object", "properties": {"city": {"type": "string"},
              "where": {"type": "object", "properties": {"lat": {"type": "number"}}}}, "required": ["city"]}
    anthropic_env.add("POST", "/v1/messages", 200, json=_anthropic_message([{"type": "text",
                      "text": "{\"city\": \"Paris\", \"where\": {\"lat\": 48.9}}"}]))
    reply = chat(MESSAGES, response_format={"type": "json_object", "schema": schema})
    sent = anthropic_env.requests[-1].json()
    fmt = sent["output_config"]["format"]
    assert fmt["type"] == "json_schema"
    assert fmt["schema"]["additionalProperties"] is False
    assert fmt["schema"]["properties"]["where"]["additionalProperties"] is False
    assert fmt["schema"]["properties"]["city"] == {"type": "string"} and fmt["schema"]["required"] == ["city"]
    assert "tools" not in sent and "tool_choice" not in sent, "the native route needs no forced tool"
    assert reply.json() == {"city": "Paris", "where": {"lat": 48.9}} and reply.finish_reason == "stop"


def test_anthropic_native_structured_output_refusal_is_reported(anthropic_env):
    schema = {"type": "object", "properties": {"city": {"type": "string"}}}
    anthropic_env.add("POST", "/v1/messages", 200, json=_anthropic_message([{"type": "text", "text": ""}],
                                                                          stop_reason="refusal"))
    assert chat(MESSAGES, response_format={"type": "json_object", "schema": schema}).finish_reason == "content_filter"


def test_anthropic_structured_output_is_a_forced_tool_on_older_models(anthropic_env):
    schema = {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}
    anthropic_env.add("POST", "/v1/messages", 200, json=_anthropic_message([{"type": "tool_use", "id": "toolu_2", "name": "answer",
                                       "input": {"city": "Paris"}}], stop_reason="tool_use"))
    reply = chat(MESSAGES, model="claude-3-haiku-20240307", response_format={"type": "json_object", "schema": schema})
    sent = anthropic_env.requests[-1].json()
    assert sent["tool_choice"] == {"type": "tool", "name": "answer"}
    assert sent["tools"][0]["input_schema"] == schema
    assert "output_config" not in sent
    assert json.loads(reply.text) == {"city": "Paris"} and reply.finish_reason == "stop"
    assert reply.tool_calls == []


def test_anthropic_user_goes_hashed_into_metadata(anthropic_env):
    anthropic_env.add("POST", "/v1/messages", 200, json=_anthropic_message([{"type": "text", "text": "Hi"}]))
    chat(MESSAGES, user="Alice Martin")
    raw = anthropic_env.requests[-1].body.decode()
    user_id = json.loads(raw)["metadata"]["user_id"]
    assert "Alice" not in raw and "Martin" not in raw, "the raw user name must never be sent"
    assert user_id.startswith("u_") and len(user_id) == 34


def test_anthropic_cache_reads_count_as_cached_prompt_tokens(anthropic_env):
    message = _anthropic_message([{"type": "text", "text": "Hi"}], usage=(100, 10))
    message["usage"].update({"cache_read_input_tokens": 900, "cache_creation_input_tokens": 0})
    anthropic_env.add("POST", "/v1/messages", 200, json=message)
    reply = chat(MESSAGES, model="claude-sonnet-5-5")
    assert (reply.usage.prompt_tokens, reply.usage.cached_tokens) == (1000, 900)
    assert reply.cost == pytest.approx((100 * 2.00 + 900 * 0.20 + 10 * 10.00) / 1e6)


def test_anthropic_length_and_stop_reasons(anthropic_env):
    anthropic_env.add("POST", "/v1/messages", 200, json=_anthropic_message([{"type": "text", "text": "Sunny and"}], stop_reason="max_tokens"))
    assert chat(MESSAGES, max_tokens=3).finish_reason == "length"


def test_anthropic_rejected_key(anthropic_env):
    anthropic_env.add("POST", "/v1/messages", 401, json={"type": "error", "error": {"type": "authentication_error", "message": "invalid x-api-key"}})
    with pytest.raises(AuthenticationError) as err:
        chat(MESSAGES)
    assert "ANTHROPIC_API_KEY" in str(err.value) and "local model" in str(err.value)
    assert FAKE_KEY not in str(err.value)


def test_anthropic_overloaded_is_retried_then_reported(anthropic_env, monkeypatch):
    monkeypatch.setenv("AIE_MAX_RETRIES", "1")
    anthropic_env.add("POST", "/v1/messages", 529, json={"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"}})
    with pytest.raises(ProviderUnavailableError):
        chat(MESSAGES)
    assert anthropic_env.calls == 2  # one retry, with the SDK's backoff


def test_anthropic_streaming(anthropic_env):
    events = [
        ("message_start", {"type": "message_start", "message": _anthropic_message([], stop_reason=None, usage=(21, 1))}),
        ("content_block_start", {"type": "content_block_start", "index": 0, "content_block": {"type": "text", "text": ""}}),
        ("content_block_delta", {"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": "Sunny"}}),
        ("content_block_delta", {"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": ", 21°C."}}),
        ("content_block_stop", {"type": "content_block_stop", "index": 0}),
        ("message_delta", {"type": "message_delta", "delta": {"stop_reason": "end_turn", "stop_sequence": None},
                           "usage": {"output_tokens": 6}}),
        ("message_stop", {"type": "message_stop"}),
    ]
    body = "".join(f"event: {name}\ndata: {json.dumps(data)}\n\n" for name, data in events)
    anthropic_env.add("POST", "/v1/messages", 200, body=body, content_type="text/event-stream")
    stream = chat(MESSAGES, stream=True)
    assert list(stream) == ["Sunny", ", 21°C."]
    assert stream.completion.text == "Sunny, 21°C." and stream.completion.usage.completion_tokens == 6


def test_anthropic_missing_key_names_the_variable(monkeypatch):
    monkeypatch.setenv("AIE_PROVIDER", "anthropic")
    with pytest.raises(MissingKeyError) as err:
        chat(MESSAGES)
    assert "ANTHROPIC_API_KEY" in str(err.value)
    assert "AIE_PROVIDER=local" in str(err.value)


# ------------------------------------------------------------------------- ollama

def _ollama_done(message, done_reason="stop"):
    return {"model": "smollm2:135m", "created_at": "2025-01-01T00:00:00.000000Z", "message": message,
            "done": True, "done_reason": done_reason, "total_duration": 5191566416, "load_duration": 2154458,
            "prompt_eval_count": 26, "prompt_eval_duration": 383809000, "eval_count": 12,
            "eval_duration": 4799921000}


@pytest.fixture
def ollama_env(monkeypatch, canned):
    monkeypatch.setenv("AIE_PROVIDER", "ollama")
    monkeypatch.setenv("OLLAMA_HOST", canned.url)
    monkeypatch.setenv("AIE_MAX_RETRIES", "1")
    return canned


def test_ollama_chat_request_and_parse(ollama_env):
    ollama_env.add("POST", "/api/chat", 200, json=_ollama_done({"role": "assistant", "content": "Sunny."}))
    schema = {"type": "object", "properties": {"w": {"type": "string"}}}
    reply = chat(MESSAGES, max_tokens=40, seed=3, stop=["\n\n"], response_format={"type": "json_object", "schema": schema})
    sent = ollama_env.requests[-1].json()
    assert sent["model"] == "smollm2:135m" and sent["messages"] == MESSAGES
    assert sent["options"]["num_predict"] == 40 and sent["options"]["seed"] == 3
    assert sent["options"]["stop"] == ["\n\n"] and sent["format"] == schema
    assert reply.text == "Sunny." and reply.provider == "ollama"
    assert (reply.usage.prompt_tokens, reply.usage.completion_tokens) == (26, 12)


def test_ollama_tool_calls(ollama_env):
    ollama_env.add("POST", "/api/chat", 200, json=_ollama_done(
        {"role": "assistant", "content": "", "tool_calls": [
            {"function": {"name": "get_weather", "arguments": {"city": "Paris"}}}]}))
    reply = chat(MESSAGES, tools=TOOLS)
    assert ollama_env.requests[-1].json()["tools"][0]["function"]["name"] == "get_weather"
    assert reply.finish_reason == "tool_calls"
    assert reply.tool_calls[0].name == "get_weather" and reply.tool_calls[0].arguments == {"city": "Paris"}


def test_ollama_streaming(ollama_env):
    lines = [{"model": "smollm2:135m", "created_at": "2025-01-01T00:00:00Z",
              "message": {"role": "assistant", "content": piece}, "done": False} for piece in ("Sun", "ny", ".")]
    lines.append(_ollama_done({"role": "assistant", "content": ""}, done_reason="length"))
    body = "\n".join(json.dumps(x) for x in lines) + "\n"
    ollama_env.add("POST", "/api/chat", 200, body=body, content_type="application/x-ndjson")
    stream = chat(MESSAGES, stream=True)
    assert list(stream) == ["Sun", "ny", "."]
    assert stream.completion.finish_reason == "length" and stream.completion.usage.completion_tokens == 12


def test_ollama_5xx_is_retried(ollama_env):
    ollama_env.add("POST", "/api/chat", 503, json={"error": "server busy"})
    ollama_env.add("POST", "/api/chat", 200, json=_ollama_done({"role": "assistant", "content": "Sunny."}))
    assert chat(MESSAGES).text == "Sunny."
    assert ollama_env.calls == 2


def test_ollama_unknown_model_says_pull_it(ollama_env):
    ollama_env.add("POST", "/api/chat", 404, json={"error": "model 'llama9' not found, try pulling it first"})
    with pytest.raises(ProviderError, match="ollama pull"):
        chat(MESSAGES, model="llama9")


def test_ollama_not_running_is_a_clear_error(monkeypatch):
    monkeypatch.setenv("AIE_PROVIDER", "ollama")
    monkeypatch.setenv("OLLAMA_HOST", "http://127.0.0.1:9")
    with pytest.raises(ProviderUnavailableError, match="ollama serve"):
        chat(MESSAGES)


def test_ollama_stream_without_its_done_message_is_incomplete(ollama_env):
    lines = [{"model": "smollm2:135m", "created_at": "2025-01-01T00:00:00Z",
              "message": {"role": "assistant", "content": piece}, "done": False} for piece in ("Sun", "ny")]
    ollama_env.add("POST", "/api/chat", 200, body="\n".join(json.dumps(x) for x in lines) + "\n",
                   content_type="application/x-ndjson")
    stream = chat(MESSAGES, stream=True)
    assert stream.text() == "Sunny"
    assert stream.completion.finish_reason == "incomplete", "a cut stream must not be reported as a clean stop"


def test_ollama_stream_5xx_before_the_first_chunk_is_retried(ollama_env):
    ollama_env.add("POST", "/api/chat", 503, json={"error": "server busy"})
    lines = [{"model": "smollm2:135m", "created_at": "2025-01-01T00:00:00Z",
              "message": {"role": "assistant", "content": "Sunny."}, "done": False},
             _ollama_done({"role": "assistant", "content": ""})]
    ollama_env.add("POST", "/api/chat", 200, body="\n".join(json.dumps(x) for x in lines) + "\n",
                   content_type="application/x-ndjson")
    assert chat(MESSAGES, stream=True).text() == "Sunny."
    assert ollama_env.calls == 2


# ------------------------------------------------------------------- timeouts, embeddings


@pytest.mark.parametrize("provider", ["openai", "anthropic", "ollama"])
def test_timeouts_are_a_setting_retried_then_reported(monkeypatch, silent, provider):
    """AIE_TIMEOUT_S bounds each attempt and AIE_MAX_RETRIES the attempts: 0.3 s x 2 here."""
    url, accepted = silent
    monkeypatch.setenv("AIE_PROVIDER", provider)
    monkeypatch.setenv("AIE_TIMEOUT_S", "0.3")
    monkeypatch.setenv("AIE_MAX_RETRIES", "1")
    monkeypatch.setenv("OPENAI_API_KEY", "fake-openai-key-timeout-0000")
    monkeypatch.setenv("OPENAI_BASE_URL", url + "/v1")
    monkeypatch.setenv("ANTHROPIC_API_KEY", FAKE_KEY)
    monkeypatch.setenv("ANTHROPIC_BASE_URL", url)
    monkeypatch.setenv("OLLAMA_HOST", url)
    start = time.perf_counter()
    with pytest.raises(ProviderUnavailableError, match="AIE_TIMEOUT_S") as err:
        chat(MESSAGES, model={"openai": "gpt-4o-mini", "anthropic": "claude-haiku-5-5", "ollama": "smollm2:135m"}[provider])
    assert time.perf_counter() - start < 15, "two 0.3 s attempts must not take the old 120 s x 4"
    assert len(accepted) == 2, f"one retry after a timeout; the server saw {len(accepted)} connection(s)"
    assert "fake-openai-key" not in str(err.value) and FAKE_KEY not in str(err.value)


def test_the_default_timeout_is_lower_than_before():
    from aie import config

    assert config.timeout_s() == 30.0 and config.max_retries() == 2
    assert config.timeout_s() * (config.max_retries() + 1) < 120 * 4


@pytest.mark.parametrize("name, value", [("AIE_TIMEOUT_S", "soon"), ("AIE_TIMEOUT_S", "0"), ("AIE_TIMEOUT_S", "nan"),
                                         ("AIE_MAX_RETRIES", "-1"), ("AIE_MAX_RETRIES", "two"),
                                         ("AIE_LOCAL_WAIT_S", "inf"), ("AIE_LOCAL_WAIT_S", "0"), ("AIE_LOCAL_WAIT_S", "long"),
                                         ("AIE_LOCAL_THREADS", "0"), ("AIE_LOCAL_THREADS", "many")])
def test_bad_timeout_settings_are_clear_errors(monkeypatch, name, value):
    from aie import config
    from aie.errors import ConfigError

    monkeypatch.setenv(name, value)
    read = {"AIE_TIMEOUT_S": config.timeout_s, "AIE_MAX_RETRIES": config.max_retries,
            "AIE_LOCAL_WAIT_S": config.local_wait_s, "AIE_LOCAL_THREADS": config.local_threads}[name]
    with pytest.raises(ConfigError, match=name):
        read()


def test_every_setting_read_is_listed_with_the_others():
    """Each AIE_* variable the runtime reads is in aie/config.py's list of settings."""
    import re
    from pathlib import Path

    from aie import config

    root = Path(config.__file__).parent
    read = set()
    for path in root.rglob("*.py"):
        read |= set(re.findall(r"""(?:config\.get|_number)\(\s*["'](AIE_[A-Z_]+)["']""", path.read_text()))
    listed = set(re.findall(r"AIE_[A-Z_]+", config.__doc__))
    assert "AIE_LOCAL_WAIT_S" in read, "the scan finds the settings the runtime reads"
    assert read - listed == set(), f"settings the runtime reads but aie/config.py does not list: {sorted(read - listed)}"


def test_openai_embeddings_are_retried_and_typed(monkeypatch, canned):
    from aie.embed import embed

    monkeypatch.setenv("OPENAI_API_KEY", "fake-openai-key-embed-0000")
    monkeypatch.setenv("OPENAI_BASE_URL", canned.url + "/v1")
    monkeypatch.setenv("AIE_MAX_RETRIES", "1")
    canned.add("POST", "/v1/embeddings", 503, json={"error": {"message": "overloaded", "type": "server_error"}})
    canned.add("POST", "/v1/embeddings", 200, json={"object": "list", "model": "text-embedding-3-small",
               "data": [{"object": "embedding", "index": 0, "embedding": [3.0, 4.0]}],
               "usage": {"prompt_tokens": 2, "total_tokens": 2}})
    vectors = embed(["hello"], provider="openai")
    assert canned.calls == 2, "a 503 is retried like a chat call"
    assert vectors.tolist() == [[pytest.approx(0.6), pytest.approx(0.8)]]


def test_ollama_embeddings_are_retried_and_typed(monkeypatch, canned):
    from aie.embed import embed

    monkeypatch.setenv("OLLAMA_HOST", canned.url)
    monkeypatch.setenv("AIE_MAX_RETRIES", "1")
    canned.add("POST", "/api/embed", 503, json={"error": "busy"})
    assert pytest.raises(ProviderUnavailableError, embed, ["hello"], provider="ollama")
    assert canned.calls == 2, "a 503 is retried once, then reported as unavailable"
