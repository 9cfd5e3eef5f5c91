"""LangChain over the course runtime: a chat model over `aie.llm.chat` and embeddings over
`aie.embed` (the local models by default; any `aie` provider by setting).

    from aie.integrations.langchain import chat_model, embeddings
    model = chat_model()                                   # SmolLM2-135M, offline
    model.invoke("What is the capital of France?").content
    model.bind_tools([get_weather], tool_choice="get_weather").invoke("Weather in Oslo?").tool_calls
      -> [{"name": "get_weather", "args": {"city": "Oslo"}, "id": "call_0", "type": "tool_call"}]
    model.with_structured_output(Person).invoke("Ada Lovelace was born in 1815.")
      -> Person(name="Ada Lovelace", born=1815)

Tool calls and structured output use `aie.llm`'s JSON-Schema path: on the local model a
grammar makes any reply outside the schema impossible to generate, so they work on a 135M
model; cloud providers use their native tools and structured outputs. Streaming yields text
as it is generated; every reply carries `usage_metadata` and `response_metadata`
(finish reason, provider, model). Not covered: LangChain's own provider packages
(`langchain-openai`, ...) — this adapter is how the course reaches every provider with one
set of settings.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from operator import itemgetter
from typing import Any

try:
    from langchain_core.embeddings import Embeddings
    from langchain_core.language_models.chat_models import BaseChatModel
    from langchain_core.messages import (
        AIMessage,
        AIMessageChunk,
        BaseMessage,
        ChatMessage,
        HumanMessage,
        SystemMessage,
        ToolMessage,
    )
    from langchain_core.output_parsers import JsonOutputParser, PydanticOutputParser
    from langchain_core.outputs import ChatGeneration, ChatGenerationChunk, ChatResult
    from langchain_core.runnables import RunnableMap, RunnablePassthrough
    from langchain_core.utils.function_calling import convert_to_openai_tool
except ImportError as exc:  # pragma: no cover - set-up problem
    raise ImportError("LangChain is not installed: run `make setup` (it installs the `rag` extra).") from exc

from .. import llm
from ..embed import embed

__all__ = ["AieChatModel", "AieEmbeddings", "chat_model", "embeddings", "to_aie_messages"]

_TOOL_CHOICES = {"any": "required", "required": "required", "auto": "auto", "none": "none"}


def _text(content: Any) -> str:
    """A message's text: LangChain content is a string or a list of content blocks."""
    if isinstance(content, str):
        return content
    parts = []
    for block in content or []:
        if isinstance(block, str):
            parts.append(block)
        elif isinstance(block, dict) and block.get("type") == "text":
            parts.append(block.get("text", ""))
    return "".join(parts)


def to_aie_messages(messages: Sequence[BaseMessage]) -> list[dict[str, Any]]:
    """LangChain messages -> `aie.llm.chat` messages (tool calls in OpenAI's shape).

    to_aie_messages([SystemMessage("Be brief."), HumanMessage("Hi")])
      -> [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Hi"}]
    """
    out: list[dict[str, Any]] = []
    for i, m in enumerate(messages):
        if isinstance(m, SystemMessage):
            out.append({"role": "system", "content": _text(m.content)})
        elif isinstance(m, HumanMessage):
            out.append({"role": "user", "content": _text(m.content)})
        elif isinstance(m, AIMessage):
            entry: dict[str, Any] = {"role": "assistant", "content": _text(m.content)}
            if m.tool_calls:
                entry["content"] = entry["content"] or None
                entry["tool_calls"] = [
                    {"id": tc.get("id") or f"call_{n}", "type": "function",
                     "function": {"name": tc["name"], "arguments": json.dumps(tc["args"])}}
                    for n, tc in enumerate(m.tool_calls)
                ]
            out.append(entry)
        elif isinstance(m, ToolMessage):
            out.append({"role": "tool", "content": _text(m.content), "tool_call_id": m.tool_call_id})
        elif isinstance(m, ChatMessage):
            out.append({"role": {"human": "user", "ai": "assistant"}.get(m.role, m.role), "content": _text(m.content)})
        else:
            raise TypeError(
                f"messages[{i}] is a {type(m).__name__}; use SystemMessage, HumanMessage, AIMessage, "
                "ToolMessage or ChatMessage"
            )
    return out


def _usage(reply: llm.Completion) -> dict[str, int]:
    u = reply.usage
    return {"input_tokens": u.prompt_tokens, "output_tokens": u.completion_tokens, "total_tokens": u.total_tokens}


def _metadata(reply: llm.Completion) -> dict[str, Any]:
    return {"finish_reason": reply.finish_reason, "model_name": reply.model, "provider": reply.provider,
            "cost_usd": reply.cost}


def _tool_calls(reply: llm.Completion) -> list[dict[str, Any]]:
    return [{"name": tc.name, "args": tc.arguments, "id": tc.id or f"call_{n}", "type": "tool_call"}
            for n, tc in enumerate(reply.tool_calls)]


def _tool_choice(tool_choice: Any, names: list[str]) -> str | None:
    """LangChain's tool_choice values -> aie's ("auto" | "required" | "none" | a tool name)."""
    if tool_choice is None:
        return None
    if tool_choice is True:
        return "required"
    if isinstance(tool_choice, dict):
        tool_choice = tool_choice.get("function", tool_choice).get("name")
    if isinstance(tool_choice, str):
        if tool_choice in _TOOL_CHOICES:
            return _TOOL_CHOICES[tool_choice]
        if tool_choice in names:
            return tool_choice
    raise ValueError(
        f"tool_choice={tool_choice!r} is not one of 'auto', 'any', 'required', 'none' or a bound tool's "
        f"name {names}"
    )


def _json_schema(schema: Any) -> tuple[dict[str, Any], Any]:
    """(JSON Schema, parser) for with_structured_output's `schema` argument."""
    if isinstance(schema, type) and hasattr(schema, "model_json_schema"):
        return schema.model_json_schema(), PydanticOutputParser(pydantic_object=schema)
    if isinstance(schema, dict):
        if schema.get("type") == "function" and "function" in schema:  # an OpenAI tool
            schema = schema["function"]
        if "parameters" in schema and "name" in schema:  # an OpenAI function
            return schema["parameters"], JsonOutputParser()
        if "type" in schema or "properties" in schema or "anyOf" in schema:
            return schema, JsonOutputParser()
    raise ValueError(
        "schema must be a pydantic model class, a JSON Schema dict (with 'type' or 'properties') "
        f"or an OpenAI function/tool dict, got {schema!r}"
    )


class AieChatModel(BaseChatModel):
    """A LangChain chat model whose every call is `aie.llm.chat(...)`.

    Call options pass through `.bind(...)` or `.invoke(..., **options)`: `max_tokens`,
    `response_format` (any form `aie.llm.chat` takes), `tools` and `tool_choice` (set by
    `bind_tools`), `temperature`, `seed`.
    """

    max_tokens: int = 256
    temperature: float = 0.0
    seed: int | None = 0
    provider: str | None = None  # None: AIE_PROVIDER, else the local model
    model: str | None = None  # None: AIE_MODEL, else the provider's default

    @property
    def _llm_type(self) -> str:
        return "aie"

    @property
    def _identifying_params(self) -> dict[str, Any]:
        return {"provider": self.provider, "model": self.model, "max_tokens": self.max_tokens,
                "temperature": self.temperature, "seed": self.seed}

    def _chat(self, messages: list[BaseMessage], stop: list[str] | None, stream: bool, **kwargs: Any):
        return llm.chat(
            to_aie_messages(messages),
            provider=self.provider,
            model=self.model,
            max_tokens=kwargs.get("max_tokens", self.max_tokens),
            temperature=kwargs.get("temperature", self.temperature),
            seed=kwargs.get("seed", self.seed),
            stop=stop,
            tools=kwargs.get("tools"),
            tool_choice=kwargs.get("tool_choice"),
            response_format=kwargs.get("response_format"),
            stream=stream,
        )

    def _message(self, reply: llm.Completion) -> AIMessage:
        return AIMessage(content=reply.text, tool_calls=_tool_calls(reply), usage_metadata=_usage(reply),
                         response_metadata=_metadata(reply))

    def _generate(self, messages, stop=None, run_manager=None, **kwargs) -> ChatResult:
        reply = self._chat(messages, stop, False, **kwargs)
        return ChatResult(generations=[ChatGeneration(message=self._message(reply))])

    def _stream(self, messages, stop=None, run_manager=None, **kwargs) -> Iterator[ChatGenerationChunk]:
        if kwargs.get("tools") and kwargs.get("tool_choice") != "none":
            # A tool call is known once its JSON is complete: one chunk carries it.
            reply = self._chat(messages, stop, False, **kwargs)
            calls = [{"name": c["name"], "args": json.dumps(c["args"]), "id": c["id"], "index": n}
                     for n, c in enumerate(_tool_calls(reply))]
            yield ChatGenerationChunk(message=AIMessageChunk(
                content=reply.text, tool_call_chunks=calls, usage_metadata=_usage(reply),
                response_metadata=_metadata(reply)))
            return
        stream = self._chat(messages, stop, True, **kwargs)
        for piece in stream:
            chunk = ChatGenerationChunk(message=AIMessageChunk(content=piece))
            if run_manager:
                run_manager.on_llm_new_token(piece, chunk=chunk)
            yield chunk
        reply = stream.completion
        yield ChatGenerationChunk(message=AIMessageChunk(
            content="", usage_metadata=_usage(reply), response_metadata=_metadata(reply)))

    def bind_tools(self, tools: Sequence[Any], *, tool_choice: Any = None, **kwargs: Any):
        """Bind tools (functions, `@tool`s, pydantic classes or OpenAI tool dicts). Replies
        then carry `.tool_calls`. tool_choice: "auto" (the model may answer in text), "any" /
        "required" / True (it must call one), "none", or a tool's name (it must call that one).
        """
        if not tools:
            raise ValueError("tools must be a non-empty list of functions, tools or tool dicts")
        formatted = [convert_to_openai_tool(t) for t in tools]
        names = [t["function"]["name"] for t in formatted]
        return self.bind(tools=formatted, tool_choice=_tool_choice(tool_choice, names), **kwargs)

    def with_structured_output(self, schema: Any, *, method: str = "json_schema", include_raw: bool = False,
                               **kwargs: Any):
        """A runnable that returns `schema`-shaped output: a pydantic instance for a pydantic
        class, a dict for a JSON Schema. method "json_schema" (default) constrains the answer
        itself (`response_format` with the schema); "function_calling" asks for a forced tool
        call instead (LangChain's generic route over `bind_tools`); "json_mode" asks for any
        JSON object and parses it. include_raw=True returns {"raw", "parsed", "parsing_error"}.
        """
        if method == "function_calling":
            return super().with_structured_output(schema, include_raw=include_raw, **kwargs)
        if method not in ("json_schema", "json_mode"):
            raise ValueError(f"method={method!r} is not one of 'json_schema', 'json_mode', 'function_calling'")
        js, parser = _json_schema(schema)
        response_format = {"type": "json_object", "schema": js} if method == "json_schema" else {"type": "json_object"}
        bound = self.bind(response_format=response_format, **kwargs)
        if not include_raw:
            return bound | parser
        parsed = RunnablePassthrough.assign(parsed=itemgetter("raw") | parser, parsing_error=lambda _: None)
        failed = RunnablePassthrough.assign(parsed=lambda _: None)
        return RunnableMap(raw=bound) | parsed.with_fallbacks([failed], exception_key="parsing_error")


class AieEmbeddings(Embeddings):
    """LangChain `Embeddings` over `aie.embed` (local all-MiniLM-L6-v2 by default, nothing
    downloaded). Query vectors are cached: an evaluation repeats its questions."""

    def __init__(self, model: str | None = None, provider: str | None = None):
        self.model = model
        self.provider = provider
        self.queries: dict[str, list[float]] = {}

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return embed(texts, self.model, provider=self.provider).tolist()

    def embed_query(self, text: str) -> list[float]:
        if not isinstance(text, str):
            raise TypeError(f"text must be a string, got {type(text).__name__}")
        if text not in self.queries:
            self.queries[text] = embed([text], self.model, provider=self.provider)[0].tolist()
        return self.queries[text]


def chat_model(max_tokens: int = 256, *, provider: str | None = None, model: str | None = None,
               temperature: float = 0.0, seed: int | None = 0) -> AieChatModel:
    """A LangChain chat model over `aie.llm.chat` (the local model unless configured)."""
    if not isinstance(max_tokens, int) or max_tokens <= 0:
        raise ValueError(f"max_tokens must be a positive integer, got {max_tokens!r}")
    return AieChatModel(max_tokens=max_tokens, provider=provider, model=model, temperature=temperature, seed=seed)


def embeddings(model: str | None = None, *, provider: str | None = None) -> AieEmbeddings:
    """LangChain embeddings over `aie.embed` (the local model unless configured)."""
    return AieEmbeddings(model=model, provider=provider)
