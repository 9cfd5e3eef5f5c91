"""Lab 01 — LLM basics: tokens, context windows, pricing and the chat completions API.

Covers: what a token is and why each model counts differently (tiktoken for OpenAI
models, the local model's own tokenizer), cutting text on token boundaries, whether a
chat fits a context window, what a call costs (prices from `aie/models.toml`), keeping a
conversation inside a budget, and the chat API's knobs: temperature, seed, max_tokens,
stop, streaming and finish reasons.

Leaves to later labs: prompt design (02), embeddings (03), retrieval (05), tools (06).

Everything runs on the local model (SmolLM2-135M-Instruct on llama.cpp) with no key; set
AIE_PROVIDER to run the same code on OpenAI, Anthropic or Ollama.
"""

from __future__ import annotations

from collections.abc import Iterator

from aie import llm, registry, tokens

LOCAL_MODEL = "smollm2-135m-instruct"


def count_tokens(text: str, model: str) -> int:
    """How many tokens `text` is for `model` — each model family has its own tokenizer.

    OpenAI models use a tiktoken encoding (the registry's `tokenizer` field says which:
    "tiktoken:o200k_base" for gpt-4o); local models use their own GGUF tokenizer.

        count_tokens("hello world", "gpt-4o") -> 2
        count_tokens("", "gpt-4o") -> 0
        count_tokens("hello", "no-such-model") -> ValueError (unknown model)
        count_tokens(42, "gpt-4o") -> ValueError (text must be a str)

    Choosing the tokenizer is the exercise: read the model's `tokenizer` field
    (`aie.registry.get_model(model).tokenizer`). "tiktoken:<encoding>" and
    "approx:<encoding>" mean tiktoken: `aie.tokens.get_encoding(encoding).encode(text)`;
    "local" means the model's own GGUF tokenizer: `aie.tokens.encode(text, model)`. Do not
    call `aie.tokens.count_tokens` (or `aie.tokens.encode` for a tiktoken model): they make
    the choice for you, and the tests switch them off.
    """
    # BEGIN SOLUTION
    if not isinstance(text, str):
        raise ValueError(f"text must be a string, got {type(text).__name__}")
    info = registry.get_model(model)  # raises UnknownModelError (a ValueError)
    if not text:
        return 0
    kind, _, encoding = info.tokenizer.partition(":")
    if kind == "local":
        return len(tokens.encode(text, model))
    return len(tokens.get_encoding(encoding).encode(text, disallowed_special=()))
    # END SOLUTION


def truncate_to_tokens(text: str, max_tokens: int, model: str) -> str:
    """The longest prefix of `text` that is at most `max_tokens` tokens for `model`.

    Cuts on token boundaries and never leaves half a character: a token can hold part of
    a multi-byte character (an emoji is often 2-3 tokens), and decoding a partial one
    gives the replacement character '\\ufffd'. Text that fits comes back unchanged.

        truncate_to_tokens("one two three four", 2, "gpt-4o") -> "one two"
        truncate_to_tokens("short", 100, "gpt-4o") -> "short"
        truncate_to_tokens("🙂 hi", 1, "smollm2-135m-instruct") -> ""   (half an emoji is no character)
        truncate_to_tokens("a \ufffd b c", 3, "gpt-4o") -> "a \ufffd b"  (a real '\ufffd' in the text is kept:
                                                              compare with the text, not with '\ufffd')
        truncate_to_tokens("text", 0, "gpt-4o") -> ValueError (max_tokens must be an int >= 1)
    """
    # BEGIN SOLUTION
    if not isinstance(text, str):
        raise ValueError(f"text must be a string, got {type(text).__name__}")
    if not isinstance(max_tokens, int) or isinstance(max_tokens, bool) or max_tokens <= 0:
        raise ValueError(f"max_tokens must be a positive integer, got {max_tokens!r}")
    registry.get_model(model)
    ids = tokens.encode(text, model)
    if len(ids) <= max_tokens:
        return text
    keep = max_tokens
    while keep > 0:
        piece = tokens.decode(ids[:keep], model)
        if text.startswith(piece):  # half a character decodes to '\ufffd', which the text lacks there
            return piece
        keep -= 1
    return ""
    # END SOLUTION


def fits_context(messages: list[dict], model: str, max_output_tokens: int) -> tuple[bool, str]:
    """Whether `messages` plus a reply of `max_output_tokens` fit `model`'s context window.

    Returns (fits, reason). The prompt's size includes the chat format's per-message
    overhead (role markers, separators): count it with `aie.tokens.count_tokens(messages,
    model)`, not by adding up the contents. This exercise is about calling that API and
    applying both limits: prompt + max_output_tokens <= the model's `context_window`
    (filling it exactly fits), and max_output_tokens <= its `max_output`. The reason names
    the limit that was hit (its number).

        fits_context([{"role": "user", "content": "hi"}], "gpt-4o", 100)
        -> (True, "prompt 8 + output 100 = 108 of 128000 tokens")
        fits_context(msgs, "gpt-4o", 20_000) -> (False, "... output limit of 16384")
        fits_context(msgs, "gpt-4o", 0) -> ValueError (max_output_tokens must be an int >= 1)
        a message that is not {"role": system/user/assistant/tool, "content": str} -> ValueError
    """
    # BEGIN SOLUTION
    if not isinstance(max_output_tokens, int) or max_output_tokens <= 0:
        raise ValueError(f"max_output_tokens must be a positive integer, got {max_output_tokens!r}")
    _check_messages(messages)
    info = registry.get_model(model)
    prompt = tokens.count_tokens(messages, model)
    need = prompt + max_output_tokens
    if max_output_tokens > info.max_output:
        return False, f"max_output_tokens {max_output_tokens} is over {model}'s output limit of {info.max_output}"
    if need > info.context_window:
        return False, (f"prompt {prompt} + output {max_output_tokens} = {need} tokens is over "
                       f"{model}'s context window of {info.context_window}")
    return True, f"prompt {prompt} + output {max_output_tokens} = {need} of {info.context_window} tokens"
    # END SOLUTION


def estimate_cost(prompt_tokens: int, completion_tokens: int, model: str, reasoning_tokens: int = 0) -> float:
    """US dollars for a call, from the registry's prices per 1M tokens.

    Input and output are priced differently (output usually 3-5x more). A reasoning model
    (`reasoning = true` in the registry) first writes hidden reasoning tokens: you never
    see them, but they are billed as OUTPUT tokens, at the output price, on top of the
    `completion_tokens` of the visible answer. (A provider's usage report may already
    include them in its output count, as OpenAI's `completion_tokens` does: pass them here
    only when you count them apart.)

        estimate_cost(1_000_000, 0, "gpt-4o") -> 2.5
        estimate_cost(1000, 500, "smollm2-135m-instruct") -> 0.0
        estimate_cost(1000, 100, "gpt-6-luna", reasoning_tokens=2000)   # 2,100 output tokens
            -> (1000 x 0.10 + 2100 x 0.50) / 1M = 0.00115
        estimate_cost(-1, 0, "gpt-4o") -> ValueError; an unknown model -> ValueError
    """
    # BEGIN SOLUTION
    for name, value in (("prompt_tokens", prompt_tokens), ("completion_tokens", completion_tokens),
                        ("reasoning_tokens", reasoning_tokens)):
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            raise ValueError(f"{name} must be a non-negative integer, got {value!r}")
    info = registry.get_model(model)
    output = completion_tokens + reasoning_tokens  # reasoning is billed as output
    return (prompt_tokens * info.input_per_1m + output * info.output_per_1m) / 1_000_000
    # END SOLUTION


def cheapest_model(prompt_tokens: int, completion_tokens: int, min_context: int,
                   providers: list[str] | None = None) -> str:
    """The id of the cheapest chat model for this call whose context window is at least
    `min_context`, among `providers` (all when None). Only kind "chat" (never an embedding
    or base model); retired models are skipped; the price is the whole call's (input and
    output tokens, see estimate_cost); ties go to the alphabetically first id.

        cheapest_model(1000, 1000, 100_000, providers=["openai"]) -> "gpt-6-luna"
        cheapest_model(10, 10, 50_000_000) -> ValueError (no model that big)
    """
    # BEGIN SOLUTION
    if not isinstance(min_context, int) or min_context <= 0:
        raise ValueError(f"min_context must be a positive integer, got {min_context!r}")
    if providers is not None and (not isinstance(providers, list) or not providers):
        raise ValueError("providers must be a non-empty list of provider names, or None for all")
    candidates = [
        m for m in registry.all_models().values()
        if m.kind == "chat" and m.status != "retired" and m.context_window >= min_context
        and (providers is None or m.provider in providers)
    ]
    if not candidates:
        raise ValueError(f"no chat model with a context window of {min_context} tokens among {providers or 'all providers'}")
    best = min(candidates, key=lambda m: (estimate_cost(prompt_tokens, completion_tokens, m.id), m.id))
    return best.id
    # END SOLUTION


def build_messages(system: str, history: list[dict], user: str, max_context_tokens: int,
                   model: str) -> list[dict]:
    """The messages for the next call: system first, then as much recent history as fits
    in `max_context_tokens`, then the new user message.

    Sizes are measured with `aie.tokens.count_tokens(messages, model)` (per-message overhead
    included). History is dropped oldest first, a whole turn (a user message and the reply
    after it) at a time, never half of one; the system prompt and the new user message are
    never dropped. If even those two do not fit, raise ValueError.

        build_messages("Be brief.", [u1, a1, u2, a2], "And now?", 10_000, "gpt-4o")
        -> [system, u1, a1, u2, a2, user]            (everything fits)
        ... with a small budget -> [system, u2, a2, user]
    """
    # BEGIN SOLUTION
    if not isinstance(system, str) or not isinstance(user, str):
        raise ValueError("system and user must be strings")
    if not isinstance(max_context_tokens, int) or max_context_tokens <= 0:
        raise ValueError(f"max_context_tokens must be a positive integer, got {max_context_tokens!r}")
    if history:
        _check_messages(history)
    registry.get_model(model)
    head = [{"role": "system", "content": system}]
    tail = [{"role": "user", "content": user}]
    if tokens.count_tokens(head + tail, model) > max_context_tokens:
        raise ValueError(f"the system prompt and user message alone are over max_context_tokens={max_context_tokens}")
    kept = list(history)
    while kept and tokens.count_tokens(head + kept + tail, model) > max_context_tokens:
        # drop the oldest turn: the first message and, if it was the user's, the reply after it
        drop = 2 if len(kept) > 1 and kept[0]["role"] == "user" and kept[1]["role"] == "assistant" else 1
        kept = kept[drop:]
    return head + kept + tail
    # END SOLUTION


def complete(prompt: str, *, temperature: float = 0.0, seed: int = 0, max_tokens: int = 64,
             stop: list[str] | None = None, system: str | None = None) -> llm.Completion:
    """One chat completion through `aie.llm.chat`: the prompt as a user message (after an
    optional system message: its own {"role": "system"} message, not pasted into the
    user's text), with temperature, seed, max_tokens and stop passed through.

    Returns the `Completion` (text, usage, finish_reason, cost, latency).

        complete("What is the capital of France?").text -> "The capital of France is Paris."
        complete("") -> ValueError (prompt must be a non-empty string; blank or None too)
    """
    # BEGIN SOLUTION
    if not isinstance(prompt, str) or not prompt.strip():
        raise ValueError("prompt must be a non-empty string")
    messages = ([{"role": "system", "content": system}] if system else []) + [{"role": "user", "content": prompt}]
    return llm.chat(messages, temperature=temperature, seed=seed, max_tokens=max_tokens, stop=stop)
    # END SOLUTION


def sample_diversity(prompt: str, temperature: float, n: int = 5, seed0: int = 0,
                     max_tokens: int = 24) -> list[str]:
    """`n` answers to the same prompt, with seeds seed0, seed0+1, ...

    At temperature 0 the model always picks its most likely token, so every answer is the
    same whatever the seed; at a high temperature the seed changes the samples.

        len(set(sample_diversity("Name a colour.", 0.0, n=5))) -> 1
    """
    # BEGIN SOLUTION
    if not isinstance(n, int) or n <= 0:
        raise ValueError(f"n must be a positive integer, got {n!r}")
    return [complete(prompt, temperature=temperature, seed=seed0 + i, max_tokens=max_tokens).text for i in range(n)]
    # END SOLUTION


def stream_complete(prompt: str, *, max_tokens: int = 64) -> Iterator[str]:
    """Yield the answer's text chunks as the model produces them: call `aie.llm.chat` with
    stream=True and yield each new chunk (not the text so far). Splitting a finished answer
    is not streaming.

    Joined, the chunks equal the non-streamed answer at temperature 0:

        "".join(stream_complete("Hi")) == complete("Hi").text
        list(stream_complete("")) -> ValueError (prompt must be a non-empty string)
    """
    # BEGIN SOLUTION
    if not isinstance(prompt, str) or not prompt.strip():
        raise ValueError("prompt must be a non-empty string")
    stream = llm.chat([{"role": "user", "content": prompt}], max_tokens=max_tokens, stream=True)
    yield from stream
    # END SOLUTION


def completion_budget(prompt: str, max_tokens: int) -> dict:
    """What happens at a given output budget: {"max_tokens", "completion_tokens",
    "finish_reason", "text"}.

    A reply cut off by the budget ends with finish_reason "length" (its text is
    unfinished: check this before you trust an answer); one that ended by itself, "stop";
    providers also say "content_filter" or "tool_calls". Read `finish_reason` and
    `usage.completion_tokens` from the Completion: never guess them from the budget, the
    token count or the punctuation (a reply can end by itself exactly at the budget).

        completion_budget("Count from 1 to 50.", 3)["finish_reason"] -> "length"
        completion_budget("Hi", 0) -> ValueError (max_tokens must be an int >= 1)
    """
    # BEGIN SOLUTION
    if not isinstance(max_tokens, int) or max_tokens <= 0:
        raise ValueError(f"max_tokens must be a positive integer, got {max_tokens!r}")
    reply = complete(prompt, max_tokens=max_tokens)
    return {
        "max_tokens": max_tokens,
        "completion_tokens": reply.usage.completion_tokens,
        "finish_reason": reply.finish_reason,
        "text": reply.text,
    }
    # END SOLUTION


def _check_messages(messages) -> None:
    """Given to you: the shape every chat message must have."""
    if not isinstance(messages, list):
        raise ValueError("messages must be a list of {'role', 'content'} dicts")
    for i, m in enumerate(messages):
        if not isinstance(m, dict) or m.get("role") not in ("system", "user", "assistant", "tool"):
            raise ValueError(f"messages[{i}] must be a dict with a 'role' of system/user/assistant/tool")
        if not isinstance(m.get("content"), str):
            raise ValueError(f"messages[{i}]['content'] must be a string")
