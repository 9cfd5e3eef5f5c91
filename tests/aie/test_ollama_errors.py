"""Ollama's failures reach the caller as `aie.errors`, retried like the other backends, with
no key in the message — never a raw httpx, ollama or JSON exception.

No Ollama server exists here: the canned loopback server (`canned`, tests/aie/conftest.py)
answers with the shapes the Ollama API documents — errors as HTTP status + `{"error":
"..."}`, a stream as newline-delimited JSON whose failure mid-answer is an `{"error": ...}`
line — and the real `ollama` client talks to it. What is tested is aie/llm/_ollama.py: the
retries, the translation, the redaction. `silent` accepts connections and never answers.
"""

from __future__ import annotations

import json
import time

import pytest

from aie.errors import (
    AIEError,
    AuthenticationError,
    ProviderError,
    ProviderUnavailableError,
    RateLimitError,
)
from aie.llm import chat

MESSAGES = [{"role": "user", "content": "Weather in Paris?"}]
KEY = "ollama-" + "hosted-key-5d1f0c9e2b7a"  # built by concatenation: no key-shaped literal in the repo


def part(content: str) -> dict:
    return {"model": "smollm2:135m", "created_at": "2025-01-01T00:00:00Z",
            "message": {"role": "assistant", "content": content}, "done": False}


def ndjson(*objects) -> str:
    return "".join(json.dumps(o) + "\n" for o in objects)


@pytest.fixture
def ollama(monkeypatch, canned):
    monkeypatch.setenv("AIE_PROVIDER", "ollama")
    monkeypatch.setenv("OLLAMA_HOST", canned.url)
    monkeypatch.setenv("AIE_MAX_RETRIES", "1")
    monkeypatch.setattr("aie.llm._ollama.BACKOFF", 0.01)
    return canned


def test_429_is_retried_then_a_rate_limit_error(ollama):
    ollama.add("POST", "/api/chat", 429, json={"error": "too many requests"})
    with pytest.raises(RateLimitError, match="HTTP 429") as err:
        chat(MESSAGES)
    assert err.value.status == 429 and err.value.provider == "ollama"
    assert ollama.calls == 2, "one retry (AIE_MAX_RETRIES=1), then the error"


def test_a_bad_request_is_not_retried(ollama):
    ollama.add("POST", "/api/chat", 400, json={"error": "invalid format: expected \"json\" or a JSON schema"})
    with pytest.raises(ProviderError, match="HTTP 400.*invalid format") as err:
        chat(MESSAGES)
    assert type(err.value) is ProviderError and ollama.calls == 1, "a 400 will not change on a retry"


def test_a_refused_key_is_an_authentication_error_without_the_key(ollama, monkeypatch):
    monkeypatch.setenv("OLLAMA_API_KEY", KEY)
    ollama.add("POST", "/api/chat", 401, json={"error": f"unauthorized: key {KEY} is not valid"})
    with pytest.raises(AuthenticationError, match="OLLAMA_API_KEY") as err:
        chat(MESSAGES)
    assert ollama.requests[-1].headers.get("authorization") == f"Bearer {KEY}", "the client sent the key"
    assert KEY not in str(err.value) and "***" in str(err.value), "the echoed key is redacted"


def test_a_stream_that_keeps_failing_is_retried_then_unavailable(ollama):
    ollama.add("POST", "/api/chat", 500, json={"error": "llama runner process has terminated"})
    with pytest.raises(ProviderUnavailableError, match="HTTP 500"):
        chat(MESSAGES, stream=True).text()
    assert ollama.calls == 2, "retried before the first chunk, like a plain call"


def test_an_error_line_mid_stream_is_typed_and_not_retried(ollama):
    ollama.add("POST", "/api/chat", 200, body=ndjson(part("Sun"), {"error": "an error was encountered while running the model"}),
               content_type="application/x-ndjson")
    stream = chat(MESSAGES, stream=True)
    seen = []
    with pytest.raises(ProviderError, match="during the answer: an error was encountered"):
        for piece in stream:
            seen.append(piece)
    assert seen == ["Sun"] and ollama.calls == 1, "after the first chunk a retry would repeat the text"


def test_a_garbled_stream_line_is_a_provider_error(ollama):
    ollama.add("POST", "/api/chat", 200, body=ndjson(part("Sun")) + '{"model": "smollm2:135m", "mess\n',
               content_type="application/x-ndjson")
    with pytest.raises(ProviderError, match="not JSON"):
        chat(MESSAGES, stream=True).text()


def test_a_silent_server_times_out_a_stream_after_the_retries(monkeypatch, silent):
    url, accepted = silent
    monkeypatch.setenv("AIE_PROVIDER", "ollama")
    monkeypatch.setenv("OLLAMA_HOST", url)
    monkeypatch.setenv("AIE_TIMEOUT_S", "0.3")
    monkeypatch.setenv("AIE_MAX_RETRIES", "1")
    start = time.perf_counter()
    with pytest.raises(ProviderUnavailableError, match="AIE_TIMEOUT_S=0.3"):
        chat(MESSAGES, stream=True).text()
    assert time.perf_counter() - start < 15 and len(accepted) == 2, \
        f"two 0.3 s attempts (one retry); the server saw {len(accepted)} connection(s)"


@pytest.mark.parametrize("status, body", [(418, '{"error": "I\'m a teapot"}'), (502, "<html>Bad Gateway</html>"),
                                          (200, "not json at all")])
def test_whatever_the_server_says_the_error_is_ours(ollama, status, body):
    ollama.add("POST", "/api/chat", status, body=body, content_type="application/json")
    for stream in (False, True):
        with pytest.raises(AIEError):
            reply = chat(MESSAGES, stream=stream)
            if stream:
                reply.text()
