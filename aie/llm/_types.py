"""What every backend returns: a `Completion` (or, streaming, a `Stream` of text chunks)."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass
class Usage:
    """Tokens of one call. `reasoning_tokens` (a reasoning model's hidden thinking, billed
    as output) are already counted in `completion_tokens`, and `cached_tokens` (prompt
    tokens read from the provider's cache, billed at the cached-input price) in
    `prompt_tokens`: they say how those totals split, they do not add to them."""

    prompt_tokens: int = 0
    completion_tokens: int = 0
    reasoning_tokens: int = 0
    cached_tokens: int = 0

    @property
    def total_tokens(self) -> int:
        return self.prompt_tokens + self.completion_tokens


@dataclass
class ToolCall:
    """A request by the model to call `name` with `arguments` (already parsed from JSON)."""

    name: str
    arguments: dict[str, Any]
    id: str = ""


@dataclass
class Completion:
    text: str
    finish_reason: str  # "stop" | "length" | "tool_calls" | "content_filter" | "incomplete"
    model: str
    provider: str
    usage: Usage = field(default_factory=Usage)
    tool_calls: list[ToolCall] = field(default_factory=list)
    cost: float = 0.0  # US dollars, from aie/models.toml (0 for local and unknown models)
    latency: float = 0.0  # seconds, wall clock for the whole call

    def json(self) -> Any:
        """The text parsed as JSON (for response_format calls)."""
        return json.loads(self.text)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Completion:
        data = dict(data)
        data["usage"] = Usage(**data.get("usage", {}))
        data["tool_calls"] = [ToolCall(**t) for t in data.get("tool_calls", [])]
        return cls(**data)


class Stream:
    """Iterate for text chunks as they arrive; afterwards `.completion` holds the whole
    answer with usage and finish reason.

        stream = chat(messages, stream=True)
        for chunk in stream:
            print(chunk, end="")
        stream.completion.usage
    """

    def __init__(self, chunks: Iterator[str], finish: Callable[[str], Completion]):
        self._chunks = chunks
        self._finish = finish
        self._parts: list[str] = []
        self.completion: Completion | None = None

    def __iter__(self) -> Iterator[str]:
        if self.completion is not None:
            raise RuntimeError("a Stream can be iterated once; use .completion afterwards")
        for chunk in self._chunks:
            if chunk:
                self._parts.append(chunk)
                yield chunk
        self.completion = self._finish("".join(self._parts))

    def close(self) -> None:
        """Abandon the stream: stop generating (the local model is free again); what was
        generated so far is still charged to the budget."""
        close = getattr(self._chunks, "close", None)
        if close is not None:
            close()

    def text(self) -> str:
        """Consume the stream and return the joined text."""
        for _ in self:
            pass
        return self.completion.text


@dataclass
class StreamState:
    """What a backend learns while streaming: set by its chunk generator. A stream that
    ends without the provider giving a reason (a dropped connection, a server that stops
    early) stays "incomplete": it is never reported as a clean "stop"."""

    finish_reason: str = "incomplete"
    usage: Usage | None = None


class BackendStream:
    """A backend's raw stream: text chunks, then `finish(text)` builds the Completion."""

    def __init__(
        self,
        chunks: Callable[[StreamState], Iterator[str]],
        make: Callable[[str, StreamState], Completion],
    ):
        self.state = StreamState()
        self._chunks = chunks(self.state)
        self._make = make

    def __iter__(self) -> Iterator[str]:
        return iter(self._chunks)

    def close(self) -> None:
        """Stop the backend's generator (the local backend frees the model)."""
        close = getattr(self._chunks, "close", None)
        if close is not None:
            close()

    def finish(self, text: str) -> Completion:
        return self._make(text, self.state)
