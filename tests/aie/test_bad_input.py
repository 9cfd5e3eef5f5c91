"""Bad input and faults give a clear, typed error: never a crash, a hang, a leaked key or a
silently wrong answer. Each case here is a row of docs/reliability.md.

The cloud cases talk to `canned` (tests/aie/conftest.py), a loopback HTTP server answering
with the documented OpenAI response shapes (chat.completion, chat.completion.chunk over
server-sent events, error bodies `{"error": {"message", "type", "code"}}`): no OpenAI key
exists here. What is tested is our code: validation, the budget, redaction, error types.
The local cases run the real SmolLM2 model.
"""

from __future__ import annotations

import json
import math
import subprocess
import sys
import threading
import time

import numpy as np
import pytest

from aie import validate
from aie.embed import embed
from aie.errors import (
    AIEError,
    AuthenticationError,
    BudgetExceededError,
    ConfigError,
    ContextWindowError,
    InvalidInputError,
    InvalidTypeError,
    LocalModelError,
    ModelProviderMismatchError,
    ProviderError,
)
from aie.llm import chat, spent
from aie.tokens import count_tokens, decode

MESSAGES = [{"role": "user", "content": "What is the capital of France?"}]
KEY = "sk-" + "test-SECRET0123456789abcdefghij"  # built so the file itself holds nothing key-shaped


def _completion(prompt_tokens=14, completion_tokens=3, text="Paris."):
    return {"id": "chatcmpl-1", "object": "chat.completion", "created": 1, "model": "gpt-4o",
            "choices": [{"index": 0, "message": {"role": "assistant", "content": text}, "finish_reason": "stop"}],
            "usage": {"prompt_tokens": prompt_tokens, "completion_tokens": completion_tokens,
                      "total_tokens": prompt_tokens + completion_tokens}}


def _sse(pieces, usage=None):
    """An OpenAI streaming body; OpenAI-compatible servers often send no usage at all."""
    events = []
    for i, piece in enumerate(pieces):
        last = i == len(pieces) - 1
        events.append({"id": "c1", "object": "chat.completion.chunk", "created": 1, "model": "gpt-4o",
                       "choices": [{"index": 0, "delta": {"content": piece}, "finish_reason": "stop" if last else None}]})
    if usage:
        events.append({"id": "c1", "object": "chat.completion.chunk", "created": 1, "model": "gpt-4o",
                       "choices": [], "usage": usage})
    return "".join(f"data: {json.dumps(e)}\n\n" for e in events) + "data: [DONE]\n\n"


@pytest.fixture
def openai_env(monkeypatch, canned):
    monkeypatch.setenv("AIE_PROVIDER", "openai")
    monkeypatch.setenv("OPENAI_API_KEY", KEY)
    monkeypatch.setenv("OPENAI_BASE_URL", canned.url + "/v1")
    monkeypatch.setenv("AIE_MAX_RETRIES", "0")
    return canned


# ----------------------------------------------------------------- the validation module

@pytest.mark.parametrize("call, fragment", [
    (lambda: validate.text("ok\ud800", "prompt"), "prompt has a lone surrogate at index 2"),
    (lambda: validate.text(b"bytes", "prompt"), "prompt must be a string, got bytes"),
    (lambda: validate.text(None, "prompt"), "prompt must be a string, got NoneType"),
    (lambda: validate.text("x" * 11, "prompt", max_chars=10), "prompt is 11 characters, over the limit of 10"),
    (lambda: validate.text("  ", "query", allow_empty=False), "query must not be empty"),
    (lambda: validate.texts("one text", "texts"), "wrap a single text as [text]"),
    (lambda: validate.texts(["a", 3], "texts"), "texts[1] must be a string"),
    (lambda: validate.positive_int(0, "k"), "k must be a positive integer, got 0"),
    (lambda: validate.positive_int(2.0, "k"), "k must be an integer, got float"),
    (lambda: validate.positive_int(True, "k"), "k must be an integer, got bool"),
    (lambda: validate.number(math.nan, "C", minimum=0), "C must be a finite number"),
    (lambda: validate.number(0, "C", minimum=0, exclusive_minimum=True), "C must be greater than 0"),
    (lambda: validate.vectors([[1.0, math.nan]], "vectors"), "vectors[0] has a NaN or infinite value"),
    (lambda: validate.vectors([[1.0, 0.0], [0.0, 0.0]], "vectors"), "vectors[1] is all zeros"),
    (lambda: validate.vectors([[1.0, 2.0]], "vectors", dim=3), "vectors must have 3 columns"),
    (lambda: validate.vectors([1.0, 2.0], "vectors"), "vectors must be 2-D"),
    (lambda: validate.vectors([[1.0], [1.0, 2.0]], "vectors"), "numpy cannot read"),
    (lambda: validate.vector([math.inf, 1.0], "query"), "query has a NaN or infinite value"),
    (lambda: validate.vector([0.0, 0.0], "query"), "query is all zeros"),
    (lambda: validate.ids(["a", "b", "a"]), "ids must be unique: 'a' appears more than once"),
    (lambda: validate.ids(["a", ""]), "ids[1] must be a non-empty string"),
])
def test_validate_names_the_argument_and_the_rule(call, fragment):
    with pytest.raises((InvalidInputError, InvalidTypeError)) as err:
        call()
    assert fragment in str(err.value), f"expected {fragment!r} in {err.value}"
    assert isinstance(err.value, ValueError), "every validation error is also a ValueError"


def test_validate_passes_good_input_through():
    assert validate.text("héllo \ufffd", "t") == "héllo \ufffd"  # a real U+FFFD is valid text
    assert validate.positive_int(np.int64(3), "k") == 3
    assert validate.vectors([[3, 4]], "v").dtype == np.float32
    assert validate.vector([[3.0, 4.0]], "q").shape == (2,)
    assert validate.ids(("a", "b")) == ["a", "b"]


# ----------------------------------------------------------------- chat: arguments

@pytest.mark.parametrize("kwargs, fragment", [
    ({"messages": None}, "messages must be a non-empty list"),
    ({"messages": []}, "messages must be a non-empty list"),
    ({"messages": ["hi"]}, "messages[0] must be a dict"),
    ({"messages": [{"role": "robot", "content": "hi"}]}, "messages[0]['role'] must be one of"),
    ({"messages": [{"role": "user", "content": b"hi"}]}, "messages[0]['content'] must be a string, got bytes"),
    ({"messages": [{"role": "user", "content": None}]}, "messages[0]['content'] must be a string"),
    ({"messages": [{"role": "user", "content": "hi \ud800"}]}, "lone surrogate"),
    ({"messages": [{"role": "user", "content": "x" * 2_000_001}]}, "over the limit of 1,000,000"),
    ({"max_tokens": 0}, "max_tokens must be a positive integer"),
    ({"max_tokens": 1.5}, "max_tokens must be an integer"),
    ({"max_tokens": True}, "max_tokens must be an integer"),
    ({"temperature": math.nan}, "temperature must be a finite number"),
    ({"temperature": "hot"}, "temperature must be a number"),
    ({"temperature": 3}, "temperature must be at most 2"),
    ({"top_p": 0}, "top_p must be greater than 0"),
    ({"seed": "x"}, "seed must be an integer or None, got str"),
    ({"seed": 1.5}, "seed must be an integer or None, got float"),
    ({"stop": [1]}, "stop must be a non-empty string or a list"),
    ({"tools": "search"}, "tools must be a list"),
    ({"tools": [{"name": "bad name!"}]}, "tools[0]['name'] must be 1-64 letters"),
    ({"tools": [{"name": "a"}, {"name": "a"}]}, "tools must have unique names"),
    ({"tool_choice": 5}, "tool_choice must be 'auto'"),
    ({"response_format": {"type": "json_schema"}}, "needs {'json_schema'"),
    ({"response_format": {"type": "yaml"}}, "is not one of json_object"),
    ({"stream": "yes"}, "stream must be True or False"),
])
def test_chat_refuses_bad_arguments_before_any_model_runs(kwargs, fragment, monkeypatch):
    import aie.llm._local as local

    monkeypatch.setattr(local.LocalBackend, "complete", lambda *a: pytest.fail("bad input reached the model"))
    kwargs = {"messages": MESSAGES, **kwargs}
    with pytest.raises((InvalidInputError, InvalidTypeError)) as err:
        chat(kwargs.pop("messages"), **kwargs)
    assert fragment in str(err.value), f"expected {fragment!r} in {err.value}"


def test_a_model_the_local_provider_cannot_serve_is_an_error_naming_both(monkeypatch):
    """AIE_MODEL=gpt-4o left set with the local provider used to answer with SmolLM2,
    labelled and priced as gpt-4o."""
    monkeypatch.setenv("AIE_MODEL", "gpt-4o")
    with pytest.raises(ModelProviderMismatchError) as err:
        chat(MESSAGES, max_tokens=4)
    assert "'gpt-4o'" in str(err.value) and "local" in str(err.value) and "AIE_MODEL" in str(err.value)


def test_a_model_listed_under_another_cloud_provider_is_an_error(monkeypatch):
    monkeypatch.setenv("AIE_PROVIDER", "anthropic")
    monkeypatch.setenv("ANTHROPIC_API_KEY", KEY)
    with pytest.raises(ModelProviderMismatchError, match="'gpt-4o'.*anthropic.*lists 'gpt-4o' under openai"):
        chat(MESSAGES, model="gpt-4o")


def test_an_openai_compatible_server_may_serve_any_model_id(openai_env):
    openai_env.add("POST", "/v1/chat/completions", 200, json=_completion())
    assert chat(MESSAGES, model="llama3.2:3b").text == "Paris."


# ----------------------------------------------------------------- money

@pytest.mark.parametrize("value", ["nan", "inf", "-1", "ten dollars"])
def test_a_budget_that_is_not_a_finite_amount_names_the_variable(openai_env, monkeypatch, value):
    monkeypatch.setenv("AIE_BUDGET_USD", value)
    with pytest.raises(ConfigError, match="AIE_BUDGET_USD"):
        chat(MESSAGES, model="gpt-4o")
    assert openai_env.calls == 0


def test_an_unpriced_model_is_refused_while_a_budget_is_set(openai_env, monkeypatch):
    monkeypatch.setenv("OPENAI_BASE_URL", "https://api.openai.com/v1")  # not a local server
    monkeypatch.setenv("AIE_BUDGET_USD", "1")
    with pytest.raises(BudgetExceededError, match="no price in aie/models.toml"):
        chat(MESSAGES, model="gpt-9-turbo-unlisted")


def test_the_estimate_counts_tools_and_schema():
    from aie.llm import Request, _estimate_cost

    tools = [{"name": f"tool_{i}", "description": "Look something up in a large catalogue of things. " * 4,
              "parameters": {"type": "object", "properties": {"q": {"type": "string"}}}} for i in range(10)]
    bare = _estimate_cost(Request(messages=MESSAGES, model="gpt-4o", max_tokens=1))
    with_tools = _estimate_cost(Request(messages=MESSAGES, model="gpt-4o", max_tokens=1, tools=tools))
    with_schema = _estimate_cost(Request(messages=MESSAGES, model="gpt-4o", max_tokens=1, schema=tools[0]["parameters"]))
    assert with_tools > 10 * bare, "ten tool definitions cost far more than the message alone"
    assert with_schema > bare


def test_concurrent_calls_cannot_overspend_the_budget(openai_env, monkeypatch):
    """8 threads at once used to spend 6.8x the cap: each checked `spent` before any had
    added to it. Now each reserves its worst case under a lock."""
    from aie.llm import Request, _estimate_cost

    openai_env.add("POST", "/v1/chat/completions", 200, json=_completion())
    estimate = _estimate_cost(Request(messages=MESSAGES, model="gpt-4o", max_tokens=50))
    budget = 1.5 * estimate  # room for one worst case at a time
    monkeypatch.setenv("AIE_BUDGET_USD", repr(budget))
    barrier = threading.Barrier(8)
    outcomes: list[str] = []

    def call():
        barrier.wait()
        try:
            chat(MESSAGES, model="gpt-4o", max_tokens=50)
            outcomes.append("ok")
        except BudgetExceededError:
            outcomes.append("refused")

    threads = [threading.Thread(target=call) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(outcomes) == 8 and outcomes.count("ok") == openai_env.calls >= 1
    assert spent() <= budget, f"spent ${spent():.6f} past the ${budget:.6f} cap"


def test_a_stream_without_usage_is_charged_from_counted_tokens(openai_env):
    """OpenAI-compatible servers send no usage in a stream: it used to cost $0."""
    openai_env.add("POST", "/v1/chat/completions", 200, body=_sse(["The capital ", "is Paris."]),
                   content_type="text/event-stream")
    stream = chat(MESSAGES, model="gpt-4o", stream=True)
    assert "".join(stream) == "The capital is Paris."
    usage = stream.completion.usage
    assert usage.prompt_tokens == count_tokens(MESSAGES, "gpt-4o")
    assert usage.completion_tokens == count_tokens("The capital is Paris.", "gpt-4o")
    assert stream.completion.cost > 0 and spent() == pytest.approx(stream.completion.cost)


def test_an_abandoned_stream_is_still_charged(openai_env, monkeypatch):
    import aie.llm as llm

    openai_env.add("POST", "/v1/chat/completions", 200, body=_sse(["The capital ", "is ", "Paris."]),
                   content_type="text/event-stream")
    monkeypatch.setenv("AIE_BUDGET_USD", "1")
    stream = chat(MESSAGES, model="gpt-4o", stream=True)
    for _chunk in stream:
        break  # the learner stops reading after the first chunk...
    stream.close()  # ...and drops the stream (close(), or letting it be garbage-collected)
    assert spent() > 0, "what was generated before the stream was dropped is charged"
    assert llm._reserved_usd == 0, "the reservation is settled"


def test_a_stream_never_read_frees_its_reservation(openai_env, monkeypatch):
    import gc

    import aie.llm as llm

    monkeypatch.setenv("AIE_BUDGET_USD", "1")
    stream = chat(MESSAGES, model="gpt-4o", stream=True)
    assert llm._reserved_usd > 0
    del stream
    gc.collect()
    assert llm._reserved_usd == 0 and spent() == 0 and openai_env.calls == 0


def test_free_replayed_calls_are_not_refused_by_the_budget(monkeypatch, tmp_path):
    """A replayed cassette costs nothing, so a budget of $0 must not refuse it."""
    from aie.llm import Completion, Request
    from aie.llm._replay import cassette_key

    monkeypatch.setenv("AIE_PROVIDER", "replay")
    monkeypatch.setenv("AIE_REPLAY_PROVIDER", "openai")
    monkeypatch.setenv("AIE_CASSETTE_DIR", str(tmp_path))
    monkeypatch.setenv("AIE_BUDGET_USD", "0")
    request = Request(messages=MESSAGES, model="gpt-4o", max_tokens=16)
    answer = Completion(text="Paris.", finish_reason="stop", model="gpt-4o", provider="openai")
    path = tmp_path / f"openai-{cassette_key('openai', request)[:32]}.json"
    path.write_text(json.dumps({"provider": "openai", "request": request.fingerprint(), "response": answer.to_dict()}))
    reply = chat(MESSAGES, model="gpt-4o", max_tokens=16)
    assert reply.text == "Paris." and reply.cost == 0.0 and spent() == 0.0


# ----------------------------------------------------------------- secrets

def test_an_unexpected_backend_failure_is_typed_and_redacted(openai_env, monkeypatch):
    import aie.llm._openai as backend

    def boom(self, request):
        raise RuntimeError(f"socket said: Authorization: Bearer {KEY}")

    monkeypatch.setattr(backend.OpenAIBackend, "complete", boom)
    with pytest.raises(ProviderError) as err:
        chat(MESSAGES, model="gpt-4o")
    assert KEY not in str(err.value) and "***" in str(err.value)
    assert err.value.__cause__ is None and err.value.__suppress_context__, "the raw error is not chained"


def test_a_chat_error_echoing_the_key_is_redacted(openai_env):
    openai_env.add("POST", "/v1/chat/completions", 400,
                   json={"error": {"message": f"Bad request made with key {KEY}", "type": "invalid_request_error",
                                   "code": None}})
    with pytest.raises(ProviderError) as err:
        chat(MESSAGES, model="gpt-4o")
    assert KEY not in str(err.value)


@pytest.mark.parametrize("status, error_type", [(401, AuthenticationError), (400, ProviderError), (500, ProviderError)])
def test_embed_errors_are_typed_and_never_show_the_key(openai_env, status, error_type):
    openai_env.add("POST", "/v1/embeddings", status,
                   json={"error": {"message": f"Incorrect API key provided: {KEY}", "type": "invalid_request_error",
                                   "code": "invalid_api_key"}})
    with pytest.raises(error_type) as err:
        embed(["hello"], provider="openai")
    assert KEY not in str(err.value)


def test_every_api_key_variable_is_redacted(monkeypatch):
    from aie import config

    monkeypatch.setenv("GEMINI_API_KEY", "AIzaGEMINI-secret-0123456789")
    monkeypatch.setenv("MISTRAL_API_KEY", "mistral-secret-0123456789")
    text = config.redact("keys AIzaGEMINI-secret-0123456789 and mistral-secret-0123456789")
    assert "secret" not in text and text.count("***") == 2


# ----------------------------------------------------------------- embed and tokens

@pytest.mark.parametrize("texts, kind, fragment", [
    ("one text", InvalidTypeError, "wrap a single text as [text]"),
    ([b"bytes"], InvalidTypeError, "texts[0] must be a string, got bytes"),
    ([None], InvalidTypeError, "texts[0] must be a string"),
    (["ok", "bad \udcff"], InvalidInputError, "texts[1] has a lone surrogate"),
    (42, InvalidTypeError, "texts must be a list of strings"),
])
def test_embed_refuses_bad_texts(texts, kind, fragment):
    with pytest.raises(kind) as err:
        embed(texts)
    assert fragment in str(err.value)


def test_embed_refuses_a_bad_batch_size():
    with pytest.raises(InvalidInputError, match="batch_size must be a positive integer"):
        embed(["a"], batch_size=0)


@pytest.mark.parametrize("call, kind, fragment", [
    (lambda: count_tokens(b"hi", "gpt-4o"), InvalidTypeError, "count_tokens takes a string"),
    (lambda: count_tokens("hi \ud800", "gpt-4o"), InvalidInputError, "text has a lone surrogate"),
    (lambda: count_tokens([{"role": "user", "content": 5}], "gpt-4o"), InvalidTypeError, "messages[0]['content']"),
    (lambda: count_tokens("hi", None), InvalidTypeError, "model must be a string"),
    (lambda: decode("abc", "gpt-4o"), InvalidTypeError, "tokens must be a list of token ids"),
    (lambda: decode([1, -2], "gpt-4o"), InvalidTypeError, "tokens[1] must be a non-negative integer"),
    (lambda: decode([199998], "gpt-4o"), InvalidInputError, "not a token of gpt-4o"),  # found by test_properties
    (lambda: decode([10**9], "gpt-4o"), InvalidInputError, "its vocabulary has"),
])
def test_tokens_refuse_bad_input(call, kind, fragment):
    with pytest.raises(kind) as err:
        call()
    assert fragment in str(err.value)


# ----------------------------------------------------------------- the local backend

def test_the_registry_and_the_loaded_context_agree():
    """The registry said 8192 while the backend loaded 4096, so fits_context said yes to
    prompts the model could not read."""
    from aie.llm._local import DEFAULT_ID, get_llama
    from aie.registry import get_model

    assert get_llama().n_ctx() == get_model(DEFAULT_ID).context_window


def test_a_prompt_longer_than_the_window_names_the_count_and_the_window():
    from aie.registry import get_model

    window = get_model("smollm2-135m-instruct").context_window
    long_prompt = [{"role": "user", "content": "word " * (window + 500)}]
    for stream in (False, True):
        with pytest.raises(ContextWindowError) as err:
            chat(long_prompt, max_tokens=4, stream=stream)
        assert err.value.window == window and err.value.prompt_tokens > window
        assert f"{window:,} tokens" in str(err.value) and f"{err.value.prompt_tokens:,} tokens" in str(err.value)


@pytest.mark.parametrize("call", [
    lambda: chat([{"role": "user", "content": "\ud800"}], max_tokens=2),
    lambda: chat([{"role": "user", "content": "\ud800"}], max_tokens=2, stream=True),
    lambda: embed(["\ud800"]),
    lambda: count_tokens("\ud800", "smollm2-135m-instruct"),
    lambda: count_tokens("\ud800", "all-minilm-l6-v2"),
])
def test_lone_surrogates_get_the_same_clear_error_everywhere(call):
    with pytest.raises(InvalidInputError, match="lone surrogate at index 0"):
        call()


def test_concurrent_first_calls_load_one_model_and_keep_stdout():
    """8 threads calling at once used to load 8 models and, through llama-cpp-python's
    concurrent silencing of stdout/stderr, leave the process writing to /dev/null."""
    code = (
        "import threading, sys\n"
        "import aie.llm._local as local\n"
        "ts = [threading.Thread(target=local.get_llama) for _ in range(8)]\n"
        "[t.start() for t in ts]; [t.join() for t in ts]\n"
        "print('loaded', len(local._LOADED)); sys.stderr.write('stderr ok\\n')\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr[-2000:]
    assert "loaded 1" in out.stdout, f"expected one model loaded, got: {out.stdout!r}"
    assert "stderr ok" in out.stderr


def test_a_paused_stream_does_not_block_other_threads_forever(monkeypatch):
    monkeypatch.setenv("AIE_LOCAL_WAIT_S", "1")
    paused = chat(MESSAGES, max_tokens=24, stream=True)
    reading = iter(paused)
    first = next(reading)
    assert first
    errors: list[BaseException] = []

    def other():
        try:
            chat(MESSAGES, max_tokens=4)
        except BaseException as exc:  # reported below
            errors.append(exc)

    t = threading.Thread(target=other)
    start = time.monotonic()
    t.start()
    t.join(timeout=60)
    assert not t.is_alive(), "the other thread hung behind a paused stream"
    assert time.monotonic() - start < 60
    assert len(errors) == 1 and isinstance(errors[0], LocalModelError) and "AIE_LOCAL_WAIT_S" in str(errors[0])
    paused.close()
    assert chat(MESSAGES, max_tokens=4).text, "a closed stream frees the model"


def test_two_interleaved_streams_in_one_thread_do_not_corrupt_each_other():
    expected = chat(MESSAGES, max_tokens=16).text
    first = chat(MESSAGES, max_tokens=16, stream=True)
    it = iter(first)
    head = next(it)
    second = chat([{"role": "user", "content": "Name a colour."}], max_tokens=16, stream=True)
    with pytest.raises(LocalModelError, match="still open in this thread"):
        next(iter(second))
    assert head + "".join(it) == expected, "the first stream's text is intact"


def test_every_chat_error_is_an_aie_error_or_a_value_or_type_error():
    """The contract the property tests check at scale, on the cases above."""
    for bad in (None, "hi", [{}], [{"role": "user"}]):
        with pytest.raises((AIEError, ValueError, TypeError)):
            chat(bad)
