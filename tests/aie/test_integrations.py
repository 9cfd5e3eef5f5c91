"""The LangChain and LlamaIndex adapters (aie/integrations/) on the real local models.

Small prompts, temperature 0, the packaged SmolLM2-135M and MiniLM: every call here is a
real llama.cpp / sentence-transformers call, offline. The tests assert the contract of the
adapters (message shapes, tool calls that name a bound tool with schema-valid arguments,
parsed structured output, usage, streaming), never the model's prose. A spy on
`aie.llm.chat` (it calls through to the real function) checks that tool calls and structured
output go through aie's schema-constrained path.
"""

from __future__ import annotations

import json

import numpy as np
import pytest
from langchain_core.messages import (
    AIMessage,
    FunctionMessage,
    HumanMessage,
    SystemMessage,
    ToolMessage,
)
from langchain_core.tools import tool
from pydantic import BaseModel, Field

from aie import llm
from aie.integrations import langchain as lc
from aie.integrations import llamaindex as li


@tool
def get_weather(city: str) -> str:
    """The current weather in a city."""
    return f"Sunny in {city}"


@tool
def add(a: int, b: int) -> int:
    """Add two integers."""
    return a + b


class Person(BaseModel):
    name: str = Field(max_length=20)  # bounded: a reply that cannot end is never valid JSON
    born: int


PERSON_SCHEMA = {
    "type": "object",
    "properties": {"name": {"type": "string", "maxLength": 20}, "born": {"type": "integer"}},
    "required": ["name", "born"],
}


@pytest.fixture
def spy(monkeypatch):
    """Records the keyword arguments of every aie.llm.chat call, then calls the real one."""
    calls = []
    real = llm.chat

    def recording(messages, **kwargs):
        calls.append({"messages": messages, **kwargs})
        return real(messages, **kwargs)

    monkeypatch.setattr(llm, "chat", recording)
    return calls


@pytest.fixture(scope="module")
def model():
    return lc.chat_model(max_tokens=96)


# --- LangChain chat model ----------------------------------------------------------------------


def test_invoke_returns_an_ai_message_with_usage_and_metadata(model):
    reply = model.invoke([SystemMessage("Answer in a few words."), HumanMessage("What is the capital of France?")])
    assert isinstance(reply, AIMessage) and reply.content.strip(), "invoke should return a non-empty AIMessage"
    usage = reply.usage_metadata
    assert usage["input_tokens"] > 0 and usage["output_tokens"] > 0, f"usage should count both sides: {usage}"
    assert usage["total_tokens"] == usage["input_tokens"] + usage["output_tokens"], "total = input + output"
    meta = reply.response_metadata
    assert meta["provider"] == "local" and meta["finish_reason"] in ("stop", "length"), meta
    assert reply.tool_calls == [], "no tools bound: no tool calls"


def test_the_same_call_twice_gives_the_same_text(model):
    question = [HumanMessage("Name one primary colour.")]
    assert model.invoke(question).content == model.invoke(question).content, \
        "temperature 0 and a fixed seed should make the adapter repeatable"


def test_stream_yields_every_chunk_of_the_answer(model, monkeypatch):
    streams = []
    real = llm.chat

    def keep(messages, **kwargs):
        streams.append(real(messages, **kwargs))
        return streams[-1]

    monkeypatch.setattr(llm, "chat", keep)
    chunks = list(model.stream([HumanMessage("Give one tip for writing clear emails.")]))
    text_chunks = [c for c in chunks if c.content]
    assert len(text_chunks) > 1, "streaming should yield the answer in several chunks, not one"
    assert isinstance(streams[0], llm.Stream), "stream() should call aie.llm.chat(stream=True)"
    joined = "".join(c.content for c in chunks)
    assert joined and joined == streams[0].completion.text, "the streamed chunks should join to the whole answer"
    total = chunks[0]
    for c in chunks[1:]:
        total = total + c
    assert total.usage_metadata and total.usage_metadata["output_tokens"] > 0, "a stream should end with its usage"
    assert total.response_metadata.get("finish_reason") in ("stop", "length")


def test_bind_tools_with_a_named_tool_returns_a_schema_valid_tool_call(model, spy):
    bound = model.bind_tools([get_weather, add], tool_choice="get_weather")
    reply = bound.invoke("What is the weather in Oslo?")
    assert len(reply.tool_calls) == 1, f"a named tool_choice should give exactly one tool call, got {reply.tool_calls}"
    call = reply.tool_calls[0]
    assert call["name"] == "get_weather" and call["type"] == "tool_call" and call["id"], call
    assert set(call["args"]) == {"city"} and isinstance(call["args"]["city"], str), \
        f"the arguments should match get_weather's schema, got {call['args']}"
    sent = spy[-1]
    assert [t["function"]["name"] for t in sent["tools"]] == ["get_weather", "add"], "both tools should be sent"
    assert sent["tool_choice"] == "get_weather", "the named tool_choice should reach aie.llm.chat"
    assert reply.response_metadata["finish_reason"] == "tool_calls"


def test_bind_tools_with_any_must_call_one_of_the_tools(model, spy):
    reply = model.bind_tools([get_weather, add], tool_choice="any").invoke("Add 2 and 3.")
    assert len(reply.tool_calls) == 1, f"tool_choice='any' should force one tool call, got {reply.tool_calls}"
    call = reply.tool_calls[0]
    expected = {"get_weather": {"city": str}, "add": {"a": int, "b": int}}
    assert call["name"] in expected, f"the call should name a bound tool, got {call['name']!r}"
    assert {k: type(v) for k, v in call["args"].items()} == expected[call["name"]], \
        f"the arguments should match {call['name']}'s schema, got {call['args']}"
    assert spy[-1]["tool_choice"] == "required", "LangChain's 'any' is aie's 'required'"


def test_a_tool_result_goes_back_to_the_model_in_openai_shape(model):
    call = {"name": "get_weather", "args": {"city": "Oslo"}, "id": "call_7", "type": "tool_call"}
    history = [HumanMessage("Weather in Oslo?"), AIMessage(content="", tool_calls=[call]),
               ToolMessage(content=get_weather.invoke({"city": "Oslo"}), tool_call_id="call_7")]
    sent = lc.to_aie_messages(history)
    assert sent[1] == {"role": "assistant", "content": None, "tool_calls": [
        {"id": "call_7", "type": "function", "function": {"name": "get_weather", "arguments": '{"city": "Oslo"}'}}]}
    assert sent[2] == {"role": "tool", "content": "Sunny in Oslo", "tool_call_id": "call_7"}
    reply = model.invoke(history)
    assert isinstance(reply.content, str) and reply.tool_calls == [], "after the tool result, a plain answer"


def test_streaming_with_tools_bound_carries_the_tool_call(model):
    chunks = list(model.bind_tools([get_weather], tool_choice="get_weather").stream("Weather in Rome?"))
    total = chunks[0]
    for c in chunks[1:]:
        total = total + c
    assert [c["name"] for c in total.tool_calls] == ["get_weather"], f"the streamed reply should carry the call: {total}"
    assert isinstance(total.tool_calls[0]["args"].get("city"), str)


def test_with_structured_output_returns_a_pydantic_instance_through_the_schema(model, spy):
    person = model.with_structured_output(Person).invoke("Ada Lovelace was born in 1815. Who is this?")
    assert isinstance(person, Person), f"a pydantic schema should give a {Person.__name__}, got {person!r}"
    sent = spy[-1]["response_format"]
    assert sent == {"type": "json_object", "schema": Person.model_json_schema()}, \
        "structured output should be a schema-constrained response_format, not a tool call"
    assert not spy[-1].get("tools"), "the json_schema method sends no tools"


def test_with_structured_output_from_a_json_schema_returns_a_dict(model):
    out = model.with_structured_output(PERSON_SCHEMA).invoke("Alan Turing was born in 1912.")
    assert isinstance(out, dict) and set(out) == {"name", "born"}, f"a JSON Schema should give a dict, got {out!r}"
    assert isinstance(out["name"], str) and isinstance(out["born"], int)


def test_with_structured_output_include_raw_keeps_the_message(model):
    out = model.with_structured_output(Person, include_raw=True).invoke("Grace Hopper was born in 1906.")
    assert set(out) == {"raw", "parsed", "parsing_error"}
    assert isinstance(out["raw"], AIMessage) and out["parsing_error"] is None
    assert isinstance(out["parsed"], Person)
    assert Person.model_validate_json(out["raw"].content) == out["parsed"], "parsed should be the raw text, validated"


def test_with_structured_output_by_function_calling_uses_a_forced_tool(model, spy):
    person = model.with_structured_output(Person, method="function_calling").invoke("Marie Curie was born in 1867.")
    assert isinstance(person, Person), f"the function_calling method should also give a Person, got {person!r}"
    assert spy[-1]["tool_choice"] == "required" and spy[-1]["tools"][0]["function"]["name"] == "Person"


@pytest.mark.parametrize("make, message", [
    (lambda m: m.bind_tools([]), "tools"),
    (lambda m: m.bind_tools([add], tool_choice="multiply"), "tool_choice"),
    (lambda m: m.with_structured_output(42), "schema"),
    (lambda m: m.with_structured_output(Person, method="xml"), "method"),
    (lambda m: lc.chat_model(max_tokens=0), "max_tokens"),
])
def test_bad_input_names_the_argument(model, make, message):
    with pytest.raises(ValueError, match=message):
        make(model)


def test_an_unsupported_message_type_is_a_clear_error(model):
    with pytest.raises(TypeError, match=r"messages\[0\]"):
        model.invoke([FunctionMessage(content="x", name="f")])


# --- LangChain embeddings ----------------------------------------------------------------------


def test_langchain_embeddings_are_the_local_minilm_vectors():
    emb = lc.embeddings()
    docs = emb.embed_documents(["I was charged twice.", "Please refund my payment.", "Bake bread at home."])
    assert len(docs) == 3 and all(len(v) == 384 for v in docs), "three 384-d vectors"
    query = emb.embed_query("I was charged twice.")
    assert np.allclose(query, docs[0], atol=1e-5), "a query and the same document text embed the same"
    sims = np.array(docs) @ np.array(query)
    assert sims[1] > sims[2], "a paraphrase should be closer than an unrelated text"
    with pytest.raises(TypeError, match="text"):
        emb.embed_query(["not", "a", "string"])


# --- LlamaIndex --------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def index_llm():
    return li.llm(max_tokens=96)


def test_llamaindex_complete_and_chat_carry_text_and_usage(index_llm):
    from llama_index.core.base.llms.types import ChatMessage

    done = index_llm.complete("What is the capital of France?")
    assert done.text.strip(), "complete should return text"
    assert done.additional_kwargs["prompt_tokens"] > 0 and done.additional_kwargs["completion_tokens"] > 0
    reply = index_llm.chat([ChatMessage(role="system", content="Answer briefly."),
                            ChatMessage(role="user", content="What is the capital of France?")])
    assert reply.message.role.value == "assistant" and reply.message.content.strip()
    assert reply.raw["provider"] == "local", "raw holds the whole aie Completion"


def test_llamaindex_streams_deltas_that_join_to_the_text(index_llm):
    parts = list(index_llm.stream_complete("Give one tip for writing clear emails."))
    deltas = [p.delta for p in parts if p.delta]
    assert len(deltas) > 1, "stream_complete should yield several deltas"
    assert "".join(deltas) == parts[-1].text, "the deltas should add up to the final text"
    assert parts[-1].additional_kwargs["completion_tokens"] > 0, "the last response carries the usage"


def test_llamaindex_chat_with_tools_returns_a_tool_selection(index_llm, spy):
    from llama_index.core.tools import FunctionTool

    def get_weather_fn(city: str) -> str:
        """The current weather in a city."""
        return f"Sunny in {city}"

    weather = FunctionTool.from_defaults(get_weather_fn)
    response = index_llm.chat_with_tools([weather], user_msg="What is the weather in Oslo?", tool_required=True)
    calls = index_llm.get_tool_calls_from_response(response)
    assert [c.tool_name for c in calls] == ["get_weather_fn"], f"one call to the bound tool, got {calls}"
    assert isinstance(calls[0].tool_kwargs.get("city"), str), f"arguments should match the schema: {calls[0]}"
    assert spy[-1]["tool_choice"] == "required", "tool_required=True should force a call"


def test_llamaindex_structured_predict_gives_a_pydantic_instance(index_llm):
    from llama_index.core.prompts import PromptTemplate

    person = index_llm.structured_predict(Person, PromptTemplate("Extract the person: {text}"),
                                          text="Ada Lovelace was born in 1815.")
    assert isinstance(person, Person), f"structured_predict should give a Person, got {person!r}"


def test_llamaindex_without_a_tool_call_says_so(index_llm):
    from llama_index.core.base.llms.types import ChatMessage, ChatResponse

    with pytest.raises(ValueError, match="without a tool call"):
        index_llm.get_tool_calls_from_response(ChatResponse(message=ChatMessage(role="assistant", content="hi")))
    with pytest.raises(ValueError, match="max_tokens"):
        li.llm(max_tokens=-1)


def test_llamaindex_embedding_matches_aie_embed():
    from aie.embed import embed

    emb = li.embedding()
    texts = ["I was charged twice.", "Bake bread at home."]
    batch = emb.get_text_embedding_batch(texts)
    assert np.allclose(batch, embed(texts), atol=1e-5), "the adapter's vectors are aie.embed's"
    assert np.allclose(emb.get_query_embedding(texts[0]), batch[0], atol=1e-5)
    assert json.dumps(emb.get_query_embedding(texts[1]))  # plain floats, serialisable
