"""Tool calls for models that cannot choose tools freely: the choice is made by JSON-Schema
constrained decoding. The model must answer with one object that names a tool and its
arguments (or, with tool_choice "auto", plain content); a grammar makes anything else
impossible to generate. Used by the local backend; any backend with JSON Schema support
could use it."""

from __future__ import annotations

import json
from typing import Any

from ._types import ToolCall


def tool_schema(tools: list[dict[str, Any]], tool_choice: str | None) -> dict[str, Any]:
    """A JSON Schema whose instances are exactly the allowed replies.

    tool_schema([{"name": "add", "parameters": P}], "required")
      -> {"anyOf": [{"type": "object", "properties": {"name": {"const": "add"},
                     "arguments": P}, "required": ["name", "arguments"]}]}
    """
    names = [t["name"] for t in tools]
    if tool_choice not in (None, "auto", "required", "none") and tool_choice not in names:
        raise ValueError(f"tool_choice {tool_choice!r} is not one of the tools: {names}")
    chosen = [t for t in tools if tool_choice in (None, "auto", "required") or t["name"] == tool_choice]
    options = [
        {
            "type": "object",
            "properties": {"name": {"const": t["name"]}, "arguments": t["parameters"]},
            "required": ["name", "arguments"],
        }
        for t in chosen
    ]
    if tool_choice in (None, "auto"):
        options.append(
            {"type": "object", "properties": {"content": {"type": "string"}}, "required": ["content"]}
        )
    return options[0] if len(options) == 1 else {"anyOf": options}


def tool_system_prompt(tools: list[dict[str, Any]]) -> str:
    lines = ["You can call these tools. Reply with a JSON object naming one tool and its arguments."]
    for t in tools:
        lines.append(f"- {t['name']}: {t.get('description', '')} Arguments schema: {json.dumps(t['parameters'])}")
    return "\n".join(lines)


def parse_tool_reply(text: str) -> tuple[str, list[ToolCall]]:
    """(content, tool_calls) from a constrained reply; invalid JSON becomes plain content."""
    try:
        obj = json.loads(text)
    except json.JSONDecodeError:
        return text, []
    if isinstance(obj, dict) and "name" in obj:
        args = obj.get("arguments")
        return "", [ToolCall(name=obj["name"], arguments=args if isinstance(args, dict) else {}, id="call_0")]
    if isinstance(obj, dict) and "content" in obj:
        return str(obj["content"]), []
    return text, []
