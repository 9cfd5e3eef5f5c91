"""The learner's progress: hints taken and the last check of each lab, in `.aie/state.json`
(git-ignored, so it never ends up in a submission)."""

from __future__ import annotations

import json
import time
from pathlib import Path

from ..config import REPO_ROOT

STATE_PATH = REPO_ROOT / ".aie" / "state.json"


def load(path: Path = STATE_PATH) -> dict:
    if path.is_file():
        try:
            return json.loads(path.read_text())
        except json.JSONDecodeError:
            pass
    return {"hints": {}, "checks": {}}


def save(state: dict, path: Path = STATE_PATH) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(state, indent=2))
    tmp.replace(path)


def record_check(lab_id: str, tests: list[dict], path: Path = STATE_PATH) -> None:
    state = load(path)
    state.setdefault("checks", {})[lab_id] = {"at": time.time(), "tests": tests}
    save(state, path)


def next_hint(key: str, path: Path = STATE_PATH) -> int:
    """Index of the hint to show now for `key` (lab.exercise); advances the counter."""
    state = load(path)
    shown = state.setdefault("hints", {}).get(key, 0)
    state["hints"][key] = shown + 1
    save(state, path)
    return shown
