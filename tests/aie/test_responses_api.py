"""The openai backend's Responses API path (AIE_OPENAI_API=responses) and what the
openai backend sends for `user=`, against OpenAI's documented response shapes.

No OpenAI key exists here, so the canned HTTP server on 127.0.0.1 (`canned`, in
conftest.py) stands in for api.openai.com: the real `openai` SDK sends real requests to it.
The bodies follow OpenAI's API reference for POST /v1/responses: a `response` object with
`status` (completed | incomplete, `incomplete_details.reason`), `output` items (`message`
with `output_text` / `refusal` parts, `function_call` with `call_id`, `name`, JSON
`arguments`, and `reasoning`), and `usage` (`input_tokens`, `input_tokens_details.
cached_tokens`, `output_tokens`, `output_tokens_details.reasoning_tokens`). Streaming is
server-sent events typed `response.created`, `response.output_text.delta`, ...,
`response.completed` (no `[DONE]`). What is tested is our code: the request we build and
the `Completion` we make of the answer.
"""

from __future__ import annotations

import json

import pytest

from aie.errors import ConfigError, ProviderError
from aie.llm import chat

FAKE_KEY = "fake-openai-key-for-tests-0000"  # not shaped like a real key
MESSAGES = [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Weather in Paris?"}]
TOOLS = [{"type": "function", "function": {"name": "get_weather", "description": "Weather for a city",
          "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}}}]


def _response(output, status="completed", usage=(36, 87, 0, 0), incomplete=None, model="gpt-4o-mini-2024-07-18"):
    return {
        "id": "resp_67ccd2bed1ec8190b14f964abc0542670bb6a6b452d3795b", "object": "response",
        "created_at": 1741476542, "status": status, "error": None,
        "incomplete_details": {"reason": incomplete} if incomplete else None,
        "instructions": None, "max_output_tokens": None, "model": model, "output": output,
        "parallel_tool_calls": True, "previous_response_id": None,
        "reasoning": {"effort": None, "summary": None}, "store": False, "temperature": 0.0,
        "text": {"format": {"type": "text"}}, "tool_choice": "auto", "tools": [], "top_p": 1.0,
        "truncation": "disabled",
        "usage": {"input_tokens": usage[0], "input_tokens_details": {"cached_tokens": usage[2]},
                  "output_tokens": usage[1], "output_tokens_details": {"reasoning_tokens": usage[3]},
                  "total_tokens": usage[0] + usage[1]},
        "user": None, "metadata": {},
    }


def _message(text, kind="output_text"):
    part = {"type": "output_text", "text": text, "annotations": []} if kind == "output_text" \
        else {"type": "refusal", "refusal": text}
    return {"type": "message", "id": "msg_67ccd2bf17f0819081ff3bb2cf6508e60bb6a6b452d3795b",
            "status": "completed", "role": "assistant", "content": [part]}


@pytest.fixture
def openai_env(monkeypatch, canned):
    monkeypatch.setenv("AIE_PROVIDER", "openai")
    monkeypatch.setenv("OPENAI_API_KEY", FAKE_KEY)
    monkeypatch.setenv("OPENAI_BASE_URL", canned.url + "/v1")
    monkeypatch.setenv("AIE_OPENAI_API", "responses")
    monkeypatch.setenv("AIE_MAX_RETRIES", "0")
    return canned


def test_text_request_and_parse(openai_env):
    openai_env.add("POST", "/v1/responses", 200, json=_response([_message("Sunny, 21°C.")], usage=(36, 9, 0, 0)))
    reply = chat(MESSAGES, model="gpt-4o-mini", max_tokens=50, temperature=0.2)
    assert openai_env.requests[-1].path == "/v1/responses", "AIE_OPENAI_API=responses must call /v1/responses"
    sent = openai_env.requests[-1].json()
    assert sent["input"] == MESSAGES, "chat messages go to the Responses API as `input` items"
    assert sent["max_output_tokens"] == 50 and "max_tokens" not in sent
    assert sent["temperature"] == 0.2 and sent["store"] is False
    assert "seed" not in sent, "the Responses API has no seed"
    assert reply.text == "Sunny, 21°C." and reply.finish_reason == "stop" and reply.provider == "openai"
    assert (reply.usage.prompt_tokens, reply.usage.completion_tokens) == (36, 9)
    assert reply.cost == pytest.approx((36 * 0.15 + 9 * 0.60) / 1e6)


def test_reasoning_and_cached_tokens_are_mapped_and_priced(openai_env):
    """gpt-6-luna: 1,000 input tokens of which 600 cached, 300 output of which 250 reasoning.
    Reasoning tokens are billed as output, cached ones at the cached-input price."""
    output = [{"type": "reasoning", "id": "rs_1", "summary": []}, _message("42")]
    openai_env.add("POST", "/v1/responses", 200, json=_response(output, usage=(1000, 300, 600, 250), model="gpt-6-luna"))
    reply = chat(MESSAGES, model="gpt-6-luna")
    sent = openai_env.requests[-1].json()
    assert "temperature" not in sent and "top_p" not in sent, "reasoning models get no sampling settings"
    u = reply.usage
    assert (u.prompt_tokens, u.completion_tokens, u.cached_tokens, u.reasoning_tokens) == (1000, 300, 600, 250)
    assert reply.text == "42", "reasoning items carry no answer text"
    assert reply.cost == pytest.approx((400 * 0.10 + 600 * 0.01 + 300 * 0.50) / 1e6)


def test_tool_calls_and_tool_results(openai_env):
    openai_env.add("POST", "/v1/responses", 200, json=_response([
        {"type": "function_call", "id": "fc_12345xyz", "call_id": "call_12345xyz", "name": "get_weather",
         "arguments": "{\"city\":\"Paris\"}", "status": "completed"}]))
    history = [*MESSAGES,
               {"role": "assistant", "content": None, "tool_calls": [{"id": "call_1", "type": "function",
                "function": {"name": "get_weather", "arguments": "{\"city\": \"Lyon\"}"}}]},
               {"role": "tool", "tool_call_id": "call_1", "content": "rain"}]
    reply = chat(history, model="gpt-4o-mini", tools=TOOLS, tool_choice="get_weather")
    sent = openai_env.requests[-1].json()
    assert sent["tools"] == [{"type": "function", "name": "get_weather", "description": "Weather for a city",
                              "parameters": TOOLS[0]["function"]["parameters"]}], "Responses tools are flat"
    assert sent["tool_choice"] == {"type": "function", "name": "get_weather"}
    assert sent["input"][2] == {"type": "function_call", "call_id": "call_1", "name": "get_weather",
                                "arguments": "{\"city\": \"Lyon\"}"}
    assert sent["input"][3] == {"type": "function_call_output", "call_id": "call_1", "output": "rain"}
    assert reply.finish_reason == "tool_calls"
    assert reply.tool_calls[0].name == "get_weather" and reply.tool_calls[0].arguments == {"city": "Paris"}
    assert reply.tool_calls[0].id == "call_12345xyz", "the id to answer with is the call_id"


def test_structured_output_uses_text_format(openai_env):
    schema = {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}
    openai_env.add("POST", "/v1/responses", 200, json=_response([_message("{\"city\": \"Paris\"}")]))
    reply = chat(MESSAGES, model="gpt-4o-mini", response_format={"type": "json_object", "schema": schema})
    sent = openai_env.requests[-1].json()
    assert sent["text"] == {"format": {"type": "json_schema", "name": "answer", "schema": schema}}
    assert reply.json() == {"city": "Paris"}


@pytest.mark.parametrize("reason, expected", [("max_output_tokens", "length"), ("content_filter", "content_filter")])
def test_incomplete_responses_say_why(openai_env, reason, expected):
    openai_env.add("POST", "/v1/responses", 200, json=_response([_message("Sunny and")], status="incomplete",
                                                                incomplete=reason))
    assert chat(MESSAGES, model="gpt-4o-mini", max_tokens=3).finish_reason == expected


def test_a_refusal_is_not_a_clean_stop(openai_env):
    openai_env.add("POST", "/v1/responses", 200, json=_response([_message("I can't help with that.", "refusal")]))
    assert chat(MESSAGES, model="gpt-4o-mini").finish_reason == "content_filter"


def test_stop_sequences_go_to_chat_completions(openai_env):
    """The Responses API has no `stop`: a call that needs one is sent to Chat Completions."""
    body = {"id": "chatcmpl-1", "object": "chat.completion", "created": 1, "model": "gpt-4o-mini",
            "choices": [{"index": 0, "message": {"role": "assistant", "content": "Sunny"}, "finish_reason": "stop"}],
            "usage": {"prompt_tokens": 20, "completion_tokens": 2, "total_tokens": 22}}
    openai_env.add("POST", "/v1/chat/completions", 200, json=body)
    assert chat(MESSAGES, model="gpt-4o-mini", stop=["."]).text == "Sunny"
    assert openai_env.requests[-1].path == "/v1/chat/completions"
    assert openai_env.requests[-1].json()["stop"] == ["."]


def _sse(events) -> str:
    return "".join(f"event: {e['type']}\ndata: {json.dumps(e)}\n\n" for e in events)


def _stream_events(final, deltas=("Sun", "ny.")):
    item = _message("")
    events = [{"type": "response.created", "sequence_number": 0, "response": {**final, "status": "in_progress",
                                                                               "output": [], "usage": None}},
              {"type": "response.in_progress", "sequence_number": 1, "response": {**final, "status": "in_progress",
                                                                                   "output": [], "usage": None}},
              {"type": "response.output_item.added", "sequence_number": 2, "output_index": 0,
               "item": {**item, "status": "in_progress", "content": []}},
              {"type": "response.content_part.added", "sequence_number": 3, "item_id": item["id"], "output_index": 0,
               "content_index": 0, "part": {"type": "output_text", "text": "", "annotations": []}}]
    for i, d in enumerate(deltas):
        events.append({"type": "response.output_text.delta", "sequence_number": 4 + i, "item_id": item["id"],
                       "output_index": 0, "content_index": 0, "delta": d, "logprobs": []})
    return events


def test_streaming_yields_text_deltas_and_ends_with_usage(openai_env):
    final = _response([_message("Sunny.")], usage=(36, 3, 0, 0))
    events = _stream_events(final) + [
        {"type": "response.output_text.done", "sequence_number": 6, "item_id": "msg_x", "output_index": 0,
         "content_index": 0, "text": "Sunny.", "logprobs": []},
        {"type": "response.completed", "sequence_number": 7, "response": final}]
    openai_env.add("POST", "/v1/responses", 200, body=_sse(events), content_type="text/event-stream")
    stream = chat(MESSAGES, model="gpt-4o-mini", stream=True)
    assert list(stream) == ["Sun", "ny."]
    assert openai_env.requests[-1].json()["stream"] is True
    c = stream.completion
    assert c.text == "Sunny." and c.finish_reason == "stop" and c.usage.completion_tokens == 3


def test_a_stream_cut_before_its_final_event_is_incomplete_not_stop(openai_env):
    final = _response([_message("Sunny.")])
    openai_env.add("POST", "/v1/responses", 200, body=_sse(_stream_events(final)), content_type="text/event-stream")
    stream = chat(MESSAGES, model="gpt-4o-mini", stream=True)
    assert list(stream) == ["Sun", "ny."]
    assert stream.completion.finish_reason == "incomplete", \
        "a stream that never said it completed must not be reported as a clean stop"


def test_a_streamed_incomplete_response_reports_length(openai_env):
    final = _response([_message("Sunny.")], status="incomplete", incomplete="max_output_tokens")
    events = _stream_events(final) + [{"type": "response.incomplete", "sequence_number": 9, "response": final}]
    openai_env.add("POST", "/v1/responses", 200, body=_sse(events), content_type="text/event-stream")
    stream = chat(MESSAGES, model="gpt-4o-mini", stream=True)
    stream.text()
    assert stream.completion.finish_reason == "length"


def test_a_failed_streamed_response_raises(openai_env):
    final = {**_response([]), "status": "failed", "error": {"code": "server_error", "message": "The model failed."}}
    events = _stream_events(final, deltas=()) + [{"type": "response.failed", "sequence_number": 5, "response": final}]
    openai_env.add("POST", "/v1/responses", 200, body=_sse(events), content_type="text/event-stream")
    with pytest.raises(ProviderError, match="server_error"):
        chat(MESSAGES, model="gpt-4o-mini", stream=True).text()


def test_the_api_setting_is_checked(openai_env, monkeypatch):
    monkeypatch.setenv("AIE_OPENAI_API", "assistants")
    with pytest.raises(ConfigError, match="AIE_OPENAI_API") as err:
        chat(MESSAGES, model="gpt-4o-mini")
    assert "responses" in str(err.value) and "chat" in str(err.value)
    assert openai_env.calls == 0


def test_other_servers_default_to_chat_completions(openai_env, monkeypatch):
    """Unset, AIE_OPENAI_API means Responses on api.openai.com only: llama.cpp's server, vLLM
    and Ollama's /v1 speak Chat Completions."""
    monkeypatch.delenv("AIE_OPENAI_API")
    body = {"id": "chatcmpl-1", "object": "chat.completion", "created": 1, "model": "gpt-4o-mini",
            "choices": [{"index": 0, "message": {"role": "assistant", "content": "Hi"}, "finish_reason": "stop"}],
            "usage": {"prompt_tokens": 5, "completion_tokens": 1, "total_tokens": 6}}
    openai_env.add("POST", "/v1/chat/completions", 200, json=body)
    chat(MESSAGES, model="gpt-4o-mini")
    assert openai_env.requests[-1].path == "/v1/chat/completions"


# --------------------------------------------------------------------------- user=

@pytest.mark.parametrize("api, path", [("responses", "/v1/responses"), ("chat", "/v1/chat/completions")])
def test_user_is_sent_hashed_as_safety_identifier(openai_env, monkeypatch, api, path):
    monkeypatch.setenv("AIE_OPENAI_API", api)
    chat_body = {"id": "chatcmpl-1", "object": "chat.completion", "created": 1, "model": "gpt-4o-mini",
                 "choices": [{"index": 0, "message": {"role": "assistant", "content": "Hi"}, "finish_reason": "stop"}],
                 "usage": {"prompt_tokens": 5, "completion_tokens": 1, "total_tokens": 6}}
    openai_env.add("POST", path, 200, json=_response([_message("Hi")]) if api == "responses" else chat_body)
    chat(MESSAGES, model="gpt-4o-mini", user="alice@example.com")
    raw = openai_env.requests[-1].body.decode()
    sent = json.loads(raw)["safety_identifier"]
    assert "alice" not in raw and "example.com" not in raw, "the raw user name must never be sent"
    assert sent.startswith("u_") and len(sent) == 34 and len(sent) <= 64, "OpenAI allows at most 64 characters"
    chat(MESSAGES, model="gpt-4o-mini", user="alice@example.com")
    assert json.loads(openai_env.requests[-1].body)["safety_identifier"] == sent, "the same user, the same id"
    chat(MESSAGES, model="gpt-4o-mini", user="bob@example.com")
    assert json.loads(openai_env.requests[-1].body)["safety_identifier"] != sent, "another user, another id"
    chat(MESSAGES, model="gpt-4o-mini")
    assert "safety_identifier" not in json.loads(openai_env.requests[-1].body), "no user, no id"


@pytest.mark.parametrize("bad", ["", "   ", 42])
def test_a_bad_user_is_a_clear_error(openai_env, bad):
    with pytest.raises(ValueError, match="user"):
        chat(MESSAGES, model="gpt-4o-mini", user=bad)
    assert openai_env.calls == 0


def test_reasoning_models_on_chat_completions_get_max_completion_tokens(openai_env, monkeypatch):
    """On Chat Completions an OpenAI reasoning model takes max_completion_tokens (its hidden
    reasoning counts against it) and no temperature/top_p; other models keep max_tokens."""
    monkeypatch.setenv("AIE_OPENAI_API", "chat")
    body = {"id": "chatcmpl-1", "object": "chat.completion", "created": 1, "model": "gpt-6-luna",
            "choices": [{"index": 0, "message": {"role": "assistant", "content": "42"}, "finish_reason": "stop"}],
            "usage": {"prompt_tokens": 20, "completion_tokens": 130, "total_tokens": 150,
                      "prompt_tokens_details": {"cached_tokens": 0},
                      "completion_tokens_details": {"reasoning_tokens": 128}}}
    openai_env.add("POST", "/v1/chat/completions", 200, json=body)
    reply = chat(MESSAGES, model="gpt-6-luna", max_tokens=500, temperature=0.3)
    sent = openai_env.requests[-1].json()
    assert sent["max_completion_tokens"] == 500 and "max_tokens" not in sent
    assert "temperature" not in sent and "top_p" not in sent
    assert (reply.usage.completion_tokens, reply.usage.reasoning_tokens) == (130, 128)
    chat(MESSAGES, model="gpt-4o-mini", max_tokens=500, temperature=0.3)
    sent = openai_env.requests[-1].json()
    assert sent["max_tokens"] == 500 and sent["temperature"] == 0.3 and "max_completion_tokens" not in sent
