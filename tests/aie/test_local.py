"""The local backend: real SmolLM2-135M-Instruct on llama.cpp, in process, offline."""

from __future__ import annotations

import json

import pytest

from aie.errors import LocalModelError
from aie.llm import chat, count_tokens

PARIS = [{"role": "user", "content": "What is the capital of France?"}]
PERSON = {
    "type": "object",
    "properties": {
        "name": {"type": "string", "maxLength": 40},
        "age": {"type": "integer", "minimum": 0, "maximum": 130},
        "city": {"type": "string", "maxLength": 40},
    },
    "required": ["name", "age", "city"],
}
PEOPLE = [
    "Maria is 34 years old and lives in Lisbon.",
    "Tom, aged 51, moved to Oslo last year.",
    "In Nairobi lives Wanjiru, who is 28.",
    "Kenji (62) runs a bakery in Osaka.",
    "Ana Lucia is 19 and studies in Bogota.",
    "Pierre, 45, works from Lyon.",
    "Our new hire Priya is 31; she is based in Pune.",
    "Lars is 70 and retired to Bergen.",
    "Fatima, 23, lives in Casablanca.",
    "Sam is a 38-year-old nurse in Denver.",
]


def test_answers_a_simple_fact():
    reply = chat(PARIS, max_tokens=24)
    assert "paris" in reply.text.lower()
    assert reply.provider == "local" and reply.model == "smollm2-135m-instruct"
    assert reply.finish_reason == "stop"
    assert reply.cost == 0.0 and reply.latency > 0


def test_same_call_twice_gives_the_same_text():
    prompt = [{"role": "user", "content": "Write one sentence about the sea."}]
    a = chat(prompt, max_tokens=30)
    chat([{"role": "user", "content": "Something else entirely, to fill the cache."}], max_tokens=10)
    b = chat(prompt, max_tokens=30)
    assert a.text == b.text


def test_seed_is_honoured_when_sampling():
    prompt = [{"role": "user", "content": "Invent a name for a cat."}]
    a = chat(prompt, temperature=1.0, seed=11, max_tokens=12)
    b = chat(prompt, temperature=1.0, seed=11, max_tokens=12)
    assert a.text == b.text
    others = {chat(prompt, temperature=1.0, seed=s, max_tokens=12).text for s in range(4)}
    assert len(others) > 1


def test_streamed_chunks_join_to_the_non_streamed_text():
    whole = chat(PARIS, max_tokens=24)
    stream = chat(PARIS, max_tokens=24, stream=True)
    chunks = list(stream)
    assert len(chunks) > 2
    assert "".join(chunks) == whole.text
    assert stream.completion.text == whole.text
    assert stream.completion.usage.prompt_tokens == whole.usage.prompt_tokens
    assert stream.completion.finish_reason == whole.finish_reason


def test_usage_equals_count_tokens():
    messages = [{"role": "system", "content": "You answer briefly."}, *PARIS]
    reply = chat(messages, max_tokens=16)
    assert reply.usage.prompt_tokens == count_tokens(messages, "smollm2-135m-instruct")
    assert reply.usage.prompt_tokens == count_tokens(PARIS, "smollm2-135m-instruct") + count_tokens(
        "You answer briefly.", "smollm2-135m-instruct") - count_tokens("You are a helpful assistant.",
                                                                     "smollm2-135m-instruct")


def test_max_tokens_cuts_with_finish_reason_length():
    reply = chat([{"role": "user", "content": "Count from 1 to 100."}], max_tokens=6)
    assert reply.finish_reason == "length"
    assert reply.usage.completion_tokens == 6


def test_ten_schema_constrained_extractions_are_all_valid():
    right = 0
    for text in PEOPLE:
        reply = chat([{"role": "user", "content": f"Extract the person's name, age and city as JSON.\n{text}"}],
                     response_format={"type": "json_object", "schema": PERSON}, max_tokens=80)
        data = json.loads(reply.text)
        assert set(data) == {"name", "age", "city"}
        assert isinstance(data["name"], str) and isinstance(data["age"], int) and isinstance(data["city"], str)
        right += str(data["age"]) in text
    assert right >= 7, f"ages right on {right}/10 (measured: 10/10)"


def test_pydantic_model_as_response_format():
    from pydantic import BaseModel

    class City(BaseModel):
        city: str
        country: str

    reply = chat([{"role": "user", "content": "Paris is in which country? Answer as JSON."}],
                 response_format=City, max_tokens=40)
    City.model_validate_json(reply.text)


def test_tool_calls_by_constrained_json():
    tools = [{"type": "function", "function": {
        "name": "get_weather", "description": "Current weather for a city",
        "parameters": {"type": "object", "properties": {"city": {"type": "string", "maxLength": 40}},
                       "required": ["city"]}}},
        {"name": "add", "description": "Add two numbers",
         "parameters": {"type": "object", "properties": {"a": {"type": "number"}, "b": {"type": "number"}},
                        "required": ["a", "b"]}}]
    reply = chat([{"role": "user", "content": "What's the weather in Paris?"}], tools=tools,
                 tool_choice="get_weather", max_tokens=40)
    assert reply.finish_reason == "tool_calls"
    assert [c.name for c in reply.tool_calls] == ["get_weather"]
    assert "paris" in reply.tool_calls[0].arguments["city"].lower()
    free = chat([{"role": "user", "content": "Add 2 and 3."}], tools=tools, tool_choice="required", max_tokens=40)
    assert free.tool_calls and free.tool_calls[0].name in {"get_weather", "add"}


def test_a_missing_custom_gguf_is_a_clear_error(monkeypatch, tmp_path):
    monkeypatch.setenv("AIE_LOCAL_MODEL", str(tmp_path / "nope.gguf"))
    with pytest.raises(LocalModelError, match="AIE_LOCAL_MODEL"):
        chat(PARIS)


@pytest.mark.parametrize("messages, match", [
    ([], "non-empty list"),
    ([{"role": "wizard", "content": "hi"}], "role"),
    ([{"role": "user", "content": 42}], "content"),
    ("hello", "list"),
])
def test_bad_messages_are_rejected(messages, match):
    with pytest.raises(ValueError, match=match):
        chat(messages)


@pytest.mark.parametrize("kwargs", [{"max_tokens": 0}, {"temperature": 3.0}, {"top_p": 0.0},
                                    {"response_format": {"type": "xml"}}])
def test_bad_parameters_are_rejected(kwargs):
    with pytest.raises(ValueError):
        chat(PARIS, **kwargs)
