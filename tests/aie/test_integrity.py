"""The course is consistent: what CI checks so that no lab ships broken.

- labs/ is what `aie release` makes from solutions/ (not stale, not hand-edited);
- every graded test fails on the stubs with NotImplementedError ("not done yet"), and
  carries lab, exercise and points markers (that it passes on the solutions is what
  `make test` checks when it runs tests/labs with --target=solutions);
- signatures of labs/ and solutions/ match;
- every exercise has points equal to its tests' points, at least two hints, a graded
  test, and appears in its lab's notebook;
- no stray lab, solution, test or notebook files outside the manifest;
- notebooks are committed without outputs and nothing looks like an API key.
"""

from __future__ import annotations

import importlib
import inspect
import json
import re
import subprocess
import sys
from collections import defaultdict
from functools import lru_cache

import pytest

from aie.config import REPO_ROOT
from aie.grading import runner
from aie.grading.manifest import load_curriculum
from aie.grading.release import release

CURRICULUM = load_curriculum()
LABS = [lab.id for lab in CURRICULUM.labs]
KEY_SHAPES = re.compile(r"(sk-(?:proj-|ant-)?[A-Za-z0-9_\-]{20,}|AIza[0-9A-Za-z_\-]{30,}|hf_[A-Za-z0-9]{30,})")


def test_the_curriculum_lists_labs():
    assert LABS, "curriculum.toml lists no labs"


def test_labs_are_released_from_the_solutions():
    stale = release(check=True).stale
    assert not stale, f"run `aie release` and commit: stale {stale}"


@lru_cache(maxsize=1)
def stub_run():
    files = [lab.tests for lab in CURRICULUM.labs]
    return runner.run_pytest(files, target="labs", timeout=120)


@lru_cache(maxsize=1)
def collected() -> list[str]:
    out = subprocess.run([sys.executable, "-m", "pytest", "--collect-only", "-q", "tests/labs", "--target=labs"],
                         cwd=REPO_ROOT, capture_output=True, text=True)
    return [line for line in out.stdout.splitlines() if "::" in line]


@pytest.mark.parametrize("lab_id", LABS)
def test_every_graded_test_fails_on_the_stubs_with_not_done_yet(lab_id):
    tests = [t for t in stub_run().tests if t["lab"] == lab_id]
    assert tests, f"no graded test ran for {lab_id}"
    wrong = [f"{t['nodeid']}: {t['status']} {t['message'][:120]}" for t in tests if t["status"] != "not_started"]
    assert not wrong, "these tests do not fail on the stub with NotImplementedError:\n" + "\n".join(wrong)


def test_every_test_under_tests_labs_is_graded():
    graded = {t["nodeid"] for t in stub_run().tests}
    ungraded = [n for n in collected() if n not in graded]
    assert not ungraded, f"tests without lab/exercise/points markers (or not run): {ungraded[:10]}"


@pytest.mark.parametrize("lab_id", LABS)
def test_points_hints_and_tests_match_the_manifest(lab_id):
    lab = CURRICULUM.lab(lab_id)
    points = defaultdict(float)
    for t in stub_run().tests:
        if t["lab"] == lab_id:
            points[t["exercise"]] += t["points"]
    for ex in lab.exercises:
        assert len(ex.hints) >= 2, f"{ex.key} needs at least two hints"
        assert points.get(ex.name), f"{ex.key} has no graded test (@pytest.mark.exercise({ex.name!r}))"
        assert points[ex.name] == pytest.approx(ex.points, abs=0.01), \
            f"{ex.key}: curriculum.toml says {ex.points} points, its tests add up to {points[ex.name]:g}"
    unknown = set(points) - {ex.name for ex in lab.exercises}
    assert not unknown, f"tests name exercises not in curriculum.toml for {lab_id}: {unknown}"


def _public(module):
    for name, obj in vars(module).items():
        if name.startswith("_") or getattr(obj, "__module__", None) != module.__name__:
            continue
        if inspect.isfunction(obj):
            yield name, obj
        elif inspect.isclass(obj):
            yield name, obj
            for attr, member in vars(obj).items():
                if inspect.isfunction(member) and (not attr.startswith("_") or attr == "__init__"):
                    yield f"{name}.{attr}", member


@pytest.mark.parametrize("lab_id", LABS)
def test_signatures_of_labs_and_solutions_match(lab_id):
    solution = importlib.import_module(f"solutions.{lab_id}")
    stub = importlib.import_module(f"labs.{lab_id}")
    ours = dict(_public(solution))
    theirs = dict(_public(stub))
    assert set(ours) == set(theirs), f"names differ: {set(ours) ^ set(theirs)}"
    for name, obj in ours.items():
        if inspect.isclass(obj):
            continue
        assert str(inspect.signature(obj)) == str(inspect.signature(theirs[name])), f"{lab_id}.{name}"


@pytest.mark.parametrize("lab_id", LABS)
def test_the_notebook_uses_every_exercise_and_has_no_outputs(lab_id):
    lab = CURRICULUM.lab(lab_id)
    path = REPO_ROOT / lab.notebook
    assert path.is_file(), f"{lab.notebook} is missing"
    nb = json.loads(path.read_text())
    source = "\n".join("".join(c["source"]) for c in nb["cells"])
    for ex in lab.exercises:
        assert ex.name in source, f"{lab.notebook} never mentions {ex.key}"
    for cell in nb["cells"]:
        if cell["cell_type"] == "code":
            assert not cell.get("outputs") and cell.get("execution_count") is None, \
                f"{lab.notebook}: commit notebooks without outputs"


def test_no_stray_lab_files():
    modules = {f"{lab.id}.py" for lab in CURRICULUM.labs} | {"__init__.py"}
    for folder in ("labs", "solutions"):
        found = {p.name for p in (REPO_ROOT / folder).glob("*.py")}
        assert found == modules, f"{folder}/ has files outside curriculum.toml: {found ^ modules}"
    tests = {p.name for p in (REPO_ROOT / "tests" / "labs").glob("test_*.py")}
    assert tests == {f"test_{lab.id}.py" for lab in CURRICULUM.labs}, f"tests/labs/: {tests}"
    notebooks = {p.name for p in (REPO_ROOT / "notebooks").glob("*.ipynb")}
    assert notebooks == {lab.notebook.split("/")[-1] for lab in CURRICULUM.labs}, f"notebooks/: {notebooks}"


def _tracked_files():
    out = subprocess.run(["git", "ls-files", "-co", "--exclude-standard"], cwd=REPO_ROOT, capture_output=True, text=True)
    if out.returncode == 0:
        return [REPO_ROOT / line for line in out.stdout.splitlines()]
    return [p for p in REPO_ROOT.rglob("*") if ".venv" not in p.parts]


def test_nothing_committed_looks_like_an_api_key():
    suspects = []
    for path in _tracked_files():
        if not path.is_file() or path.stat().st_size > 5_000_000:
            continue
        if KEY_SHAPES.search(path.read_text(errors="ignore")):
            suspects.append(str(path.relative_to(REPO_ROOT)))
    # the tests that check key redaction use obviously fake keys; they are the only allowed ones
    allowed = {"tests/aie/test_replay_budget_keys.py", "tests/aie/test_cloud_backends.py", "tests/aie/test_integrity.py"}
    assert not set(suspects) - allowed, f"something shaped like an API key in: {set(suspects) - allowed}"
