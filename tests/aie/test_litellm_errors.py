"""The LiteLLM backend's errors are typed and hold no key, even when the provider echoes it.

LiteLLM's `openai/<model>` route is pointed at the canned loopback server (`canned`,
tests/aie/conftest.py), which answers with OpenAI's documented error shape (`{"error":
{"message", "type", "code"}}`) and, as some providers do, puts the key it was sent into the
message. What is tested is aie/llm/_litellm.py: the translation into `aie.errors`, the
redaction, AIE_MAX_RETRIES — not LiteLLM and not the fixture.
"""

from __future__ import annotations

import pytest

from aie.errors import AIEError, AuthenticationError, ProviderError
from aie.llm import chat

pytestmark = pytest.mark.slow  # importing LiteLLM takes about 10 s of CPU

MESSAGES = [{"role": "user", "content": "Weather in Paris?"}]
KEY = "sk-" + "litellm-echo-test-7c2e91d04b"  # built by concatenation: no key-shaped literal in the repo


def error_body(message: str, type_: str, code: str | None) -> dict:
    return {"error": {"message": message, "type": type_, "param": None, "code": code}}


@pytest.fixture
def litellm_env(monkeypatch, canned):
    monkeypatch.setenv("AIE_PROVIDER", "litellm")
    monkeypatch.setenv("OPENAI_BASE_URL", canned.url + "/v1")
    monkeypatch.setenv("OPENAI_API_KEY", KEY)
    monkeypatch.setenv("AIE_MAX_RETRIES", "0")
    return canned


@pytest.mark.parametrize("stream", [False, True])
def test_a_401_is_an_authentication_error_without_the_key(litellm_env, stream):
    litellm_env.add("POST", "/v1/chat/completions", 401,
                    json=error_body(f"Incorrect API key provided: {KEY}.", "invalid_request_error", "invalid_api_key"))
    with pytest.raises(AuthenticationError) as err:
        reply = chat(MESSAGES, model="openai/gpt-4o-mini", stream=stream)
        if stream:
            reply.text()
    assert litellm_env.requests[-1].headers.get("authorization") == f"Bearer {KEY}", "the key was sent"
    assert KEY not in str(err.value) and "***" in str(err.value), f"the echoed key must be redacted: {err.value}"


@pytest.mark.parametrize("stream", [False, True])
def test_a_500_is_a_typed_provider_error_without_the_key(litellm_env, stream):
    litellm_env.add("POST", "/v1/chat/completions", 500,
                    json=error_body(f"The server had an error processing your request (key {KEY}).", "server_error", None))
    with pytest.raises(ProviderError) as err:
        reply = chat(MESSAGES, model="openai/gpt-4o-mini", stream=stream)
        if stream:
            reply.text()
    assert isinstance(err.value, AIEError) and err.value.provider == "litellm"
    assert KEY not in str(err.value) and KEY not in repr(err.value.args), f"the echoed key must be redacted: {err.value}"


@pytest.mark.parametrize("stream", [False, True])
@pytest.mark.parametrize("retries", [0, 2])
def test_retries_follow_aie_max_retries(litellm_env, monkeypatch, retries, stream):
    monkeypatch.setenv("AIE_MAX_RETRIES", str(retries))
    monkeypatch.setattr("aie.llm._litellm.BACKOFF", 0.01)
    litellm_env.add("POST", "/v1/chat/completions", 500, json=error_body("overloaded", "server_error", None))
    with pytest.raises(ProviderError):
        reply = chat(MESSAGES, model="openai/gpt-4o-mini", stream=stream)
        if stream:
            reply.text()
    assert litellm_env.calls == retries + 1, \
        f"AIE_MAX_RETRIES={retries}: {retries + 1} attempt(s), not LiteLLM's own count; got {litellm_env.calls}"


def test_a_401_is_not_retried(litellm_env, monkeypatch):
    monkeypatch.setenv("AIE_MAX_RETRIES", "2")
    litellm_env.add("POST", "/v1/chat/completions", 401, json=error_body("bad key", "invalid_request_error", "invalid_api_key"))
    with pytest.raises(AuthenticationError):
        chat(MESSAGES, model="openai/gpt-4o-mini")
    assert litellm_env.calls == 1, "a refused key does not change on a retry"
