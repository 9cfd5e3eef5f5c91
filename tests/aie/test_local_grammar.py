"""The local backend's schema -> grammar step: schemas that used to kill the process (SIGSEGV)
now either work or raise a clear error. Each case runs the real local model."""

from __future__ import annotations

import json

import pytest

from aie.errors import InvalidInputError
from aie.llm import chat

TOOLS = [{
    "name": "add",
    "description": "Add two numbers.",
    "parameters": {"type": "object", "properties": {"a": {"type": "number"}, "b": {"type": "number"}},
                   "required": ["a", "b"]},
}]


@pytest.mark.parametrize("tool_choice", [None, "auto", "required", "add"])
def test_tool_calls_work_with_every_tool_choice(tool_choice):
    done = chat([{"role": "user", "content": "Add 2 and 3."}], tools=TOOLS, tool_choice=tool_choice, max_tokens=40)
    if done.tool_calls:
        assert done.tool_calls[0].name == "add", "a tool call names a tool of the list"
        assert set(done.tool_calls[0].arguments) == {"a", "b"}, "its arguments follow the tool's schema"
    else:
        assert tool_choice in (None, "auto"), "a required tool choice always yields a tool call"


@pytest.mark.parametrize("value", ['He said "hi"', 'a "quoted" word'])
def test_enum_values_with_double_quotes_come_back_exactly(value):
    schema = {"type": "object", "properties": {"x": {"enum": [value]}}, "required": ["x"]}
    done = chat([{"role": "user", "content": "Pick one."}], response_format={"type": "json_object", "schema": schema},
                max_tokens=30)
    assert json.loads(done.text) == {"x": value}, "the reply is valid JSON holding the enum value unchanged"


def test_a_bound_llama_cpp_cannot_compile_is_a_clear_error():
    schema = {"type": "object", "properties": {"c": {"type": "string", "maxLength": 5000}}, "required": ["c"]}
    with pytest.raises(InvalidInputError, match="maxLength=5000"):
        chat([{"role": "user", "content": "x"}], response_format={"type": "json_object", "schema": schema}, max_tokens=5)
