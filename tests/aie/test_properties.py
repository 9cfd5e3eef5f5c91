"""Property-based tests: every runtime entry point, given arbitrary text, arrays and
argument values, returns a result or raises one of aie.errors / ValueError / TypeError,
never anything else (a KeyError, a UnicodeEncodeError, a RuntimeError from llama.cpp...).

Hypothesis generates the inputs (any Unicode, lone surrogates and U+FFFD included; NaN,
inf and zero rows; wrong shapes and types). Paths that run a model get a handful of
examples; the pure ones get more. `deadline=None`: a shared 2-core machine is slow.
"""

from __future__ import annotations

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from aie import validate
from aie.embed import embed
from aie.errors import AIEError
from aie.llm import chat
from aie.tokens import count_tokens, decode, encode

ALLOWED = (AIEError, ValueError, TypeError)
FEW = settings(max_examples=6, deadline=None, suppress_health_check=list(HealthCheck))
SOME = settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))

# Any code point, lone surrogates (Cs) included: what a careless decode can produce.
any_text = st.text(st.characters(codec=None, exclude_categories=()), max_size=40)
junk = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True), any_text,
                 st.binary(max_size=8), st.lists(st.integers(), max_size=3), st.dictionaries(any_text, st.integers(), max_size=2))


def _outcome(call):
    """The call's result, or the exception if it is an allowed kind; anything else fails."""
    try:
        return call()
    except ALLOWED as exc:
        return exc


@SOME
@given(value=st.one_of(any_text, junk))
def test_validate_text_accepts_or_refuses_cleanly(value):
    got = _outcome(lambda: validate.text(value, "x"))
    if isinstance(got, str):
        got.encode("utf-8")  # whatever passes can reach a tokenizer


@SOME
@given(arr=hnp.arrays(np.float64, hnp.array_shapes(min_dims=1, max_dims=3, max_side=5),
                      elements=st.floats(allow_nan=True, allow_infinity=True, width=32)))
def test_validate_vectors_accepts_only_finite_nonzero_rows(arr):
    got = _outcome(lambda: validate.vectors(arr, "v"))
    if isinstance(got, np.ndarray):
        assert got.ndim == 2 and np.isfinite(got).all() and np.any(got != 0, axis=1).all()


@SOME
@given(text=any_text, model=st.sampled_from(["gpt-4o", "gpt-4o-mini", "all-minilm-l6-v2", "claude-3-5-haiku-latest"]))
def test_count_tokens_over_any_text(text, model):
    got = _outcome(lambda: count_tokens(text, model))
    assert isinstance(got, int | Exception)
    if isinstance(got, int):
        assert got >= 0


@FEW
@given(text=any_text)
def test_local_tokenizer_over_any_text(text):
    got = _outcome(lambda: encode(text, "smollm2-135m-instruct"))
    if isinstance(got, list):
        _outcome(lambda: decode(got, "smollm2-135m-instruct"))


@SOME
@given(tokens=st.one_of(st.lists(st.integers(min_value=-5, max_value=300_000), max_size=6), junk))
def test_decode_over_any_ids(tokens):
    _outcome(lambda: decode(tokens, "gpt-4o"))


@FEW
@given(texts=st.one_of(st.lists(any_text, max_size=3), junk))
def test_embed_over_any_texts(texts):
    got = _outcome(lambda: embed(texts))
    if isinstance(got, np.ndarray):
        assert got.shape == (len(texts), 384) and np.isfinite(got).all()


@FEW
@given(content=any_text)
def test_chat_over_any_text(content):
    got = _outcome(lambda: chat([{"role": "user", "content": content}], max_tokens=2))
    if not isinstance(got, Exception):
        assert isinstance(got.text, str) and got.usage.prompt_tokens > 0


@FEW
@given(content=any_text)
def test_stream_over_any_text(content):
    def run():
        stream = chat([{"role": "user", "content": content}], max_tokens=2, stream=True)
        return "".join(stream)

    _outcome(run)


@SOME
@given(max_tokens=junk, temperature=junk, top_p=junk, seed=junk, stop=junk, tool_choice=junk)
def test_chat_arguments_of_any_type(tmp_path, monkeypatch, max_tokens, temperature, top_p, seed, stop, tool_choice):
    """Replay mode with an empty cassette folder: valid arguments end in ReplayMissingError
    (an aie error) without running a model, so many examples stay cheap."""
    monkeypatch.setenv("AIE_PROVIDER", "replay")
    monkeypatch.setenv("AIE_REPLAY_PROVIDER", "openai")
    monkeypatch.setenv("AIE_CASSETTE_DIR", str(tmp_path))
    _outcome(lambda: chat([{"role": "user", "content": "hi"}], max_tokens=max_tokens, temperature=temperature,
                          top_p=top_p, seed=seed, stop=stop, tool_choice=tool_choice))
