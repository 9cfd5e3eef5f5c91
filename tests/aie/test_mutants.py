"""The graded tests catch plausible mistakes: every exercise of every lab has at least three
mutants in tests/mutants/<lab>/<exercise>/ (wrong versions of the solution a learner might
write), each must lose at least one point on its own exercise, and the unchanged solution
must keep every point on the same tests. See tests/mutants/README.md.

One pytest process per lab runs all its mutants (tests/mutants/run.py): the models load
once, each mutant runs only its exercise's tests (or the few it names) and stops at its
first failure.
"""

from __future__ import annotations

import ast
import importlib.util
import json
import subprocess
import sys

import pytest

from aie.config import REPO_ROOT
from aie.grading.manifest import load_curriculum

CURRICULUM = load_curriculum()
LABS = [lab.id for lab in CURRICULUM.labs]
MUTANTS = REPO_ROOT / "tests" / "mutants"
MINIMUM = 3

_spec = importlib.util.spec_from_file_location("aie_mutants_run", MUTANTS / "run.py")
mutants = importlib.util.module_from_spec(_spec)
sys.modules[_spec.name] = mutants  # dataclasses look their module up by name
_spec.loader.exec_module(mutants)


@pytest.mark.parametrize("lab_id", LABS)
def test_every_exercise_has_at_least_three_mutants(lab_id):
    lab = CURRICULUM.lab(lab_id)
    found = {}
    for m in mutants.load_mutants(lab_id):
        found.setdefault(m.exercise, []).append(m.name)
    short = {e.name: len(found.get(e.name, [])) for e in lab.exercises if len(found.get(e.name, [])) < MINIMUM}
    assert not short, (f"{lab_id}: these exercises have fewer than {MINIMUM} mutants in tests/mutants/{lab_id}/"
                       f"<exercise>/ (see tests/mutants/README.md): {short}")
    stray = set(found) - {e.name for e in lab.exercises}
    assert not stray, f"tests/mutants/{lab_id}/ has folders for exercises curriculum.toml does not list: {stray}"


@pytest.mark.parametrize("lab_id", LABS)
def test_every_mutant_applies_to_the_solution_and_says_what_it_gets_wrong(lab_id):
    solution = (REPO_ROOT / "solutions" / f"{lab_id}.py").read_text(encoding="utf-8")
    problems = []
    for m in mutants.load_mutants(lab_id):
        where = str(m.path.relative_to(REPO_ROOT))
        if not m.description:
            problems.append(f"{where}: no docstring saying what the mistake is")
        try:
            source = mutants.apply(solution, m.path.read_text(encoding="utf-8"), where)
            ast.parse(source)
        except (mutants.MutantError, SyntaxError) as exc:
            problems.append(str(exc))
            continue
        if source == solution:
            problems.append(f"{where}: changes nothing")
    assert not problems, "\n".join(problems)


def test_an_exercise_without_mutants_is_reported(tmp_path, monkeypatch):
    """The check above is real: a lab folder with too few mutants is found."""
    (tmp_path / "some_lab" / "some_exercise").mkdir(parents=True)
    (tmp_path / "some_lab" / "some_exercise" / "one.py").write_text('"""One mistake."""\n')
    monkeypatch.setattr(mutants, "MUTANTS", tmp_path)
    found = mutants.load_mutants("some_lab")
    assert [(m.exercise, m.name, m.description) for m in found] == [("some_exercise", "one", "One mistake.")]
    assert len(found) < MINIMUM


def test_apply_replaces_functions_and_patches_text():
    solution = 'import os\n\n\ndef f(x):\n    """Doc."""\n    return x + 1\n\n\ndef g():\n    return 2\n'
    mutant = 'PATCHES = [("return 2", "return 3")]\n\n\ndef f(x):\n    return x - 1\n\n\ndef h():\n    return 0\n'
    out = mutants.apply(solution, mutant)
    namespace = {}
    exec(compile(out, "mutant", "exec"), namespace)
    assert namespace["f"](1) == 0 and namespace["g"]() == 3 and namespace["h"]() == 0
    with pytest.raises(mutants.MutantError, match="occurs 0 times"):
        mutants.apply(solution, 'PATCHES = [("return 99", "return 3")]\n')


@pytest.mark.slow
@pytest.mark.timeout(1800)
@pytest.mark.parametrize("lab_id", LABS)
def test_every_mutant_loses_points_and_the_solution_keeps_them(lab_id, tmp_path):
    report = tmp_path / "mutants.json"
    proc = subprocess.run([sys.executable, str(MUTANTS / "run.py"), lab_id, "--json", str(report)],
                          cwd=REPO_ROOT, capture_output=True, text=True)
    assert report.is_file(), f"the mutant run of {lab_id} did not finish:\n{proc.stderr[-4000:]}"
    results = json.loads(report.read_text())["results"]
    baseline = [r for r in results if r["baseline"] and (r["failed"] or not r["selected"])]
    assert not baseline, (f"{lab_id}: the unchanged solution loses points on the tests its mutants use "
                          f"(or no test was selected): {[(r['mutant'], r['failed'][:2]) for r in baseline]}")
    survivors = [f"{r['mutant']} ({r['description']}): " + (r.get("error") or f"passed {len(r['selected'])} test(s)")
                 for r in results if not r["baseline"] and not r["failed"]]
    assert not survivors, (f"{lab_id}: these mutants keep every point on their exercise; tighten the graded "
                           "tests (or the mutant's TESTS) until each loses one:\n" + "\n".join(survivors))
