"""Images and audio with a cloud provider: what no packaged local model does.

    from aie.media import vision_chat, generate_image, transcribe
    vision_chat(message, provider="openai", model="gpt-4o-mini")   # message with image parts
    generate_image("a lighthouse at dusk", provider="openai")      # PNG bytes
    transcribe("talk.wav", provider="openai")                      # verbose_json dict

`provider` is "openai", "anthropic" (vision only) or "replay" (answers from cassettes of
AIE_REPLAY_PROVIDER, as `aie.llm.chat` does). Keys, base URLs and retries come from the
same settings as chat (OPENAI_API_KEY, OPENAI_BASE_URL, ANTHROPIC_API_KEY, ...). Local
speech, OCR and moderation are lab 09's own exercises, on packaged models.
"""

from __future__ import annotations

import base64
from pathlib import Path
from typing import Any

from . import config
from .errors import ConfigError

DEFAULT_IMAGE_MODEL = "dall-e-3"
DEFAULT_TRANSCRIPTION_MODEL = "whisper-1"


def _resolve(provider: str | None, allowed: tuple[str, ...], what: str) -> tuple[str, bool]:
    """(real provider, replay?) for a media call, or a ConfigError that says what works."""
    provider = (provider or config.provider()).lower()
    replay = provider == "replay"
    if replay:
        provider = config.get("AIE_REPLAY_PROVIDER", "openai")
    if provider not in allowed:
        raise ConfigError(
            f"{what} needs provider {' or '.join(repr(p) for p in allowed)} (or 'replay' of one), "
            f"got {provider!r}: no packaged local model does it."
        )
    return provider, replay


def vision_chat(message: dict[str, Any], *, provider: str | None = None, model: str | None = None,
                max_tokens: int = 300) -> dict:
    """Send one user message that holds image parts; -> {"text", "prompt_tokens",
    "completion_tokens", "provider", "model"}."""
    from .llm import _media

    if not isinstance(message, dict) or message.get("role") != "user" or not isinstance(message.get("content"), list):
        raise ValueError("message must be {'role': 'user', 'content': [parts...]} with text and image parts")
    real, replay = _resolve(provider, ("openai", "anthropic"), "a vision chat")
    model = model or config.get("AIE_MODEL") or config.DEFAULT_MODELS[real]
    out = _media.vision_chat(real, model, message, max_tokens, replay)
    return {**out, "provider": real, "model": model}


def generate_image(prompt: str, *, provider: str | None = None, model: str | None = None,
                   size: str = "1024x1024") -> dict:
    """One image from the images API; -> {"png": bytes, "revised_prompt", "model"}."""
    from .llm import _media

    if not isinstance(prompt, str) or not prompt.strip():
        raise ValueError("prompt must be a non-empty string describing the image")
    _, replay = _resolve(provider, ("openai",), "image generation")
    model = model or DEFAULT_IMAGE_MODEL
    out = _media.generate_image(model, prompt, size, replay)
    return {"png": base64.b64decode(out["b64_json"]), "revised_prompt": out.get("revised_prompt"), "model": model}


def transcribe(path: str | Path, *, provider: str | None = None, model: str | None = None,
               language: str | None = "en") -> dict:
    """Speech to text with the audio transcriptions API; -> its verbose_json: {"text",
    "duration", "language", "segments": [{"start", "end", "text", ...}], "words": [...]}."""
    from .llm import _media

    path = Path(path)
    if not path.is_file():
        raise ValueError(f"audio file {path} does not exist")
    _, replay = _resolve(provider, ("openai",), "an audio transcription API call")
    return _media.transcribe(model or DEFAULT_TRANSCRIPTION_MODEL, path, language, replay)
