"""Record once, replay forever: cassettes for any backend.

    AIE_PROVIDER=replay AIE_REPLAY_PROVIDER=openai AIE_REPLAY_MODE=record  -> calls OpenAI
        and writes one JSON cassette per request into AIE_CASSETTE_DIR (default
        tests/cassettes)
    AIE_PROVIDER=replay (AIE_REPLAY_MODE=replay, the default)              -> answers from
        the cassettes; a request with no cassette raises ReplayMissingError

A cassette is named by the SHA-256 of the request's fingerprint (provider, model,
messages, tools, parameters). It holds the request and the answer, never a key: requests
carry no credentials, and every write is scanned for anything shaped like a key.
"""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path
from typing import Any

from .. import config
from ..errors import ConfigError, ReplayMissingError
from ._types import BackendStream, Completion, StreamState

KEY_PATTERN = re.compile(r"(sk-[A-Za-z0-9_\-]{16,}|sk-ant-[A-Za-z0-9_\-]{16,}|AIza[0-9A-Za-z_\-]{30,})")


def cassette_dir() -> Path:
    return Path(config.get("AIE_CASSETTE_DIR", str(config.REPO_ROOT / "tests" / "cassettes")))


def inner_provider() -> str:
    name = config.get("AIE_REPLAY_PROVIDER", "openai")
    if name == "replay" or name not in config.PROVIDERS:
        raise ConfigError(f"AIE_REPLAY_PROVIDER={name!r} must name a real provider")
    return name


def cassette_key(provider: str, request) -> str:
    blob = json.dumps({"provider": provider, **request.fingerprint()}, sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()


def _write(path: Path, data: dict[str, Any]) -> None:
    text = json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False)
    text = config.redact(text)
    if KEY_PATTERN.search(text):
        raise ConfigError(f"refusing to write cassette {path.name}: it contains something shaped like an API key")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text + "\n", encoding="utf-8")


class ReplayBackend:
    name = "replay"

    def __init__(self):
        self.provider = inner_provider()
        self.mode = (config.get("AIE_REPLAY_MODE", "replay") or "replay").lower()
        if self.mode not in ("replay", "record"):
            raise ConfigError(f"AIE_REPLAY_MODE={self.mode!r} must be 'replay' or 'record'")

    def _path(self, request) -> Path:
        return cassette_dir() / f"{self.provider}-{cassette_key(self.provider, request)[:32]}.json"

    def _missing(self, path: Path) -> ReplayMissingError:
        return ReplayMissingError(
            f"No cassette {path.name} in {path.parent} for this {self.provider} request. Record it "
            f"once with the provider's key set: AIE_PROVIDER=replay AIE_REPLAY_PROVIDER={self.provider} "
            "AIE_REPLAY_MODE=record <the same command>. (Recording calls the real provider.)"
        )

    def complete(self, request) -> Completion:
        from . import get_backend

        path = self._path(request)
        if self.mode == "replay":
            if not path.is_file():
                raise self._missing(path)
            return Completion.from_dict(json.loads(path.read_text(encoding="utf-8"))["response"])
        completion = get_backend(self.provider).complete(request)
        _write(path, {"provider": self.provider, "request": request.fingerprint(), "response": completion.to_dict()})
        return completion

    def stream(self, request) -> BackendStream:
        from . import get_backend

        path = self._path(request)
        if self.mode == "replay":
            if not path.is_file():
                raise self._missing(path)
            data = json.loads(path.read_text(encoding="utf-8"))
            return BackendStream(lambda state: iter(data["chunks"]), lambda text, state: Completion.from_dict(data["response"]))
        inner = get_backend(self.provider).stream(request)
        recorded: list[str] = []

        def chunks(state: StreamState):
            for chunk in inner:
                recorded.append(chunk)
                yield chunk

        def make(text: str, state: StreamState) -> Completion:
            completion = inner.finish(text)
            _write(path, {"provider": self.provider, "request": request.fingerprint(),
                          "response": completion.to_dict(), "chunks": recorded})
            return completion

        return BackendStream(chunks, make)
