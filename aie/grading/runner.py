"""Run graded tests in a fresh pytest process and read back the plugin's JSON results.

A fresh process means the learner's latest save is what runs, and a learner function
that loops forever costs its own test (pytest-timeout), never the run.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from ..config import REPO_ROOT

DEFAULT_TIMEOUT = 300  # seconds per test


@dataclass
class Run:
    tests: list[dict] = field(default_factory=list)
    seconds: float = 0.0
    returncode: int = 0
    output: str = ""


def run_pytest(paths: list[str], *, target: str = "labs", timeout: int = DEFAULT_TIMEOUT,
               extra: list[str] | None = None, quiet: bool = True, root: Path = REPO_ROOT) -> Run:
    with tempfile.TemporaryDirectory() as tmp:
        report = Path(tmp) / "report.json"
        cmd = [
            sys.executable, "-m", "pytest", *paths,
            f"--target={target}", f"--aie-report={report}", f"--timeout={timeout}",
            # Only the plugins the graded tests use (the trusted grader does the same): with the
            # environment's others (nbval, hypothesis, langsmith, pytest-benchmark, anyio...)
            # `aie check` on the stubs took about 7 s, about 2 s without them.
            "-p", "aie.grading.plugin", "-p", "pytest_timeout", "-p", "pytest_socket",
            "-p", "no:cacheprovider", "-o", "console_output_style=classic",
            "-q" if quiet else "-v", "--no-header", "-rN", "--tb=no",
            *(extra or []),
        ]
        env = dict(os.environ, AIE_TARGET=target, HF_HUB_OFFLINE="1", TRANSFORMERS_OFFLINE="1",
                   PYTHONDONTWRITEBYTECODE="1", PYTEST_DISABLE_PLUGIN_AUTOLOAD="1")
        start = time.perf_counter()
        proc = subprocess.run(cmd, cwd=root, env=env, capture_output=True, text=True)
        seconds = time.perf_counter() - start
        tests = json.loads(report.read_text())["tests"] if report.is_file() else []
    return Run(tests=tests, seconds=seconds, returncode=proc.returncode, output=proc.stdout + proc.stderr)
