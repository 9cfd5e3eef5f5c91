"""Graded tests for lab 01, llm_basics. Run: aie check llm_basics

Tokens are checked against tiktoken and the local model's own tokenizer (the libraries
are the reference); model calls run on the local SmolLM2-135M with the network blocked,
and assert properties (finish reasons, usage, determinism), never the model's wording.
"""

from __future__ import annotations

import pytest

from aie import tokens
from aie.grading.checks import number, same

pytestmark = pytest.mark.lab("llm_basics")

LOCAL = "smollm2-135m-instruct"
SAMPLES = [
    "hello world",
    "Tokenization isn't word splitting: 'unbelievably' may be several tokens.",
    "Prix: 12,50 € — café crème, naïve façade.",
    "def f(x):\n    return x ** 2  # squares",
    "🙂🚀 emoji take several bytes",
]


# ---------------------------------------------------------------- count_tokens


@pytest.mark.exercise("count_tokens")
@pytest.mark.points(2)
@pytest.mark.parametrize("model", ["gpt-4o", "gpt-3.5-turbo"])
def test_count_tokens_matches_tiktoken(lab, model):
    """All samples in one case: a method wrong in kind (words, characters / 4) gets no
    credit from the odd sample where it happens to agree."""
    encoding = "o200k_base" if model == "gpt-4o" else "cl100k_base"
    for text in SAMPLES:
        expected = len(tokens.get_encoding(encoding).encode(text))
        got = lab.count_tokens(text, model)
        assert same(got, expected), f"{model} uses tiktoken's {encoding}: {text!r} is {expected} tokens, you counted {got}"


@pytest.mark.exercise("count_tokens")
@pytest.mark.points(1)
def test_count_tokens_uses_the_local_models_own_tokenizer(lab):
    from aie.llm._local import get_llama

    for text in SAMPLES:
        expected = len(get_llama().tokenize(text.encode(), add_bos=False, special=False))
        got = lab.count_tokens(text, LOCAL)
        assert same(got, expected), f"the local model's tokenizer makes {text!r} {expected} tokens, you counted {got}"


@pytest.mark.exercise("count_tokens")
@pytest.mark.points(1)
def test_the_same_text_costs_different_token_counts_per_model(lab):
    """Measured: 27 (gpt-4o, o200k), 34 (gpt-3.5-turbo, cl100k), 46 (SmolLM2)."""
    text = "Prix: 12,50 € — café crème 🙂🚀, naïve façade; 東京の天気は晴れです。"
    counts = {m: lab.count_tokens(text, m) for m in ("gpt-4o", "gpt-3.5-turbo", LOCAL)}
    assert len(set(counts.values())) == 3, f"three tokenizers count this text three ways: {counts}"


@pytest.mark.exercise("count_tokens")
@pytest.mark.points(1)
def test_count_tokens_picks_the_tokenizer_from_the_registry(lab, monkeypatch):
    """The lesson is choosing the tokenizer: aie.tokens.count_tokens (and aie.tokens.encode
    for tiktoken models) make that choice for you, so here they are switched off; only
    tiktoken through aie.tokens.get_encoding, and aie.tokens.encode for local models."""
    from aie.registry import get_model

    encode = tokens.encode

    def runtime_count(*args, **kwargs):
        raise AssertionError("aie.tokens.count_tokens was called")

    def local_only_encode(text, model):
        assert get_model(model).tokenizer == "local", f"aie.tokens.encode was called for {model}"
        return encode(text, model)

    monkeypatch.setattr(tokens, "count_tokens", runtime_count)
    monkeypatch.setattr(tokens, "encode", local_only_encode)
    text = SAMPLES[2]
    for model, encoding in (("gpt-4o", "o200k_base"), ("gpt-3.5-turbo", "cl100k_base"), ("claude-sonnet-5", "o200k_base")):
        expected = len(tokens.get_encoding(encoding).encode(text))
        try:
            got = lab.count_tokens(text, model)
        except AssertionError as exc:
            raise AssertionError(f"read the registry's `tokenizer` field and encode with tiktoken yourself "
                                 f"(aie.tokens.get_encoding); the runtime's counter is not the lesson ({exc})") from None
        assert same(got, expected), f"{model}'s registry tokenizer is {encoding}: {text!r} is {expected} tokens, got {got}"
    assert same(lab.count_tokens("", "gpt-4o"), 0) and same(lab.count_tokens("", LOCAL), 0), "empty text is 0 tokens"


@pytest.mark.exercise("count_tokens")
@pytest.mark.points(1)
@pytest.mark.parametrize("text, model", [(42, "gpt-4o"), (None, "gpt-4o"), ("hi", "gpt-17-ultra"), ("hi", "")])
def test_count_tokens_rejects_bad_input(lab, text, model):
    with pytest.raises(ValueError):
        lab.count_tokens(text, model)


# ---------------------------------------------------------------- truncate_to_tokens


@pytest.mark.exercise("truncate_to_tokens")
@pytest.mark.points(2)
@pytest.mark.parametrize("model", ["gpt-4o", LOCAL])
@pytest.mark.parametrize("budget", [1, 2, 3, 5, 8])
def test_truncation_is_a_prefix_within_budget(lab, model, budget):
    text = "Prix: 12,50 € — café crème 🙂🚀, naïve façade; tokens aren't words."
    cut = lab.truncate_to_tokens(text, budget, model)
    n = len(tokens.encode(cut, model))
    assert n <= budget, f"truncated text must be at most {budget} tokens, it is {n}: {cut!r}"
    assert text.startswith(cut), f"truncated text must be a prefix of the original, got {cut!r}"
    assert "\ufffd" not in cut, "never cut through the middle of a character (got a '\\ufffd')"


@pytest.mark.exercise("truncate_to_tokens")
@pytest.mark.points(1)
@pytest.mark.parametrize("model", ["gpt-4o", LOCAL])
def test_truncation_steps_back_over_a_split_character(lab, model):
    """Measured: in o200k the rocket emoji is 2 tokens, in SmolLM2's tokenizer each emoji
    is 2, so budgets 1-4 cut through one of them; decoding that cut gives '\\ufffd'."""
    text = "🙂🚀 emoji first"
    for budget in (1, 2, 3, 4):
        cut = lab.truncate_to_tokens(text, budget, model)
        assert "\ufffd" not in cut and text.startswith(cut), \
            f"budget {budget}: step back to the last whole character, got {cut!r}"
        longer = tokens.decode(tokens.encode(text, model)[:budget], model)
        assert len(cut) >= len(longer.rstrip("\ufffd")), f"budget {budget}: keep every whole character that fits"


@pytest.mark.exercise("truncate_to_tokens")
@pytest.mark.points(1)
def test_truncation_keeps_as_much_as_fits(lab):
    text = "one two three four five six seven eight"
    cut = lab.truncate_to_tokens(text, 4, "gpt-4o")
    assert same(cut, "one two three four"), f"4 o200k tokens of {text!r} are 'one two three four', got {cut!r}"


@pytest.mark.exercise("truncate_to_tokens")
@pytest.mark.points(1)
def test_truncation_keeps_a_real_replacement_character(lab):
    """A text may hold a real U+FFFD (from an earlier lossy decode): it is a character
    like any other, and the cut keeps every whole token before the budget runs out."""
    text = "Name: J\ufffdrg \ufffd Meyer, then several more plain words"
    ids = tokens.get_encoding("o200k_base").encode(text)
    budget = len(ids) - 2
    expected = tokens.get_encoding("o200k_base").decode(ids[:budget])
    assert text.startswith(expected)  # the fixture: whole characters up to the budget
    cut = lab.truncate_to_tokens(text, budget, "gpt-4o")
    assert same(cut, expected), f"the longest prefix within {budget} tokens is {expected!r}, got {cut!r}"


@pytest.mark.exercise("truncate_to_tokens")
@pytest.mark.points(1)
def test_text_that_fits_comes_back_unchanged(lab):
    text = "Short enough."
    assert same(lab.truncate_to_tokens(text, 100, "gpt-4o"), text), "text within the budget must not change"


@pytest.mark.exercise("truncate_to_tokens")
@pytest.mark.points(1)
@pytest.mark.parametrize("budget", [0, -3, 2.5])
def test_truncation_rejects_bad_budgets(lab, budget):
    with pytest.raises(ValueError):
        lab.truncate_to_tokens("some text", budget, "gpt-4o")


# ---------------------------------------------------------------- fits_context


@pytest.mark.exercise("fits_context")
@pytest.mark.points(2)
def test_a_short_chat_fits_and_says_why(lab):
    messages = [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Hi!"}]
    ok, reason = lab.fits_context(messages, "gpt-4o", 500)
    assert ok is True, f"a two-message chat fits gpt-4o's 128k window; reason given: {reason}"
    assert isinstance(reason, str) and reason, "give a reason even when it fits"


@pytest.mark.exercise("fits_context")
@pytest.mark.points(2)
def test_overflowing_the_window_is_reported(lab):
    long = "word " * 6000  # about 6000 tokens
    messages = [{"role": "user", "content": long}]
    ok, reason = lab.fits_context(messages, LOCAL, 2500)  # 8192-token window
    assert ok is False, "6000 prompt tokens + 2500 output tokens do not fit an 8192-token window"
    assert "8192" in reason, f"the reason should name the context window (8192), got: {reason}"


@pytest.mark.exercise("fits_context")
@pytest.mark.points(1)
def test_message_overhead_is_counted(lab):
    """Contents add up to exactly the window minus the output (the local model: 8192-token
    window, output limit 8192, so only the window decides), but role markers and
    separators cost tokens too, so it must not fit."""
    content = "hello " * 100
    n = len(tokens.encode(content, LOCAL))
    ok, _ = lab.fits_context([{"role": "user", "content": content}], LOCAL, 8192 - n)
    assert ok is False, "count each message's overhead (role, separators), not only its content"


@pytest.mark.exercise("fits_context")
@pytest.mark.points(1)
def test_the_window_and_the_output_limit_are_both_limits(lab):
    """A chat that fills the window exactly fits (<=, not <); an output over the model's
    max_output (gpt-4o: 16384) does not, however big the window."""
    messages = [{"role": "user", "content": "Summarise the meeting notes."}]
    prompt = tokens.count_tokens(messages, LOCAL)
    ok, reason = lab.fits_context(messages, LOCAL, 8192 - prompt)
    assert ok is True, f"prompt {prompt} + output {8192 - prompt} = 8192 fills the window exactly and fits: {reason}"
    ok, reason = lab.fits_context(messages, "gpt-4o", 20_000)
    assert ok is False, "gpt-4o writes at most 16384 tokens per answer: max_output_tokens=20000 cannot fit"
    assert "16384" in reason, f"the reason should name the output limit (16384), got: {reason}"


@pytest.mark.exercise("fits_context")
@pytest.mark.points(1)
@pytest.mark.parametrize("messages, out", [([{"role": "user", "content": "hi"}], 0),
                                           ([{"role": "robot", "content": "hi"}], 10),
                                           ([{"role": "user", "content": 3}], 10)])
def test_fits_context_rejects_bad_input(lab, messages, out):
    with pytest.raises(ValueError):
        lab.fits_context(messages, "gpt-4o", out)


# ---------------------------------------------------------------- estimate_cost / cheapest_model


@pytest.mark.exercise("estimate_cost")
@pytest.mark.points(2)
@pytest.mark.parametrize("model", ["gpt-4o", "gpt-4o-mini", "claude-sonnet-4-0", LOCAL])
def test_cost_uses_the_registry_prices(lab, model):
    from aie.registry import get_model

    info = get_model(model)
    expected = (12_345 * info.input_per_1m + 678 * info.output_per_1m) / 1e6
    got = lab.estimate_cost(12_345, 678, model)
    assert number(got) and got == pytest.approx(expected), f"{model}: 12,345 in + 678 out should cost ${expected:.6f}, got ${got}"


@pytest.mark.exercise("estimate_cost")
@pytest.mark.points(1)
def test_output_tokens_cost_more_than_input_tokens(lab):
    assert lab.estimate_cost(0, 1000, "gpt-4o") > lab.estimate_cost(1000, 0, "gpt-4o"), \
        "price input and output tokens separately: output costs more per token"


@pytest.mark.exercise("estimate_cost")
@pytest.mark.points(1)
@pytest.mark.parametrize("args", [(-1, 0, "gpt-4o"), (10, 10, "gpt-9")])
def test_cost_rejects_bad_input(lab, args):
    with pytest.raises(ValueError):
        lab.estimate_cost(*args)


@pytest.mark.exercise("estimate_cost")
@pytest.mark.points(1)
def test_reasoning_tokens_are_billed_as_output(lab):
    """gpt-6-luna is a reasoning model ($0.10 in, $0.50 out per 1M): 1,000 prompt tokens,
    a 100-token answer and 2,000 hidden reasoning tokens bill 2,100 output tokens, $0.00115."""
    from aie.registry import get_model

    info = get_model("gpt-6-luna")
    assert info.reasoning, "the registry marks gpt-6-luna as a reasoning model"
    got = lab.estimate_cost(1000, 100, "gpt-6-luna", reasoning_tokens=2000)
    expected = (1000 * info.input_per_1m + 2100 * info.output_per_1m) / 1e6
    assert number(got) and got == pytest.approx(expected), \
        f"reasoning tokens are billed at the output price: expected ${expected:.6f}, got ${got}"
    assert lab.estimate_cost(1000, 100, "gpt-6-luna") == pytest.approx((1000 * info.input_per_1m
                                                                         + 100 * info.output_per_1m) / 1e6), \
        "reasoning_tokens defaults to 0"
    with pytest.raises(ValueError):
        lab.estimate_cost(1000, 100, "gpt-6-luna", reasoning_tokens=-5)


@pytest.mark.exercise("cheapest_model")
@pytest.mark.points(2)
def test_cheapest_model_matches_a_brute_force_search(lab):
    from aie.registry import all_models

    for providers in (["openai"], ["anthropic"], ["openai", "anthropic"]):
        for min_context in (4_000, 16_000, 150_000, 500_000):
            for prompt, completion in ((5000, 1000), (100, 20_000)):  # input-heavy and output-heavy calls
                pool = [m for m in all_models().values() if m.kind == "chat" and m.provider in providers
                        and m.context_window >= min_context and m.status != "retired"]
                if not pool:
                    continue
                best = min(pool, key=lambda m: (m.cost(prompt, completion), m.id)).id
                got = lab.cheapest_model(prompt, completion, min_context, providers=providers)
                assert same(got, best), (f"for {prompt} in + {completion} out, the cheapest active chat model of "
                                     f"{providers} with >= {min_context} context is {best}, got {got}")


@pytest.mark.exercise("cheapest_model")
@pytest.mark.points(1)
def test_price_ties_go_to_the_first_id(lab):
    from aie.registry import all_models

    free = sorted(m.id for m in all_models().values() if m.kind == "chat" and m.status != "retired"
                  and m.context_window >= 4000)
    got = lab.cheapest_model(0, 0, 4000)
    assert got == free[0], f"a call of 0 tokens costs nothing anywhere: the tie goes to the first id, {free[0]}, got {got}"


@pytest.mark.exercise("cheapest_model")
@pytest.mark.points(1)
def test_the_local_model_is_free(lab):
    assert lab.estimate_cost(5000, 1000, lab.cheapest_model(5000, 1000, 4000)) == 0.0, \
        "with every provider allowed, a free local model is the cheapest"


@pytest.mark.exercise("cheapest_model")
@pytest.mark.points(1)
def test_no_model_big_enough_is_an_error(lab):
    with pytest.raises(ValueError):
        lab.cheapest_model(10, 10, 50_000_000)


# ---------------------------------------------------------------- build_messages


def _history(turns: int) -> list[dict]:
    out = []
    for i in range(turns):
        out.append({"role": "user", "content": f"Question number {i}: tell me about topic {i}."})
        out.append({"role": "assistant", "content": f"Answer number {i}: topic {i} is interesting. " * 3})
    return out


@pytest.mark.exercise("build_messages")
@pytest.mark.points(1)
def test_everything_is_kept_when_it_fits(lab):
    history = _history(3)
    msgs = lab.build_messages("Be brief.", history, "And now?", 100_000, "gpt-4o")
    assert same(msgs[0], {"role": "system", "content": "Be brief."}), "the system prompt comes first"
    assert same(msgs[1:-1], history), "with room to spare, the whole history is kept in order"
    assert same(msgs[-1], {"role": "user", "content": "And now?"}), "the new user message comes last"


@pytest.mark.exercise("build_messages")
@pytest.mark.points(2)
@pytest.mark.parametrize("model", ["gpt-4o", LOCAL])
@pytest.mark.parametrize("budget", [80, 150, 250])
def test_oldest_turns_are_dropped_to_fit(lab, model, budget):
    history = _history(6)
    msgs = lab.build_messages("Be brief.", history, "And now?", budget, model)
    assert tokens.count_tokens(msgs, model) <= budget, f"the result must fit {budget} tokens"
    assert msgs[0]["role"] == "system" and msgs[-1]["content"] == "And now?", "system and user are never dropped"
    kept = msgs[1:-1]
    assert same(kept, history[len(history) - len(kept):]), "keep the most recent history, dropping the oldest first"
    assert not kept or kept[0]["role"] == "user", "drop whole turns: the kept history starts with a user message"
    bigger = lab.build_messages("Be brief.", history, "And now?", budget + 200, model)
    assert len(bigger) >= len(msgs), "a bigger budget never keeps less history"


@pytest.mark.exercise("build_messages")
@pytest.mark.points(1)
@pytest.mark.parametrize("model", ["gpt-4o", LOCAL])
def test_a_whole_turn_is_dropped_never_half(lab, model):
    """The budget fits everything but the oldest user message: dropping that message alone
    would fit, but leaves a reply without its question, so the whole first turn goes."""
    history = _history(3)
    head, tail = [{"role": "system", "content": "Be brief."}], [{"role": "user", "content": "And now?"}]
    budget = tokens.count_tokens(head + history[1:] + tail, model)
    msgs = lab.build_messages("Be brief.", history, "And now?", budget, model)
    assert same(msgs[1:-1], history[2:]), ("drop the oldest user message together with the reply after it: "
                                       f"kept {[m['role'] for m in msgs[1:-1]]}, expected {[m['role'] for m in history[2:]]}")


@pytest.mark.exercise("build_messages")
@pytest.mark.points(1)
def test_a_budget_too_small_for_system_and_user_is_an_error(lab):
    with pytest.raises(ValueError):
        lab.build_messages("You are a very careful assistant. " * 20, [], "Hi", 20, "gpt-4o")


# ---------------------------------------------------------------- complete


@pytest.mark.exercise("complete")
@pytest.mark.points(2)
def test_complete_answers_through_the_local_model(lab):
    reply = lab.complete("What is the capital of France?", max_tokens=24)
    assert "paris" in reply.text.lower(), f"the local model knows this one; got {reply.text!r}"
    messages = [{"role": "user", "content": "What is the capital of France?"}]
    assert reply.usage.prompt_tokens == tokens.count_tokens(messages, LOCAL), \
        "send the prompt as one user message (usage.prompt_tokens should match that chat's size)"


@pytest.mark.exercise("complete")
@pytest.mark.points(1)
def test_complete_passes_max_tokens_and_stop(lab):
    reply = lab.complete("List the numbers from 1 to 30, separated by commas.", max_tokens=8)
    assert reply.usage.completion_tokens <= 8, "pass max_tokens through to the model"
    stopped = lab.complete("List the numbers from 1 to 30, separated by commas.", max_tokens=64, stop=["5"])
    assert "5" not in stopped.text, f"pass stop through: generation ends before the stop text, got {stopped.text!r}"


@pytest.mark.exercise("complete")
@pytest.mark.points(1)
def test_complete_uses_the_system_prompt(lab):
    plain = lab.complete("Say something.", max_tokens=24)
    with_system = lab.complete("Say something.", max_tokens=24, system="Answer only in French.")
    messages = [{"role": "system", "content": "Answer only in French."}, {"role": "user", "content": "Say something."}]
    assert with_system.usage.prompt_tokens == tokens.count_tokens(messages, LOCAL), \
        "send the system prompt as its own system message before the user message (not inside the user's text)"
    assert plain.text != with_system.text, "a different system prompt should change the answer"


@pytest.mark.exercise("complete")
@pytest.mark.points(1)
@pytest.mark.parametrize("prompt", ["", "   ", None])
def test_complete_rejects_empty_prompts(lab, prompt):
    with pytest.raises(ValueError):
        lab.complete(prompt)


# ---------------------------------------------------------------- sample_diversity


@pytest.mark.exercise("sample_diversity")
@pytest.mark.points(2)
def test_temperature_zero_gives_one_answer(lab):
    answers = lab.sample_diversity("Name one colour.", 0.0, n=4, seed0=7)
    assert len(answers) == 4, "return n answers"
    assert len(set(answers)) == 1, f"at temperature 0 every seed gives the same answer, got {set(answers)}"


@pytest.mark.exercise("sample_diversity")
@pytest.mark.points(2)
def test_high_temperature_gives_several_answers(lab):
    """Measured on the solution: 5/5 distinct answers at temperature 1.2, every run."""
    answers = lab.sample_diversity("Write a title for a short story.", 1.2, n=5, seed0=0)
    assert len(set(answers)) >= 3, f"at temperature 1.2 different seeds should differ, got {answers}"


@pytest.mark.exercise("sample_diversity")
@pytest.mark.points(1)
def test_the_same_seed_repeats(lab):
    a = lab.sample_diversity("Write a title for a short story.", 1.2, n=2, seed0=3)
    b = lab.sample_diversity("Write a title for a short story.", 1.2, n=2, seed0=3)
    assert a == b, "the same seeds at the same temperature give the same samples (seed each call)"


# ---------------------------------------------------------------- stream_complete


@pytest.mark.exercise("stream_complete")
@pytest.mark.points(2)
def test_streamed_chunks_join_to_the_answer(lab):
    prompt = "Give one tip for writing clear emails."
    chunks = list(lab.stream_complete(prompt, max_tokens=40))
    assert len(chunks) > 3, f"stream the answer in pieces as it is generated, got {len(chunks)} chunk(s)"
    assert all(isinstance(c, str) for c in chunks), "yield text chunks (strings)"
    whole = lab.complete(prompt, max_tokens=40).text
    assert same(whole, "".join(chunks)), "the joined chunks equal the non-streamed answer at temperature 0"


@pytest.mark.exercise("stream_complete")
@pytest.mark.points(1)
def test_the_model_is_asked_to_stream(lab, monkeypatch):
    """Splitting a finished answer into pieces is not streaming: the lesson is the API's
    stream=True, so this test watches the call to aie.llm.chat."""
    from aie import llm

    real, calls = llm.chat, []

    def watched(*args, **kwargs):
        calls.append(bool(kwargs.get("stream")))
        return real(*args, **kwargs)

    monkeypatch.setattr(llm, "chat", watched)
    chunks = list(lab.stream_complete("Say hello.", max_tokens=8))
    assert chunks, "yield the answer's chunks"
    assert calls and all(calls), "call aie.llm.chat(messages, ..., stream=True) and yield its chunks as they come"


@pytest.mark.exercise("stream_complete")
@pytest.mark.points(1)
def test_stream_complete_rejects_empty_prompts(lab):
    with pytest.raises(ValueError):
        list(lab.stream_complete(""))


# ---------------------------------------------------------------- completion_budget


@pytest.mark.exercise("completion_budget")
@pytest.mark.points(2)
def test_a_small_budget_ends_with_length(lab):
    out = lab.completion_budget("Count from 1 to 50, separated by commas.", 5)
    assert same(out["finish_reason"], "length"), "a reply cut off by max_tokens has finish_reason 'length'"
    assert same(out["completion_tokens"], 5), "it used the whole budget"
    assert set(out) >= {"max_tokens", "completion_tokens", "finish_reason", "text"}, "return every field"


@pytest.mark.exercise("completion_budget")
@pytest.mark.points(1)
def test_a_big_enough_budget_ends_with_stop(lab):
    out = lab.completion_budget("What is the capital of France?", 64)
    assert same(out["finish_reason"], "stop"), "a reply that finished by itself has finish_reason 'stop'"
    assert out["completion_tokens"] < 64


@pytest.mark.exercise("completion_budget")
@pytest.mark.points(1)
def test_completion_budget_rejects_bad_budgets(lab):
    with pytest.raises(ValueError):
        lab.completion_budget("Hi", 0)


@pytest.fixture
def openai_compatible(monkeypatch):
    """A canned OpenAI-compatible server on 127.0.0.1, standing in for a cloud provider
    (none is reachable here). It answers POST /v1/chat/completions with the documented
    `chat.completion` shape (OpenAI API reference: `choices[0].finish_reason` is "stop",
    "length", "content_filter" or "tool_calls"; `usage.completion_tokens`), one queued body
    per call. What is tested is the learner's code reading those fields."""
    import http.server
    import json
    import threading

    queue: list[dict] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args):
            pass

        def do_POST(self):
            self.rfile.read(int(self.headers.get("content-length") or 0))
            text, finish, used = queue.pop(0)
            body = json.dumps({
                "id": "chatcmpl-canned", "object": "chat.completion", "created": 1767225600, "model": "gpt-4o-mini",
                "choices": [{"index": 0, "message": {"role": "assistant", "content": text},
                             "finish_reason": finish, "logprobs": None}],
                "usage": {"prompt_tokens": 11, "completion_tokens": used, "total_tokens": 11 + used},
            }).encode()
            self.send_response(200)
            self.send_header("content-type", "application/json")
            self.send_header("content-length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    monkeypatch.setenv("AIE_PROVIDER", "openai")
    monkeypatch.setenv("AIE_MODEL", "gpt-4o-mini")
    monkeypatch.setenv("OPENAI_BASE_URL", f"http://127.0.0.1:{server.server_address[1]}/v1")
    monkeypatch.setenv("AIE_MAX_RETRIES", "0")
    yield queue
    server.shutdown()
    server.server_close()


@pytest.mark.exercise("completion_budget")
@pytest.mark.points(1)
def test_the_finish_reason_is_read_not_guessed(lab, openai_compatible):
    """Providers say why a reply ended; the token count and the punctuation do not: a reply
    can end by itself exactly at the budget, or be stopped by a content filter."""
    openai_compatible.append(("Paris is the capital", "stop", 5))
    out = lab.completion_budget("What is the capital of France?", 5)
    assert same(out["finish_reason"], "stop"), \
        f"the provider said 'stop' (the reply ended by itself at exactly 5 tokens); you said {out['finish_reason']!r}"
    openai_compatible.append(("", "content_filter", 0))
    out = lab.completion_budget("What is the capital of France?", 5)
    assert same(out["finish_reason"], "content_filter"), \
        f"return the Completion's finish_reason as the provider gave it ('content_filter'), got {out['finish_reason']!r}"
