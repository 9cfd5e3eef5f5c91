"""Lab 09's figures: the speech round trip per voice and speed, OCR accuracy by font size,
rotation and noise, transcription speed against raw faster-whisper, and the slide video's
timeline against its truth.

    .venv/bin/python bench/bench_multimodal.py            (or: make bench)
    .venv/bin/python bench/bench_multimodal.py --split tune --reps 5

Quality: every held-out sentence of datasets/spoken is spoken by each voice (Piper's packaged
"joe", espeak-ng en-us and en-gb) at speeds 0.8, 1.0 and 1.3, transcribed by the lab's
`transcribe` (Whisper tiny.en, greedy) and scored with the lab's `word_error_rate` (normalised
words). OCR: one sentence rendered in DejaVu Sans, scored by character accuracy.
Speed: the lab's `transcribe` and the same WhisperModel called directly (segments only, no
word timestamps) take turns on the same Piper audio, so a busy machine slows both alike; each
reports its median wall time and CPU time, and the real-time factor (seconds of work per second
of audio). The ratio lab/raw is what word timestamps and the lab's layer cost.
Prints Markdown tables and writes bench/results/multimodal.json.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import tempfile
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results" / "multimodal.json"
VOICES = ("joe", "espeak:en-us", "espeak:en-gb")
SPEEDS = (0.8, 1.0, 1.3)
PROBE = "The night crossing leaves at 10 from pier 2"


def load(name: str) -> list[dict]:
    return [json.loads(line) for line in (ROOT / "datasets" / "spoken" / name).read_text().splitlines() if line.strip()]


def round_trip(lab, sents: list[dict], work: Path) -> dict:
    table = {}
    for voice in VOICES:
        for speed in SPEEDS:
            wers = []
            for s in sents:
                out = lab.speak(s["text"], work / "rt.wav", voice=voice, speed=speed)
                wers.append(lab.word_error_rate(s["text"], lab.transcribe(out["path"])["text"]))
            table[f"{voice}@{speed}"] = {"voice": voice, "speed": speed, "mean_wer": round(float(np.mean(wers)), 4),
                                         "max_wer": round(float(np.max(wers)), 4), "sentences": len(wers)}
    return table


def ocr_grid(lab) -> dict:
    rows = {}
    for size in (10, 14, 20, 28):
        for noise in (0.0, 0.1, 0.2, 0.3):
            text = lab.ocr(lab.render_text(PROBE, size=size, noise=noise, seed=1))["text"]
            rows[f"size{size}-noise{noise}"] = {"size": size, "noise": noise, "rotation": 0,
                                                "accuracy": round(lab.char_accuracy(PROBE, text), 4)}
        for rotation in (4, 8, 15):
            text = lab.ocr(lab.render_text(PROBE, size=size, rotation=rotation))["text"]
            rows[f"size{size}-rot{rotation}"] = {"size": size, "noise": 0.0, "rotation": rotation,
                                                 "accuracy": round(lab.char_accuracy(PROBE, text), 4)}
    return rows


def speed(lab, sents: list[dict], work: Path, reps: int) -> dict:
    paths, audio_s = [], 0.0
    for i, s in enumerate(sents):
        out = lab.speak(s["text"], work / f"speed{i}.wav")
        paths.append(out["path"])
        audio_s += out["duration_s"]
    model = lab.whisper_model()

    def raw():
        for p in paths:
            segments, _ = model.transcribe(p, beam_size=1, language="en")
            list(segments)

    def ours():
        for p in paths:
            lab.transcribe(p)

    runs = {"lab": [], "raw": []}
    ours(), raw()  # warm both
    for _ in range(reps):
        for name, fn in (("lab", ours), ("raw", raw)):
            w, c = time.perf_counter(), time.process_time()
            fn()
            runs[name].append((time.perf_counter() - w, time.process_time() - c))
    out = {"audio_s": round(audio_s, 2), "files": len(paths), "reps": reps}
    for name, rs in runs.items():
        wall = statistics.median(r[0] for r in rs)
        out[name] = {"median_s": round(wall, 3), "cpu_s": round(statistics.median(r[1] for r in rs), 3),
                     "rtf": round(wall / audio_s, 4)}
    out["ratio_lab_over_raw"] = round(out["lab"]["median_s"] / out["raw"]["median_s"], 3)
    t0 = time.perf_counter()
    synth = sum(lab.speak(s["text"], work / "tts.wav")["duration_s"] for s in sents)
    out["piper_rtf"] = round((time.perf_counter() - t0) / synth, 4)
    return out


def timeline(lab, work: Path) -> dict:
    video = lab.make_slide_video(load("slides.jsonl"), work / "talk.mp4")
    t0 = time.perf_counter()
    scenes = lab.video_timeline(video["path"], every_s=1.0)
    took = time.perf_counter() - t0
    errors = [abs(a["start"] - b["start"]) for a, b in zip(scenes, video["slides"])]
    wers = [lab.word_error_rate(s["narration"], sc["said"]) for s, sc in zip(load("slides.jsonl"), scenes)]
    return {"video_s": video["duration_s"], "scenes": len(scenes), "slides": len(video["slides"]),
            "max_start_error_s": round(max(errors), 3), "said_wer": [round(w, 3) for w in wers],
            "seconds": round(took, 2)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--split", default="heldout", choices=["tune", "heldout"])
    parser.add_argument("--reps", type=int, default=3)
    args = parser.parse_args()
    import solutions.multimodal as lab

    sents = [s for s in load("sentences.jsonl") if s["split"] == args.split]
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        result = {"machine": {"cpus": os.cpu_count(), "python": platform.python_version()}, "split": args.split,
                  "round_trip": round_trip(lab, sents, work), "ocr": ocr_grid(lab),
                  "speed": speed(lab, sents, work, args.reps), "timeline": timeline(lab, work)}
    print(f"| voice | speed | mean WER ({args.split}, {len(sents)} sentences) | worst |\n|---|---|---|---|")
    for row in result["round_trip"].values():
        print(f"| {row['voice']} | {row['speed']} | {row['mean_wer']:.3f} | {row['max_wer']:.2f} |")
    print("\n| font size | noise 0 | 0.1 | 0.2 | 0.3 | rotated 4° | 8° | 15° |\n|---|---|---|---|---|---|---|---|")
    for size in (10, 14, 20, 28):
        o = result["ocr"]
        cells = [o[f"size{size}-noise{n}"]["accuracy"] for n in (0.0, 0.1, 0.2, 0.3)] + \
                [o[f"size{size}-rot{r}"]["accuracy"] for r in (4, 8, 15)]
        print(f"| {size} px | " + " | ".join(f"{c:.2f}" for c in cells) + " |")
    sp = result["speed"]
    print(f"\n| transcription of {sp['audio_s']} s of speech | median s | CPU s | real-time factor |\n|---|---|---|---|")
    for name in ("lab", "raw"):
        print(f"| {name} | {sp[name]['median_s']} | {sp[name]['cpu_s']} | {sp[name]['rtf']} |")
    print(f"\nlab / raw = {sp['ratio_lab_over_raw']}; Piper synthesis real-time factor {sp['piper_rtf']}")
    print(f"timeline: {result['timeline']}")
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=2) + "\n")


if __name__ == "__main__":
    main()
