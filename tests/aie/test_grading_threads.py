"""`aie grade --submission --threads`: graders run side by side share the cores.

llama.cpp and OpenMP threads spin while they wait for work, so two graders whose children
each start a thread per core run twice as many busy threads as there are cores; on 2 cores a
complete lab 01 that grades in 40 s alone took 13 min that way and lost points to the
per-test limit. The child's thread count comes from the grader (never from the submission):
--threads, else the grader's own AIE_LOCAL_THREADS, else every core.
"""

from __future__ import annotations

import os

import pytest

from aie.grading import submission as sub


def test_threads_given_reach_the_child(monkeypatch):
    monkeypatch.setenv("AIE_LOCAL_THREADS", "7")
    env, cleared = sub.child_env(1)
    assert env["AIE_LOCAL_THREADS"] == "1" and env["OMP_NUM_THREADS"] == "1"
    assert "AIE_LOCAL_THREADS" in cleared, "the grader's AIE_* names are still reported as cleared"


def test_the_graders_own_setting_is_the_default(monkeypatch):
    monkeypatch.setenv("AIE_LOCAL_THREADS", "3")
    env, _ = sub.child_env()
    assert env["AIE_LOCAL_THREADS"] == "3" and env["OMP_NUM_THREADS"] == "3"


def test_every_core_without_a_setting(monkeypatch):
    monkeypatch.delenv("AIE_LOCAL_THREADS", raising=False)
    env, _ = sub.child_env()
    assert env["AIE_LOCAL_THREADS"] == str(os.cpu_count() or 2)


@pytest.mark.parametrize("bad", [0, -2])
def test_a_bad_thread_count_is_refused(bad):
    with pytest.raises(sub.SubmissionError, match="--threads"):
        sub.child_env(bad)


def test_the_cli_refuses_negative_threads(tmp_path):
    from typer.testing import CliRunner

    from aie.cli import app

    result = CliRunner().invoke(app, ["grade", "--submission", str(tmp_path), "--threads", "-1"])
    assert result.exit_code == 2 and "--threads" in result.output
