"""Images and audio through the providers' SDKs: a vision chat (OpenAI image parts,
Anthropic image blocks), image generation (OpenAI images API) and speech to text (OpenAI
audio transcriptions API), with the same record/replay as chat (`aie/llm/_replay.py`).

Public entry points are in `aie.media`; this module is the only one that calls the SDKs for
them. A cassette is named by the SHA-256 of (kind, provider, request), where an audio file
counts by the SHA-256 of its bytes; it never holds a key.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from .. import config
from ..errors import ConfigError, ReplayMissingError


def _key(kind: str, provider: str, request: dict) -> str:
    blob = json.dumps({"kind": kind, "provider": provider, **request}, sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()


def _replayed(kind: str, provider: str, request: dict, call):
    """Run `call()` (the real request) or answer from a cassette, by AIE_PROVIDER=replay settings."""
    from ._replay import _write, cassette_dir

    path = cassette_dir() / f"{provider}-{kind}-{_key(kind, provider, request)[:32]}.json"
    mode = (config.get("AIE_REPLAY_MODE", "replay") or "replay").lower()
    if mode not in ("replay", "record"):
        raise ConfigError(f"AIE_REPLAY_MODE={mode!r} must be 'replay' or 'record'")
    if mode == "replay":
        if not path.is_file():
            raise ReplayMissingError(
                f"No cassette {path.name} in {path.parent} for this {provider} {kind} request. Record it "
                f"once with the provider's key set: AIE_PROVIDER=replay AIE_REPLAY_PROVIDER={provider} "
                "AIE_REPLAY_MODE=record <the same command>. (Recording calls the real provider.)"
            )
        return json.loads(path.read_text(encoding="utf-8"))["response"]
    response = call()
    _write(path, {"provider": provider, "kind": kind, "request": request, "response": response})
    return response


def _dump(obj) -> dict:
    return obj.model_dump(mode="json", exclude_none=True) if hasattr(obj, "model_dump") else dict(obj)


def vision_chat(provider: str, model: str, message: dict[str, Any], max_tokens: int, replay: bool) -> dict:
    """One user message with image parts -> {"text", "prompt_tokens", "completion_tokens"}."""

    def call() -> dict:
        if provider == "openai":
            from ._openai import _client, _translate_error

            try:
                resp = _client().chat.completions.create(model=model, messages=[message], max_tokens=max_tokens)
            except Exception as exc:
                raise _translate_error(exc) from None
            usage = resp.usage
            return {"text": resp.choices[0].message.content or "",
                    "prompt_tokens": usage.prompt_tokens if usage else 0,
                    "completion_tokens": usage.completion_tokens if usage else 0}
        from ._anthropic import _client, _translate_error

        try:
            resp = _client().messages.create(model=model, max_tokens=max_tokens, messages=[message])
        except Exception as exc:
            raise _translate_error(exc) from None
        text = "".join(b.text for b in resp.content if getattr(b, "type", "") == "text")
        return {"text": text, "prompt_tokens": resp.usage.input_tokens, "completion_tokens": resp.usage.output_tokens}

    request = {"model": model, "message": message, "max_tokens": max_tokens}
    return _replayed("vision", provider, request, call) if replay else call()


def generate_image(model: str, prompt: str, size: str, replay: bool) -> dict:
    """OpenAI images API -> {"b64_json", "revised_prompt"} for one image."""

    def call() -> dict:
        from ._openai import _client, _translate_error

        kwargs: dict[str, Any] = {"model": model, "prompt": prompt, "size": size, "n": 1}
        if model.startswith("dall-e"):
            kwargs["response_format"] = "b64_json"  # gpt-image models always answer in base64
        try:
            resp = _client().images.generate(**kwargs)
        except Exception as exc:
            raise _translate_error(exc) from None
        item = _dump(resp.data[0])
        return {"b64_json": item.get("b64_json", ""), "revised_prompt": item.get("revised_prompt")}

    request = {"model": model, "prompt": prompt, "size": size}
    return _replayed("image", "openai", request, call) if replay else call()


def transcribe(model: str, path: Path, language: str | None, replay: bool) -> dict:
    """OpenAI audio transcriptions API (verbose_json, segment and word timestamps) -> its JSON."""

    def call() -> dict:
        from ._openai import _client, _translate_error

        kwargs: dict[str, Any] = {"model": model, "response_format": "verbose_json",
                                  "timestamp_granularities": ["segment", "word"]}
        if language:
            kwargs["language"] = language
        try:
            with open(path, "rb") as f:
                resp = _client().audio.transcriptions.create(file=f, **kwargs)
        except Exception as exc:
            raise _translate_error(exc) from None
        return _dump(resp)

    digest = hashlib.sha256(Path(path).read_bytes()).hexdigest()
    request = {"model": model, "audio_sha256": digest, "language": language}
    return _replayed("transcription", "openai", request, call) if replay else call()
