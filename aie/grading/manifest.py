"""`curriculum.toml`: the ordered labs and their exercises — the one list every tool reads.

    [[lab]]
    id = "llm_basics"
    title = "Tokens, context windows, pricing and the chat API"
    module = "labs/llm_basics.py"
    notebook = "notebooks/01_llm_basics.ipynb"

    [[lab.exercise]]
    name = "count_tokens"
    points = 3
    hints = ["gentle", "...", "near-solution"]
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from ..config import REPO_ROOT
from ..errors import ConfigError

CURRICULUM_PATH = REPO_ROOT / "curriculum.toml"


@dataclass(frozen=True)
class Exercise:
    name: str
    points: int
    hints: tuple[str, ...]
    lab: str

    @property
    def key(self) -> str:
        return f"{self.lab}.{self.name}"


@dataclass(frozen=True)
class Lab:
    id: str
    title: str
    module: str
    notebook: str
    exercises: tuple[Exercise, ...] = field(default_factory=tuple)
    number: int = 0

    @property
    def points(self) -> int:
        return sum(e.points for e in self.exercises)

    @property
    def solution(self) -> str:
        return f"solutions/{self.id}.py"

    @property
    def tests(self) -> str:
        return f"tests/labs/test_{self.id}.py"

    def exercise(self, name: str) -> Exercise:
        for e in self.exercises:
            if e.name == name:
                return e
        raise KeyError(f"{self.id} has no exercise {name!r}; it has: {', '.join(e.name for e in self.exercises)}")


@dataclass(frozen=True)
class Curriculum:
    labs: tuple[Lab, ...]

    def lab(self, lab_id: str) -> Lab:
        for lab in self.labs:
            if lab.id == lab_id:
                return lab
        known = ", ".join(lab.id for lab in self.labs) or "(none yet)"
        raise KeyError(f"no lab {lab_id!r}. Known labs: {known}")

    @property
    def points(self) -> int:
        return sum(lab.points for lab in self.labs)


def _need(entry: dict, where: str, key: str, kind: type):
    if key not in entry:
        raise ConfigError(f"curriculum.toml: {where} has no {key!r} field")
    value = entry[key]
    if not isinstance(value, kind) or isinstance(value, bool) and kind is int:
        raise ConfigError(f"curriculum.toml: {where} field {key!r} must be {kind.__name__}, got {value!r}")
    return value


def _number(notebook: str, default: int) -> int:
    """The lab's number, from its notebook's name: notebooks/05_rag.ipynb -> 5."""
    prefix = Path(notebook).name.split("_", 1)[0]
    return int(prefix) if prefix.isdigit() else default


def load_curriculum(path: Path | str = CURRICULUM_PATH) -> Curriculum:
    """Parse and validate the manifest; a malformed entry names the entry and the field."""
    path = Path(path)
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"{path} not found: run aie from the course's folder") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path.name} is not valid TOML: {exc}") from None
    labs, seen = [], set()
    for i, entry in enumerate(raw.get("lab", [])):
        where = f"lab #{i + 1}"
        lab_id = _need(entry, where, "id", str)
        where = f"lab {lab_id!r}"
        if lab_id in seen:
            raise ConfigError(f"curriculum.toml: {where} appears twice")
        seen.add(lab_id)
        exercises, names = [], set()
        for j, ex in enumerate(entry.get("exercise", [])):
            ex_where = f"{where} exercise #{j + 1}"
            name = _need(ex, ex_where, "name", str)
            ex_where = f"{where} exercise {name!r}"
            if name in names:
                raise ConfigError(f"curriculum.toml: {ex_where} appears twice")
            names.add(name)
            points = _need(ex, ex_where, "points", int)
            if points <= 0:
                raise ConfigError(f"curriculum.toml: {ex_where} field 'points' must be positive")
            hints = _need(ex, ex_where, "hints", list)
            if not all(isinstance(h, str) and h.strip() for h in hints):
                raise ConfigError(f"curriculum.toml: {ex_where} field 'hints' must be a list of non-empty strings")
            exercises.append(Exercise(name=name, points=points, hints=tuple(hints), lab=lab_id))
        labs.append(
            Lab(
                id=lab_id,
                title=_need(entry, where, "title", str),
                module=_need(entry, where, "module", str),
                notebook=_need(entry, where, "notebook", str),
                exercises=tuple(exercises),
                number=_number(entry.get("notebook", ""), i + 1),
            )
        )
    return Curriculum(labs=tuple(labs))
