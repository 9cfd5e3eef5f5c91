"""The grading spine on a small course built in tmp_path: stubs from solutions, the
pytest plugin (targets, points, "not done yet", timeouts), reports and the `aie` command."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from aie.errors import ConfigError
from aie.grading import report, runner
from aie.grading.manifest import load_curriculum
from aie.grading.release import ReleaseError, release, stub_source

AIE = [sys.executable, "-m", "aie.cli"]

SOLUTION = '''\
"""A demo lab."""

import time

FACTOR = 2


def double(x):
    """double(3) -> 6"""
    # BEGIN SOLUTION
    return FACTOR * x
    # END SOLUTION


def greet(name):
    """greet("Ada") -> "Hello, Ada!" """
    # BEGIN SOLUTION
    if not isinstance(name, str):
        raise ValueError("name must be a string")
    return f"Hello, {name}!"
    # END SOLUTION


class Counter:
    """Counts."""

    def __init__(self):
        self.n = 0

    def bump(self):
        """Add one and return the count."""
        # BEGIN SOLUTION
        self.n += 1
        return self.n
        # END SOLUTION
'''

TESTS = '''\
import pytest

pytestmark = pytest.mark.lab("demo")


@pytest.mark.exercise("double")
@pytest.mark.points(2)
def test_double(lab):
    assert lab.double(3) == 6, "double(3) should be 6"


@pytest.mark.exercise("greet")
@pytest.mark.points(1)
@pytest.mark.parametrize("name", ["Ada", "Grace"])
def test_greet(lab, name):
    assert lab.greet(name) == f"Hello, {name}!", "greet says hello"


@pytest.mark.exercise("Counter")
@pytest.mark.points(1)
def test_counter(lab):
    c = lab.Counter()
    c.bump()
    assert c.bump() == 2, "bump counts up"
'''

CURRICULUM = '''\
[[lab]]
id = "demo"
title = "Demo"
module = "labs/demo.py"
notebook = "notebooks/01_demo.ipynb"

[[lab.exercise]]
name = "double"
points = 2
hints = ["multiply", "return FACTOR * x"]

[[lab.exercise]]
name = "greet"
points = 1
hints = ["an f-string", "return f'Hello, {name}!'"]

[[lab.exercise]]
name = "Counter"
points = 1
hints = ["keep a count", "self.n += 1"]
'''


@pytest.fixture
def course(tmp_path):
    """A one-lab course, released."""
    (tmp_path / "solutions").mkdir()
    (tmp_path / "labs").mkdir()
    (tmp_path / "tests" / "labs").mkdir(parents=True)
    (tmp_path / "solutions" / "__init__.py").write_text("")
    (tmp_path / "labs" / "__init__.py").write_text("")
    (tmp_path / "solutions" / "demo.py").write_text(SOLUTION)
    (tmp_path / "tests" / "labs" / "test_demo.py").write_text(TESTS)
    (tmp_path / "curriculum.toml").write_text(CURRICULUM)
    (tmp_path / "pyproject.toml").write_text('[tool.pytest.ini_options]\naddopts = "-p no:cacheprovider"\n')
    result = release(tmp_path)
    assert result.written == ["labs/demo.py"]
    return tmp_path


def aie(course: Path, *args: str, timeout: int = 120) -> subprocess.CompletedProcess:
    env = dict(os.environ, AIE_ROOT=str(course), COLUMNS="200", PYTHONPATH=str(Path(__file__).parents[2]))
    return subprocess.run([*AIE, *args], cwd=course, env=env, capture_output=True, text=True, timeout=timeout)


# ------------------------------------------------------------------ stubs


def test_stub_keeps_everything_but_the_solution_bodies():
    stub = stub_source(SOLUTION, "demo")
    assert 'raise NotImplementedError("demo.double")' in stub
    assert 'raise NotImplementedError("demo.greet")' in stub
    assert 'raise NotImplementedError("demo.Counter.bump")' in stub
    assert "FACTOR * x" not in stub and "self.n += 1" not in stub
    for kept in ('"""double(3) -> 6"""', "import time", "FACTOR = 2", "def __init__(self):", "self.n = 0"):
        assert kept in stub
    compile(stub, "stub", "exec")


@pytest.mark.parametrize("source, match", [
    ("def f():\n    # BEGIN SOLUTION\n    return 1\n", "has no # END SOLUTION"),
    ("def f():\n    # END SOLUTION\n    return 1\n", "without # BEGIN"),
    ("# BEGIN SOLUTION\nx = 1\n# END SOLUTION\n", "outside any function"),
    ("def f():\n    # BEGIN SOLUTION\n    # BEGIN SOLUTION\n    return 1\n    # END SOLUTION\n", "nested"),
    ("def f(:\n    pass\n", "line 1"),
])
def test_malformed_markers_are_named_with_their_line(source, match):
    with pytest.raises(ReleaseError, match=match):
        stub_source(source, "demo")


def test_release_never_overwrites_a_learners_edits(course):
    learner = course / "labs" / "demo.py"
    learner.write_text(learner.read_text().replace('raise NotImplementedError("demo.double")', "return x + x"))
    (course / "solutions" / "demo.py").write_text(SOLUTION.replace("A demo lab.", "A demo lab, v2."))
    result = release(course)
    assert result.kept == ["labs/demo.py"] and "return x + x" in learner.read_text()
    assert release(course, check=True).stale == ["labs/demo.py"]
    result = release(course, force=True)
    assert result.written == ["labs/demo.py"] and "v2" in learner.read_text()
    assert release(course, check=True).stale == []


def test_release_check_notices_changed_tests(course):
    test_file = course / "tests" / "labs" / "test_demo.py"
    test_file.write_text(test_file.read_text() + "\n# changed\n")
    assert any("checksums" in s for s in release(course, check=True).stale)


# ------------------------------------------------------------------ manifest


@pytest.mark.parametrize("text, match", [
    ('[[lab]]\ntitle = "x"\n', "lab #1 has no 'id'"),
    ('[[lab]]\nid = "a"\ntitle = "x"\nmodule = "m"\nnotebook = "n"\n[[lab.exercise]]\nname = "f"\npoints = "3"\nhints = ["a", "b"]\n',
     "lab 'a' exercise 'f' field 'points'"),
    ('[[lab]]\nid = "a"\ntitle = "x"\nmodule = "m"\nnotebook = "n"\n[[lab.exercise]]\nname = "f"\npoints = 3\n',
     "exercise 'f' has no 'hints'"),
    ('[[lab]]\nid = "a"\ntitle = "x"\nmodule = "m"\nnotebook = "n"\n[[lab]]\nid = "a"\ntitle = "x"\nmodule = "m"\nnotebook = "n"\n',
     "appears twice"),
    ("[[lab]\n", "not valid TOML"),
])
def test_a_malformed_curriculum_names_the_entry_and_field(tmp_path, text, match):
    (tmp_path / "curriculum.toml").write_text(text)
    with pytest.raises(ConfigError, match=match):
        load_curriculum(tmp_path / "curriculum.toml")


# ------------------------------------------------------------------ plugin + runner


def test_solutions_get_full_points_and_stubs_get_none(course):
    good = runner.run_pytest(["tests/labs"], target="solutions", root=course)
    assert {t["status"] for t in good.tests} == {"passed"}, good.output
    assert sum(t["score"] for t in good.tests) == pytest.approx(4)
    stub = runner.run_pytest(["tests/labs"], target="labs", root=course)
    assert {t["status"] for t in stub.tests} == {"not_started"}
    messages = {t["message"] for t in stub.tests}
    assert messages == {"not done yet: demo.double", "not done yet: demo.greet", "not done yet: demo.Counter.bump"}
    greet = [t for t in stub.tests if t["exercise"] == "greet"]
    assert [t["points"] for t in greet] == [0.5, 0.5], "parametrized cases share the test's points"


def test_partial_credit_and_plain_words_failures(course):
    learner = course / "labs" / "demo.py"
    text = learner.read_text()
    text = text.replace('raise NotImplementedError("demo.double")', "return x * 3")
    text = text.replace('raise NotImplementedError("demo.greet")', 'return "Hello, Ada!"')
    learner.write_text(text)
    run = runner.run_pytest(["tests/labs"], target="labs", root=course)
    by_name = {t["name"]: t for t in run.tests}
    assert by_name["test_double"]["status"] == "failed"
    assert by_name["test_double"]["message"] == "double(3) should be 6"
    assert by_name["test_greet[Ada]"]["status"] == "passed" and by_name["test_greet[Grace]"]["status"] == "failed"
    assert sum(t["score"] for t in run.tests) == pytest.approx(0.5)


def test_a_syntax_error_is_reported_with_file_and_line(course):
    learner = course / "labs" / "demo.py"
    learner.write_text(learner.read_text().replace("FACTOR = 2", "FACTOR = = 2"))
    run = runner.run_pytest(["tests/labs"], target="labs", root=course)
    assert run.tests and all(t["status"] == "error" for t in run.tests)
    assert all("demo.py line" in t["message"] and "syntax error" in t["message"] for t in run.tests)


def test_an_endless_loop_costs_only_its_own_test(course):
    learner = course / "labs" / "demo.py"
    learner.write_text(learner.read_text().replace('raise NotImplementedError("demo.double")', "while True:\n        pass")
                       .replace('raise NotImplementedError("demo.greet")', 'return f"Hello, {name}!"'))
    run = runner.run_pytest(["tests/labs"], target="labs", timeout=3, root=course)
    by_name = {t["name"]: t for t in run.tests}
    assert by_name["test_double"]["status"] == "timeout"
    assert by_name["test_greet[Ada]"]["status"] == "passed"


# ------------------------------------------------------------------ reports


def _report(course):
    run = runner.run_pytest(["tests/labs"], target="solutions", root=course)
    return report.build(run.tests, load_curriculum(course / "curriculum.toml"), target="solutions", seconds=run.seconds)


def test_every_report_format_is_well_formed(course):
    rep = _report(course)
    assert rep["total"] == rep["max"] == 4 and rep["labs"][0]["id"] == "demo"
    junit = ET.fromstring(report.to_junit(rep).split("?>", 1)[1])
    assert junit.tag == "testsuites" and len(junit.findall(".//testcase")) == 4
    classroom = json.loads(report.to_classroom(rep))
    assert classroom["version"] == 1 and classroom["status"] == "pass" and classroom["max_score"] == 4
    assert {"name", "status", "score", "message"} <= set(classroom["tests"][0])
    gradescope = json.loads(report.to_gradescope(rep))
    assert gradescope["score"] == 4 and sum(t["max_score"] for t in gradescope["tests"]) == 4
    assert all(t["status"] in ("passed", "failed") for t in gradescope["tests"])
    assert "# Grade: 4 / 4 points" in report.to_markdown(rep)


# ------------------------------------------------------------------ the aie command


def test_aie_check_an_unknown_lab_names_the_known_ones(course):
    out = aie(course, "check", "nosuchlab")
    assert out.returncode == 2 and "Known labs: demo" in out.stderr


def test_aie_check_prints_a_plain_words_table(course):
    out = aie(course, "check", "demo")
    assert out.returncode == 1
    assert "not started" in out.stdout and "not done yet: demo.double" in out.stdout
    assert "0/4 points" in out.stdout


def test_aie_hint_goes_one_step_further_each_call(course):
    first, second, third = (aie(course, "hint", "demo.double").stdout for _ in range(3))
    assert "Hint 1/2" in first and "multiply" in first
    assert "Hint 2/2" in second and "FACTOR" in second
    assert "last hint" in third
    assert aie(course, "hint", "demo.nothing").returncode == 2


def test_aie_solution_only_after_passing(course):
    refused = aie(course, "solution", "demo.double")
    assert refused.returncode == 1 and "Solve it first" in refused.stderr
    learner = course / "labs" / "demo.py"
    learner.write_text(learner.read_text().replace('raise NotImplementedError("demo.double")', "return 2 * x"))
    aie(course, "check", "demo")
    shown = aie(course, "solution", "demo.double")
    assert shown.returncode == 0 and "FACTOR * x" in shown.stdout
    progress = aie(course, "progress")
    assert "2/4" in progress.stdout


def test_aie_grade_with_hidden_tests_and_a_tamper_warning(course, tmp_path_factory):
    hidden = tmp_path_factory.mktemp("hidden")
    (hidden / "test_hidden_demo.py").write_text(textwrap.dedent('''
        import pytest
        pytestmark = pytest.mark.lab("demo")

        @pytest.mark.exercise("double")
        @pytest.mark.points(3)
        def test_double_negative(lab):
            assert lab.double(-4) == -8
    '''))
    test_file = course / "tests" / "labs" / "test_demo.py"
    test_file.write_text(test_file.read_text().replace('"double(3) should be 6"', '"changed"'))
    out = aie(course, "grade", "--target", "solutions", "--hidden", str(hidden), "--format", "json",
              "--out", str(course / "grade.json"), "--format", "junit", "--out", str(course / "grade.xml"))
    assert out.returncode == 0, out.stderr
    rep = json.loads((course / "grade.json").read_text())
    assert len(ET.parse(course / "grade.xml").getroot().findall(".//testcase")) == 5
    assert rep["total"] == rep["max"] == 7
    assert rep["tampered"] == ["tests/labs/test_demo.py"] and "differ" in out.stderr


def test_aie_release_check_and_a_malformed_manifest(course):
    assert aie(course, "release", "--check").returncode == 0
    (course / "curriculum.toml").write_text(CURRICULUM.replace('points = 2', 'points = "two"'))
    out = aie(course, "list")
    assert out.returncode == 2 and "exercise 'double' field 'points'" in out.stderr


def test_aie_watch_rechecks_on_save(course):
    env = dict(os.environ, AIE_ROOT=str(course), COLUMNS="200", PYTHONPATH=str(Path(__file__).parents[2]))
    proc = subprocess.Popen([*AIE, "watch", "demo", "--interval", "0.2"], cwd=course, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        import time

        lines: list[str] = []
        deadline = time.time() + 600  # a generous bound for a loaded machine; stops a hung watcher
        saved = False
        while time.time() < deadline:
            line = proc.stdout.readline()
            lines.append(line)
            if "points in" in line and not saved:  # the first check, at start
                learner = course / "labs" / "demo.py"
                learner.write_text(learner.read_text().replace('raise NotImplementedError("demo.double")',
                                                               "return 2 * x"))
                saved = True
            elif "points in" in line and saved:
                break
        text = "".join(lines)
        assert "0/4 points" in text and "2/4 points" in text, text[-2000:]
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_the_runner_starts_pytest_with_only_the_plugins_graded_tests_use(tmp_path):
    """`aie check` and `aie grade` start one pytest each: with every plugin the environment
    installs (nbval, hypothesis, langsmith, pytest-benchmark...) that start-up alone took
    about 6 s of a 7 s check of the stubs; the runner now loads its own three."""
    probe = tmp_path / "test_probe.py"
    probe.write_text(textwrap.dedent("""
        def test_plugins(request):
            manager = request.config.pluginmanager
            loaded = [name for name in ("nbval", "hypothesispytest", "langsmith_plugin", "benchmark")
                      if manager.has_plugin(name)]
            assert not loaded, f"autoloaded: {loaded}"
            assert manager.has_plugin("pytest_timeout") and manager.has_plugin("pytest_socket")
    """))
    run = runner.run_pytest([str(probe)], target="solutions")
    assert run.returncode == 0, run.output[-2000:]
