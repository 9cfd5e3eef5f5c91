"""`aie grade --submission`: every way a submission was seen to award itself points, replayed.

Each row of the table below is a submission folder built here, on lab 01 (llm_basics),
graded with the real grader (`grade_submission`, the same code `aie grade --submission`
runs) on a small subset of its tests, with a short per-test limit. A row passes when the
points do not rise above the honest floor (the stub's 0, or what the honest parts earn)
and the reason is in the report the instructor reads.

| trick | where it is stopped |
|---|---|
| conftest.py at the root or in tests/labs; addopts in pyproject.toml, pytest.ini, setup.cfg; a plugin module; sitecustomize.py and a .pth in a venv; an edited aie/grading/plugin.py; edited tests and labs/.release.json | only labs/<lab>.py is read: all listed as ignored |
| PYTEST_ADDOPTS, PYTEST_PLUGINS, PYTHONPATH, AIE_TARGET, AIE_ROOT in the environment | removed from the child's environment, named in the report |
| the lab file patches the grading plugin, pytest's runner or Function.runtest, or writes a report at import | machinery fingerprint: "tampered", 0; the parent writes the reports |
| `__eq__` always true; reading the expected value from the test's frame; reading the test file | type-checked comparisons; the audit hook refuses frames and test files |
| hard-coding the visible tests' answers | hidden tests (named "hidden test N" in what learners see) |
| `import solutions` | refused by an import hook: the lab fails once, with the reason |
| an endless loop ignoring SIGALRM, at import or in one exercise | the child is killed; import: the lab fails once; test: that test 0, the rest graded |
| os._exit(0) at import or in a test; a 20 GB allocation | a complete report: the affected test at 0 with the reason |
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from aie.config import REPO_ROOT
from aie.grading import report
from aie.grading.checks import number, same
from aie.grading.manifest import load_curriculum
from aie.grading.scan import scan_source
from aie.grading.submission import Limits, grade_submission

LAB = "llm_basics"
# Fast tests (no model call): 2 + 2 + 1 points visible, plus the hidden test below.
KEYWORD = "count_tokens_matches_tiktoken or cost_uses_the_registry_prices or truncation_keeps_as_much or secret"
LIMITS = Limits(test=60, lab=600, import_=120, memory_mb=8192, restarts=3, grace=5)

HIDDEN_TEST = '''\
import pytest

from aie import tokens
from aie.grading.checks import same

pytestmark = pytest.mark.lab("llm_basics")


@pytest.mark.exercise("count_tokens")
@pytest.mark.points(2)
def test_secret_unseen_sentence(lab):
    text = "Zebra crossings glow purple under the Harbor lamps."
    expected = len(tokens.get_encoding("o200k_base").encode(text))
    assert same(lab.count_tokens(text, "gpt-4o"), expected), "SECRET-MESSAGE count the unseen sentence"
'''

ALWAYS_PASS_CONFTEST = '''\
import pytest


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    outcome.get_result().outcome = "passed"
'''


def solution_text() -> str:
    return (REPO_ROOT / "solutions" / f"{LAB}.py").read_text()


def stub_text() -> str:
    from aie.grading.release import stub_source

    return stub_source(solution_text(), LAB)


def overriding(base: str, extra: str) -> str:
    """`base` with functions redefined at the end (a later def wins)."""
    return base + "\n\n" + textwrap.dedent(extra)


def make(tmp_path: Path, name: str, lab_source: str, files: dict[str, str] | None = None) -> Path:
    root = tmp_path / name
    (root / "labs").mkdir(parents=True)
    (root / "labs" / f"{LAB}.py").write_text(lab_source)
    for rel, text in (files or {}).items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return root


def grade(folder: Path, *, hidden: Path | None = None, limits: Limits = LIMITS):
    curriculum = load_curriculum()
    graded = grade_submission(folder, [curriculum.lab(LAB)], limits=limits, hidden=hidden, keyword=KEYWORD)
    return graded, sum(t["score"] for t in graded.tests if not t.get("hidden"))


def by_function(graded) -> dict[str, list[dict]]:
    out: dict[str, list[dict]] = {}
    for t in graded.tests:
        out.setdefault(t["function"], []).append(t)
    return out


@pytest.fixture(scope="module")
def work(tmp_path_factory):
    return tmp_path_factory.mktemp("submissions")


@pytest.fixture(scope="module")
def hidden_dir(work):
    folder = work / "instructor-hidden"
    folder.mkdir()
    (folder / "test_hidden_llm_basics.py").write_text(HIDDEN_TEST)
    return folder


@pytest.fixture(scope="module")
def floors(work):
    """(stub points, solution points, max) on the subset: the honest floor and ceiling."""
    stub, stub_points = grade(make(work, "stub", stub_text()))
    solved, solved_points = grade(make(work, "solution", solution_text()))
    maximum = sum(t["points"] for t in solved.tests)
    return stub_points, solved_points, maximum, stub, solved


def test_the_honest_submissions_score_0_and_100_percent(floors):
    stub_points, solved_points, maximum, stub, solved = floors
    assert maximum == pytest.approx(5), f"the subset is 5 visible points, got {maximum}"
    assert stub_points == 0, f"the stub must score 0, got {stub_points}"
    assert solved_points == pytest.approx(maximum), f"the solution must score {maximum}, got {solved_points}"
    assert [t["nodeid"] for t in stub.tests] == [t["nodeid"] for t in solved.tests], "the same tests, in order"
    assert solved.labs[0].imported and not solved.labs[0].flags, "the solution imports, and the scan flags nothing"


def test_nothing_but_the_lab_file_is_read_or_run(work, floors, monkeypatch):
    """Rows 1-3, 5-6: config files, plugins, venv start-up files, an edited grader, edited
    tests and manifest, and the environment variables that would load any of them."""
    folder = make(work, "file-tricks", stub_text(), {
        "conftest.py": ALWAYS_PASS_CONFTEST,
        "tests/labs/conftest.py": ALWAYS_PASS_CONFTEST,
        "tests/conftest.py": ALWAYS_PASS_CONFTEST,
        "evilplugin.py": ALWAYS_PASS_CONFTEST,
        "pyproject.toml": '[tool.pytest.ini_options]\naddopts = "-p evilplugin"\n',
        "pytest.ini": "[pytest]\naddopts = -p evilplugin\n",
        "setup.cfg": "[tool:pytest]\naddopts = -p evilplugin\n",
        ".venv/lib/python3.11/site-packages/sitecustomize.py": "import evilplugin\n",
        ".venv/lib/python3.11/site-packages/evil.pth": "import evilplugin\n",
        "aie/grading/plugin.py": "def pytest_runtest_makereport(item, call):\n    pass\n",
        "tests/labs/test_llm_basics.py": "def test_count_tokens_matches_tiktoken():\n    pass\n",
        "labs/.release.json": json.dumps({"labs": {}, "tests": {"tests/labs/test_llm_basics.py": "0" * 64}}),
    })
    for name, value in {"PYTEST_ADDOPTS": "-p evilplugin", "PYTEST_PLUGINS": "evilplugin",
                        "PYTHONPATH": str(folder), "AIE_TARGET": "solutions", "AIE_ROOT": str(folder)}.items():
        monkeypatch.setenv(name, value)
    graded, points = grade(folder)
    assert points == floors[0] == 0, f"tricks outside labs/ must add nothing: {points} points"
    assert all(t["status"] == "not_started" for t in graded.tests), "every test met the stub, not a config trick"
    for rel in ("conftest.py", "tests/labs/conftest.py", "pyproject.toml", "pytest.ini", "setup.cfg",
                ".venv/lib/python3.11/site-packages/sitecustomize.py", ".venv/lib/python3.11/site-packages/evil.pth",
                "aie/grading/plugin.py", "tests/labs/test_llm_basics.py", "labs/.release.json", "evilplugin.py"):
        assert rel in graded.ignored, f"the report must list {rel} as ignored, it lists {graded.ignored}"
    for name in ("PYTEST_ADDOPTS", "PYTEST_PLUGINS", "PYTHONPATH", "AIE_TARGET", "AIE_ROOT"):
        assert name in graded.cleared_env, f"{name} must be removed from the child's environment and named"


def test_a_lab_file_that_patches_the_grader_at_import_is_caught(work, floors):
    """Row 4: patching aie.grading.plugin, pytest's runner and Function.runtest, and writing
    report files, all at import."""
    source = overriding(stub_text(), '''
        import json as _json
        import pathlib as _pathlib

        import _pytest.python as _py
        import _pytest.runner as _runner
        import aie.grading.plugin as _plugin

        _plugin._results.clear()
        _plugin.pytest_sessionfinish = lambda session, exitstatus: None
        _py.Function.runtest = lambda self: None
        _orig = _runner.call_and_report

        def _always(item, when, log=True, **kw):
            rep = _orig(item, when, log=log, **kw)
            rep.outcome = "passed"
            return rep

        _runner.call_and_report = _always
        for _name in ("report.json", "grade.json", "results.json", "classroom.json"):
            _pathlib.Path(_name).write_text(_json.dumps({"total": 999, "score": 999}))
    ''')
    graded, points = grade(make(work, "patches-grader", source))
    outcome = graded.labs[0]
    assert points == 0, f"a patched grader must not score: {points} points"
    assert all(t["status"] == "tampered" for t in graded.tests), \
        f"every test after the patch is marked tampered: {[t['status'] for t in graded.tests]}"
    assert any("Function.runtest" in t or "call_and_report" in t for t in outcome.tampering), \
        f"the report names what was patched: {outcome.tampering}"
    kinds = {f["kind"] for f in outcome.flags}
    assert {"imports the grader", "imports pytest's internals"} <= kinds, f"the scan flags the imports: {kinds}"


def test_values_that_fool_equality_or_read_the_test_earn_nothing(work, floors):
    """Row 7: an object whose __eq__ is always true; the expected value read from the test's
    frame (directly and through inspect); the test file read from disk."""
    source = overriding(solution_text(), '''
        import inspect
        import sys


        class Anything:
            def __eq__(self, other):
                return True

            def __hash__(self):
                return 0


        def count_tokens(text, model):
            try:
                return sys._getframe(1).f_locals["expected"]
            except (ValueError, KeyError):
                return Anything()


        def estimate_cost(prompt_tokens, completion_tokens, model, reasoning_tokens=0):
            return inspect.currentframe().f_back.f_locals["expected"]


        def truncate_to_tokens(text, max_tokens, model):
            for path in ("tests/labs/test_llm_basics.py",):
                import aie.config
                (aie.config.REPO_ROOT / path).read_text()
            return Anything()
    ''')
    graded, points = grade(make(work, "fools-equality", source))
    outcome = graded.labs[0]
    assert points == 0, f"look-alike values and stolen expectations must earn nothing: {points} points"
    kinds = {r["kind"] for r in outcome.refusals}
    assert "frame inspection" in kinds, f"the report shows the refused frame access: {outcome.refusals}"
    assert "reading the graded tests or the grader's files" in kinds, f"and the refused read: {outcome.refusals}"
    flagged = {f["kind"] for f in outcome.flags}
    assert {"frame inspection", "an __eq__ that ignores its argument"} <= flagged, f"the scan shows both: {flagged}"


def test_hard_coded_answers_fail_the_hidden_tests_which_learners_never_see(work, floors, hidden_dir):
    """Row 8: the visible tests' answers hard-coded; the hidden test stays at 0, and its name,
    message and source appear in no learner-facing output."""
    from aie import tokens

    samples = ["hello world", "Tokenization isn't word splitting: 'unbelievably' may be several tokens.",
               "Prix: 12,50 € — café crème, naïve façade.", "def f(x):\n    return x ** 2  # squares",
               "🙂🚀 emoji take several bytes"]
    table = {(t, m): len(tokens.get_encoding(e).encode(t))
             for t in samples for m, e in (("gpt-4o", "o200k_base"), ("gpt-3.5-turbo", "cl100k_base"))}
    source = overriding(solution_text(), f'''
        ANSWERS = {table!r}


        def count_tokens(text, model):
            return ANSWERS.get((text, model), 0)
    ''')
    graded, _ = grade(make(work, "hard-coded", source), hidden=hidden_dir)
    hidden = [t for t in graded.tests if t.get("hidden")]
    visible = by_function(graded)["test_count_tokens_matches_tiktoken"]
    assert all(t["status"] == "passed" for t in visible), "the hard-coded answers do pass the visible test"
    assert len(hidden) == 1 and hidden[0]["score"] == 0, f"the hidden test scores 0: {hidden}"
    result = report.build(graded.tests, load_curriculum(), target="labs", seconds=graded.seconds)
    for fmt in ("classroom", "gradescope"):
        text = report.FORMATS[fmt](result)
        for secret in ("secret", "SECRET-MESSAGE", "Zebra", "test_hidden_llm_basics", str(hidden_dir)):
            assert secret not in text, f"{fmt} output shows {secret!r} of a hidden test"
        assert "hidden test 1" in text, f"{fmt} output lists the hidden test as 'hidden test 1'"
    gradescope = json.loads(report.to_gradescope(result))
    entry = next(t for t in gradescope["tests"] if t["name"] == "hidden test 1")
    assert entry["visibility"] == "after_published", "Gradescope shows hidden tests only after publishing"
    assert "Zebra" in (hidden_dir / "test_hidden_llm_basics.py").read_text(), "the secret is really in the hidden test"


def test_importing_the_solutions_is_refused_once_for_the_lab(work, floors):
    graded, points = grade(make(work, "imports-solutions", "from solutions.llm_basics import *  # noqa\n"))
    outcome = graded.labs[0]
    assert points == 0, f"a submission that imports the reference must not score: {points}"
    assert not outcome.imported and "not available while grading" in outcome.reason, \
        f"the lab fails once, with the reason: {outcome.reason!r}"
    assert {t["status"] for t in graded.tests} == {"error"}, "every test of the lab: 0, the same reason"
    assert any(f["kind"] == "imports the reference solutions" for f in outcome.flags), "and the scan flags it"


@pytest.mark.parametrize("name, body, import_limit, words", [
    ("loops-at-import", "import signal\nsignal.signal(signal.SIGALRM, signal.SIG_IGN)\nwhile True:\n    pass\n",
     15, "did not finish importing within 15 s"),
    ("exits-at-import", "import os\nos._exit(0)\n", 120, "ended with exit code 0 while being imported"),
], ids=["loops-at-import", "exits-at-import"])
def test_a_lab_that_hangs_or_exits_at_import_fails_once_with_the_reason(work, floors, name, body, import_limit,
                                                                        words):
    """Rows 9-10 at import: one import, one reason for the whole lab, never once per case."""
    limits = Limits(test=60, lab=600, import_=import_limit, memory_mb=8192, restarts=3, grace=5)
    graded, points = grade(make(work, name, body), limits=limits)
    outcome = graded.labs[0]
    assert points == 0, f"{name}: {points} points"
    assert words in outcome.reason, f"the report says why: {outcome.reason!r}"
    assert len(graded.tests) == len(floors[4].tests), "a complete report: every collected test, at 0"
    assert outcome.restarts == 0, "the import is tried once, not once per test"


def test_a_hang_an_exit_and_a_huge_allocation_inside_tests_cost_only_their_tests(work, floors):
    """Rows 9-10 inside tests, and the memory limit: the child is killed or dies, the parent
    reports the affected test at 0 with the reason and carries on with a new child."""
    source = overriding(solution_text(), '''
        import os
        import signal

        _solution_cost = estimate_cost
        _solution_count = count_tokens


        def estimate_cost(prompt_tokens, completion_tokens, model, reasoning_tokens=0):
            if model == "gpt-4o-mini":
                signal.signal(signal.SIGALRM, signal.SIG_IGN)
                while True:
                    pass
            return _solution_cost(prompt_tokens, completion_tokens, model, reasoning_tokens)


        def count_tokens(text, model):
            if model == "gpt-3.5-turbo":
                os._exit(0)
            return _solution_count(text, model)


        def truncate_to_tokens(text, max_tokens, model):
            block = bytearray(20 * 1024 ** 3)
            return text[: len(block) % 7]
    ''')
    limits = Limits(test=15, lab=600, import_=120, memory_mb=4096, restarts=3, grace=5)
    graded, points = grade(make(work, "runtime-tricks", source), limits=limits)
    tests = {t["name"]: t for t in graded.tests}
    assert len(tests) == len(floors[4].tests), "a complete report: every collected test is in it"
    loop = tests["test_cost_uses_the_registry_prices[gpt-4o-mini]"]
    assert loop["status"] == "timeout" and "killed after 20 s" in loop["message"], f"the loop is killed: {loop}"
    exited = tests["test_count_tokens_matches_tiktoken[gpt-3.5-turbo]"]
    assert exited["score"] == 0 and "exit code 0 during this test" in exited["message"], f"the exit: {exited}"
    big = tests["test_truncation_keeps_as_much_as_fits"]
    assert big["score"] == 0 and "MemoryError" in big["message"], f"the allocation fails: {big}"
    others = [t for t in graded.tests if t not in (loop, exited, big)]
    assert others and all(t["status"] == "passed" for t in others), \
        f"the unaffected tests still pass in a new child: {[(t['name'], t['status']) for t in others]}"
    assert 0 < points < floors[1], f"partial credit, less than the solution's {floors[1]}: {points}"
    assert graded.labs[0].restarts == 2, "one new child after the kill, one after the exit"


def test_grade_submission_on_the_command_line(work, floors, tmp_path):
    """`aie grade --submission` writes the reports itself, hidden tests redacted for learners."""
    folder = work / "stub"
    out_json, out_gs = tmp_path / "grade.json", tmp_path / "results.json"
    proc = subprocess.run([sys.executable, "-m", "aie.cli", "grade", "--submission", str(folder), "--lab", LAB,
                           "-k", "truncation_keeps_as_much", "--format", "json", "--out", str(out_json),
                           "--format", "gradescope", "--out", str(out_gs)],
                          capture_output=True, text=True, cwd=REPO_ROOT, timeout=300)
    assert proc.returncode == 0, proc.stderr[-2000:]
    data = json.loads(out_json.read_text())
    assert data["total"] == 0 and data["max"] == 1, f"the stub scores 0/1 on that test: {data['total']}/{data['max']}"
    assert data["submission"]["labs"][0]["imported"], "the JSON report has the submission section"
    assert json.loads(out_gs.read_text())["score"] == 0, "the Gradescope results say 0 too"
    bad = subprocess.run([sys.executable, "-m", "aie.cli", "grade", "--submission", str(tmp_path / "nowhere"),
                          "--lab", LAB], capture_output=True, text=True, cwd=REPO_ROOT, timeout=120)
    said = " ".join(bad.stderr.split())
    assert bad.returncode == 2 and "--submission" in said and "is not a folder" in said, said


def test_release_class_ships_no_solutions(tmp_path):
    out = tmp_path / "class"
    proc = subprocess.run([sys.executable, "-m", "aie.cli", "release", "--class", str(out)],
                          capture_output=True, text=True, cwd=REPO_ROOT, timeout=120)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert not (out / "solutions").exists(), "a class repository has no solutions/"
    assert not (out / "tests" / "aie").exists(), "nor the runtime's tests, which need the solutions"
    assert (out / "tests" / "labs" / f"test_{LAB}.py").is_file(), "it has the visible tests"
    assert (out / "notebooks").is_dir() and (out / "aie" / "llm").is_dir() and (out / "datasets").is_dir()
    assert "raise NotImplementedError" in (out / "labs" / f"{LAB}.py").read_text(), "labs/ holds stubs"
    marked = {p.relative_to(out).as_posix() for p in out.rglob("*.py") if "# BEGIN SOLUTION" in p.read_text(errors="ignore")}
    assert marked <= {"aie/grading/release.py"}, f"no solution body in the class repository (only the tool that " \
                                                 f"strips them names the marker): {marked}"
    assert (out / ".github" / "workflows" / "classroom.yml").is_file(), "the Classroom workflow is in place"
    env = {k: v for k, v in os.environ.items() if not k.startswith("AIE_")}
    shown = subprocess.run([sys.executable, "-m", "aie.cli", "solution", f"{LAB}.count_tokens"],
                           capture_output=True, text=True, cwd=out, timeout=120, env=dict(env, AIE_ROOT=str(out)))
    assert shown.returncode == 1 and "not shipped" in shown.stderr, f"`aie solution` says so: {shown.stderr}"
    again = subprocess.run([sys.executable, "-m", "aie.cli", "release", "--class", str(out)],
                           capture_output=True, text=True, cwd=REPO_ROOT, timeout=120)
    assert again.returncode == 2 and "not empty" in again.stderr, "it never writes over a folder"


def test_the_scan_flags_reaching_for_the_grader_and_nothing_in_the_solutions():
    flags = scan_source(textwrap.dedent('''
        import inspect, gc
        from aie import grading
        from solutions.llm_basics import count_tokens
        import os
        def f():
            os.write(3, b"x")
            caller = inspect.currentframe().f_back
            return open("tests/labs/test_llm_basics.py").read()
    '''))
    kinds = {f["kind"] for f in flags}
    assert {"frame inspection", "reads the interpreter's object graph", "imports the grader",
            "imports the reference solutions", "raw file descriptors", "names the tests or the grader's files"} <= kinds, \
        f"the scan flags each: {kinds}"
    from aie.grading.release import stub_source

    for lab in load_curriculum().labs:
        text = (REPO_ROOT / lab.solution).read_text()
        flags = scan_source(text, baseline=stub_source(text, lab.id))
        assert flags == [], f"{lab.solution} is honest, the scan must not flag what it adds to the stub: {flags}"


@pytest.mark.parametrize("got, expected, ok", [
    (3, 3, True), (3.0, 3, False), (True, 1, False), ("a", "a", True),
    ([{"role": "user", "content": "x"}], [{"role": "user", "content": "x"}], True),
    ((1, 2), [1, 2], False), ({"a": 1}, {"a": 1, "b": 2}, False),
])
def test_same_checks_the_type_before_equality(got, expected, ok):
    class Anything:
        def __eq__(self, other):
            return True

    assert same(got, expected) is ok, f"same({got!r}, {expected!r}) should be {ok}"
    assert not same(Anything(), expected), "an object whose __eq__ is always true is not the value"
    assert number(1.5) and not number(True) and not number(Anything()) and not number(float("nan"))


def test_a_linked_lab_file_is_not_taken(tmp_path):
    """A link to the instructor's files (the reference, say) is refused, file or folder."""
    from aie.grading.submission import submitted_file

    lab = load_curriculum().lab(LAB)
    (tmp_path / "file" / "labs").mkdir(parents=True)
    (tmp_path / "file" / "labs" / f"{LAB}.py").symlink_to(REPO_ROOT / "solutions" / f"{LAB}.py")
    (tmp_path / "folder").mkdir()
    (tmp_path / "folder" / "labs").symlink_to(REPO_ROOT / "solutions")
    for case in ("file", "folder"):
        data, why = submitted_file(tmp_path / case, lab)
        assert data is None and "symbolic link" in why, f"a linked lab {case} must be refused, got {why!r}"
