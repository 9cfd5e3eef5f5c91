"""LlamaIndex over the course runtime: an LLM over `aie.llm.chat` and an embedding model over
`aie.embed` (the local models by default; any `aie` provider by setting).

    from llama_index.core import Settings
    from aie.integrations.llamaindex import llm, embedding
    Settings.llm, Settings.embed_model = llm(), embedding()   # LlamaIndex's defaults are
                                                              # OpenAI's: a key and the network
    Settings.llm.complete("What is the capital of France?").text
    Settings.llm.chat_with_tools([FunctionTool.from_defaults(get_weather)],
                                 user_msg="Weather in Oslo?", tool_required=True)

The LLM is a `FunctionCallingLLM`: tool calls (and so `structured_predict`, which LlamaIndex
runs as a forced tool call) go through `aie.llm`'s JSON-Schema constrained path and work on the
local 135M model. `chat(..., response_format=...)` passes any form `aie.llm.chat` takes.
`stream_chat` / `stream_complete` yield text as it is generated; every response carries the
usage in `additional_kwargs` (prompt_tokens, completion_tokens, total_tokens) and the whole
`Completion` in `raw`.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

try:
    from llama_index.core.base.llms.types import (
        ChatMessage,
        ChatResponse,
        CompletionResponse,
        LLMMetadata,
        MessageRole,
    )
    from llama_index.core.embeddings import BaseEmbedding
    from llama_index.core.llms.callbacks import llm_chat_callback, llm_completion_callback
    from llama_index.core.llms.function_calling import FunctionCallingLLM
    from llama_index.core.llms.llm import ToolSelection
    from pydantic import Field, PrivateAttr
except ImportError as exc:  # pragma: no cover - set-up problem
    raise ImportError("LlamaIndex is not installed: run `make setup` (it installs the `rag` extra).") from exc

from .. import llm as aie_llm
from ..embed import embed

__all__ = ["AieEmbedding", "AieLLM", "embedding", "llm", "to_aie_messages"]


def to_aie_messages(messages: Sequence[ChatMessage]) -> list[dict[str, Any]]:
    """LlamaIndex `ChatMessage`s -> `aie.llm.chat` messages (tool calls in OpenAI's shape)."""
    roles = {"system": "system", "developer": "system", "user": "user", "assistant": "assistant",
             "chatbot": "assistant", "model": "assistant", "tool": "tool", "function": "tool"}
    out: list[dict[str, Any]] = []
    for i, m in enumerate(messages):
        if not isinstance(m, ChatMessage):
            raise TypeError(f"messages[{i}] must be a llama_index ChatMessage, got {type(m).__name__}")
        role = roles.get(MessageRole(m.role).value)
        if role is None:
            raise ValueError(f"messages[{i}] has role {m.role!r}, which aie.llm.chat cannot send")
        entry: dict[str, Any] = {"role": role, "content": m.content or ""}
        calls = m.additional_kwargs.get("tool_calls")
        if role == "assistant" and calls:
            entry["content"] = entry["content"] or None
            entry["tool_calls"] = calls
        if role == "tool":
            entry["tool_call_id"] = m.additional_kwargs.get("tool_call_id", "")
        out.append(entry)
    return out


def _usage(reply: aie_llm.Completion) -> dict[str, int]:
    u = reply.usage
    return {"prompt_tokens": u.prompt_tokens, "completion_tokens": u.completion_tokens,
            "total_tokens": u.total_tokens}


def _openai_calls(reply: aie_llm.Completion) -> list[dict[str, Any]]:
    return [{"id": tc.id or f"call_{n}", "type": "function",
             "function": {"name": tc.name, "arguments": json.dumps(tc.arguments)}}
            for n, tc in enumerate(reply.tool_calls)]


class AieLLM(FunctionCallingLLM):
    """A LlamaIndex LLM whose every call is `aie.llm.chat(...)`. Extra keyword arguments of
    `chat` / `complete` (`response_format`, `max_tokens`, `tools`, `tool_choice`) pass through."""

    max_tokens: int = Field(default=256, gt=0)
    temperature: float = 0.0
    seed: int | None = 0
    provider: str | None = None  # None: AIE_PROVIDER, else the local model
    model: str | None = None  # None: AIE_MODEL, else the provider's default
    context_window: int = 4096

    @classmethod
    def class_name(cls) -> str:
        return "AieLLM"

    @property
    def metadata(self) -> LLMMetadata:
        return LLMMetadata(context_window=self.context_window, num_output=self.max_tokens, is_chat_model=True,
                           is_function_calling_model=True, model_name=self.model or "aie")

    def _chat(self, messages: list[dict[str, Any]], stream: bool, **kwargs: Any):
        return aie_llm.chat(
            messages,
            provider=self.provider,
            model=self.model,
            max_tokens=kwargs.get("max_tokens", self.max_tokens),
            temperature=kwargs.get("temperature", self.temperature),
            seed=kwargs.get("seed", self.seed),
            stop=kwargs.get("stop"),
            tools=kwargs.get("tools"),
            tool_choice=kwargs.get("tool_choice"),
            response_format=kwargs.get("response_format"),
            stream=stream,
        )

    def _response(self, reply: aie_llm.Completion) -> ChatResponse:
        extra: dict[str, Any] = {"tool_calls": _openai_calls(reply)} if reply.tool_calls else {}
        message = ChatMessage(role=MessageRole.ASSISTANT, content=reply.text, additional_kwargs=extra)
        return ChatResponse(message=message, raw=reply.to_dict(), additional_kwargs=_usage(reply))

    @llm_chat_callback()
    def chat(self, messages: Sequence[ChatMessage], **kwargs: Any) -> ChatResponse:
        return self._response(self._chat(to_aie_messages(messages), False, **kwargs))

    @llm_completion_callback()
    def complete(self, prompt: str, formatted: bool = False, **kwargs: Any) -> CompletionResponse:
        if not isinstance(prompt, str):
            raise TypeError(f"prompt must be a string, got {type(prompt).__name__}")
        reply = self._chat([{"role": "user", "content": prompt}], False, **kwargs)
        return CompletionResponse(text=reply.text, raw=reply.to_dict(), additional_kwargs=_usage(reply))

    @llm_chat_callback()
    def stream_chat(self, messages: Sequence[ChatMessage], **kwargs: Any):
        stream = self._chat(to_aie_messages(messages), True, **kwargs)

        def gen():
            text = ""
            for piece in stream:
                text += piece
                yield ChatResponse(message=ChatMessage(role=MessageRole.ASSISTANT, content=text), delta=piece)
            reply = stream.completion
            yield ChatResponse(message=ChatMessage(role=MessageRole.ASSISTANT, content=reply.text), delta="",
                               raw=reply.to_dict(), additional_kwargs=_usage(reply))

        return gen()

    @llm_completion_callback()
    def stream_complete(self, prompt: str, formatted: bool = False, **kwargs: Any):
        if not isinstance(prompt, str):
            raise TypeError(f"prompt must be a string, got {type(prompt).__name__}")
        stream = self._chat([{"role": "user", "content": prompt}], True, **kwargs)

        def gen():
            text = ""
            for piece in stream:
                text += piece
                yield CompletionResponse(text=text, delta=piece)
            reply = stream.completion
            yield CompletionResponse(text=reply.text, delta="", raw=reply.to_dict(), additional_kwargs=_usage(reply))

        return gen()

    # The async methods run the sync ones: the local model is one in-process llama.cpp.
    @llm_chat_callback()
    async def achat(self, messages: Sequence[ChatMessage], **kwargs: Any) -> ChatResponse:
        return self.chat(messages, **kwargs)

    @llm_completion_callback()
    async def acomplete(self, prompt: str, formatted: bool = False, **kwargs: Any) -> CompletionResponse:
        return self.complete(prompt, formatted=formatted, **kwargs)

    @llm_chat_callback()
    async def astream_chat(self, messages: Sequence[ChatMessage], **kwargs: Any):
        async def gen():
            for response in self.stream_chat(messages, **kwargs):
                yield response

        return gen()

    @llm_completion_callback()
    async def astream_complete(self, prompt: str, formatted: bool = False, **kwargs: Any):
        async def gen():
            for response in self.stream_complete(prompt, formatted=formatted, **kwargs):
                yield response

        return gen()

    def _prepare_chat_with_tools(self, tools: Sequence[Any], user_msg: str | ChatMessage | None = None,
                                 chat_history: list[ChatMessage] | None = None, verbose: bool = False,
                                 allow_parallel_tool_calls: bool = False, tool_required: bool = False,
                                 **kwargs: Any) -> dict[str, Any]:
        """What `chat_with_tools` sends: the tools as OpenAI tool dicts and tool_choice
        "required" (tool_required=True) or "auto"."""
        messages = list(chat_history or [])
        if isinstance(user_msg, str):
            user_msg = ChatMessage(role=MessageRole.USER, content=user_msg)
        if user_msg is not None:
            messages.append(user_msg)
        return {"messages": messages, "tools": [t.metadata.to_openai_tool() for t in tools],
                "tool_choice": kwargs.pop("tool_choice", "required" if tool_required else "auto"), **kwargs}

    def get_tool_calls_from_response(self, response: ChatResponse, error_on_no_tool_call: bool = True,
                                     **kwargs: Any) -> list[ToolSelection]:
        calls = response.message.additional_kwargs.get("tool_calls", [])
        if not calls and error_on_no_tool_call:
            raise ValueError(f"the model answered without a tool call: {response.message.content!r}")
        return [ToolSelection(tool_id=c["id"], tool_name=c["function"]["name"],
                              tool_kwargs=json.loads(c["function"]["arguments"])) for c in calls]


class AieEmbedding(BaseEmbedding):
    """A LlamaIndex embedding model over `aie.embed` (local all-MiniLM-L6-v2 by default,
    nothing downloaded). Query vectors are cached: an evaluation repeats its questions."""

    provider: str | None = None
    model: str | None = None
    _queries: dict[str, list[float]] = PrivateAttr(default_factory=dict)

    @classmethod
    def class_name(cls) -> str:
        return "AieEmbedding"

    def _get_query_embedding(self, query: str) -> list[float]:
        if query not in self._queries:
            self._queries[query] = embed([query], self.model, provider=self.provider)[0].tolist()
        return self._queries[query]

    async def _aget_query_embedding(self, query: str) -> list[float]:
        return self._get_query_embedding(query)

    def _get_text_embedding(self, text: str) -> list[float]:
        return embed([text], self.model, provider=self.provider)[0].tolist()

    def _get_text_embeddings(self, texts: list[str]) -> list[list[float]]:
        return embed(list(texts), self.model, provider=self.provider).tolist()


def llm(max_tokens: int = 256, *, provider: str | None = None, model: str | None = None,
        temperature: float = 0.0, seed: int | None = 0) -> AieLLM:
    """A LlamaIndex LLM over `aie.llm.chat` (the local model unless configured)."""
    if not isinstance(max_tokens, int) or max_tokens <= 0:
        raise ValueError(f"max_tokens must be a positive integer, got {max_tokens!r}")
    return AieLLM(max_tokens=max_tokens, provider=provider, model=model, temperature=temperature, seed=seed)


def embedding(model: str | None = None, *, provider: str | None = None, embed_batch_size: int = 64) -> AieEmbedding:
    """A LlamaIndex embedding model over `aie.embed` (the local model unless configured)."""
    return AieEmbedding(model_name=model or "aie-embed", model=model, provider=provider,
                        embed_batch_size=embed_batch_size)
