"""`make test` under pytest-xdist: the cores are shared, and one lab's mutant check is a unit
of work of its own, handed out first (aie.grading.workers)."""

from __future__ import annotations

import os
import subprocess
import sys
from types import SimpleNamespace

from aie.grading import workers

MUTANT_TEST = "tests/aie/test_mutants.py::test_every_mutant_loses_points_and_the_solution_keeps_them"


def test_a_file_is_one_unit_but_each_mutant_check_is_its_own():
    assert workers.unit_of("tests/labs/test_rag.py::test_answer[q1]") == "tests/labs/test_rag.py"
    assert workers.unit_of("tests/aie/test_mutants.py::test_every_exercise_has_at_least_three_mutants[rag]") == \
        "tests/aie/test_mutants.py"
    assert workers.unit_of(f"{MUTANT_TEST}[rag]") == f"{MUTANT_TEST}[rag]"
    assert workers.unit_of(f"{MUTANT_TEST}[rag]") != workers.unit_of(f"{MUTANT_TEST}[agents]")


def test_items_are_ordered_own_units_first_then_bigger_files_and_files_stay_whole():
    ids = ["tests/a.py::t1", f"{MUTANT_TEST}[x]", "tests/b.py::t1", "tests/b.py::t2", "tests/aie/test_mutants.py::u",
           f"{MUTANT_TEST}[y]", "tests/b.py::t3"]
    items = [SimpleNamespace(nodeid=i) for i in ids]
    config = SimpleNamespace(getoption=lambda name, default=None: "loadfile")
    workers.order_items(config, items)
    assert [i.nodeid for i in items] == [f"{MUTANT_TEST}[x]", f"{MUTANT_TEST}[y]", "tests/b.py::t1", "tests/b.py::t2",
                                         "tests/b.py::t3", "tests/a.py::t1", "tests/aie/test_mutants.py::u"]
    unchanged = [SimpleNamespace(nodeid=i) for i in ids]
    workers.order_items(SimpleNamespace(getoption=lambda name, default=None: "load"), unchanged)  # other modes: untouched
    workers.order_items(SimpleNamespace(getoption=lambda name, default=None: default), unchanged)  # no xdist loaded
    assert [i.nodeid for i in unchanged] == ids


def test_under_xdist_two_mutant_checks_run_on_two_workers_at_once(tmp_path):
    """A real `-n 2 --dist loadfile` run of a small suite laid out like ours: the two
    mutant-check cases of one file must land on different workers (under plain loadfile
    they share one worker, one after the other)."""
    (tmp_path / "pytest.ini").write_text("[pytest]\n")
    (tmp_path / "conftest.py").write_text(
        "import pytest\n"
        "from aie.grading.workers import make_scheduler, order_items\n\n"
        "def pytest_collection_modifyitems(config, items):\n    order_items(config, items)\n\n"
        "@pytest.hookimpl(optionalhook=True)\n"
        "def pytest_xdist_make_scheduler(config, log):\n    return make_scheduler(config, log)\n"
    )
    record = (
        "import os, pathlib\n\n"
        "def mark(name):\n"
        "    pathlib.Path(f\"ran-{name}-{os.environ['PYTEST_XDIST_WORKER']}\").touch()\n\n"
    )
    (tmp_path / "tests" / "aie").mkdir(parents=True)
    (tmp_path / "tests" / "aie" / "test_mutants.py").write_text(
        record + "import time, pytest\n\n"
        "@pytest.mark.parametrize('lab_id', ['first', 'second'])\n"
        "def test_every_mutant_loses_points_and_the_solution_keeps_them(lab_id):\n"
        "    time.sleep(1)\n    mark(lab_id)\n\n"
        "def test_cheap():\n    mark('cheap')\n"
    )
    (tmp_path / "tests" / "test_other.py").write_text(
        record + "".join(f"def test_{i}():\n    mark('other{i}')\n\n" for i in range(4))
    )
    env = {**os.environ, "PYTEST_ADDOPTS": ""}
    proc = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-n", "2",
                           "--dist", "loadfile", "tests"], cwd=tmp_path, capture_output=True, text=True, env=env,
                          timeout=120)
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    ran = {p.name.split("-")[1]: p.name.split("-")[2] for p in tmp_path.glob("ran-*")}
    assert set(ran) == {"first", "second", "cheap", "other0", "other1", "other2", "other3"}, ran
    assert ran["first"] != ran["second"], f"both mutant checks ran on {ran['first']}: they were one unit of work"
    assert len({ran[f"other{i}"] for i in range(4)}) == 1, "a test file was split across workers"
    # Without xdist (the grader's runs: `-p no:xdist`) the hooks must stand aside, not fail.
    plain = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "no:xdist",
                            "tests"], cwd=tmp_path, capture_output=True, text=True, env={**env, "PYTEST_XDIST_WORKER": "x"},
                           timeout=120)
    assert plain.returncode == 0 and "7 passed" in plain.stdout, plain.stdout[-2000:] + plain.stderr[-2000:]
