"""`aie grade --submission DIR`: grade a learner's lab files in the instructor's tree.

Only `labs/<lab>.py` is taken from DIR (a regular file, not a link), copied into a fresh
folder; everything else there (conftest.py, pytest.ini, pyproject.toml, setup.cfg, a venv
with sitecustomize.py or .pth files, edited tests, aie/, the release manifest) is never read
or run: its names are listed in the report so the instructor sees what was ignored. The
tests, hidden tests, runtime, pytest configuration and manifest are the instructor's.

Each lab runs in its own child process (`python -I -m pytest`, plugin autoload off, the
environment's PYTEST_*, AIE_* and PYTHON* variables removed), in its own session, with a
memory limit (RLIMIT_DATA: the heap and writable private mappings, not the address space that
V8 and torch reserve without using it). The child streams one JSON line per event (sandbox.py); the parent
alone assigns points, from the markers it received before any learner code ran, and:

- an import that fails, hangs (`import_limit`) or ends the process fails the lab once, with
  the reason, and its tests are not run;
- a test that runs past `test_limit` gets the child killed (SIGKILL to its process group:
  a learner's code cannot ignore it), that test scores 0 "killed", and a new child carries on
  with the tests left; so does a crash, `os._exit` or a kill, up to `restarts` times;
- past `lab_limit` seconds for the lab, the child is killed and every test left scores 0;
- results that do not fit the protocol (a second result for a test, a result for a test
  that is not running) are refused and reported as tampering.
"""

from __future__ import annotations

import json
import os
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from ..config import REPO_ROOT
from .manifest import Lab
from .scan import scan_source

MAX_FILE_BYTES = 1_000_000
CLEARED_PREFIXES = ("PYTEST_", "AIE_", "PYTHON")
IGNORED_SHOWN = 50


class SubmissionError(Exception):
    """The grading itself could not run (not the learner's fault): instructor-facing."""


@dataclass
class Limits:
    test: float = 300.0  # seconds per test (the child is killed past it, plus a grace)
    lab: float = 1800.0  # seconds for a whole lab
    import_: float = 120.0  # seconds to start, collect and import the learner's file
    memory_mb: int | None = 8192  # heap and writable private mappings per child (RLIMIT_DATA); None: no limit
    restarts: int = 3  # new children after a crash or a kill, per lab
    grace: float = 10.0  # seconds past `test` before the kill (pytest-timeout reports first)
    threads: int | None = None  # threads per child for llama.cpp/OpenMP; None: the grader's AIE_LOCAL_THREADS or all cores


@dataclass
class LabOutcome:
    lab: str
    file: str
    sha256: str | None
    imported: bool
    reason: str = ""
    flags: list[dict] = field(default_factory=list)  # static scan
    refusals: list[dict] = field(default_factory=list)  # runtime (audit hook)
    tampering: list[str] = field(default_factory=list)
    restarts: int = 0
    seconds: float = 0.0


@dataclass
class Graded:
    tests: list[dict] = field(default_factory=list)
    labs: list[LabOutcome] = field(default_factory=list)
    ignored: list[str] = field(default_factory=list)
    cleared_env: list[str] = field(default_factory=list)
    seconds: float = 0.0


def submitted_file(submission: Path, lab: Lab) -> tuple[bytes | None, str]:
    """The bytes of `labs/<id>.py` in the submission (or `<id>.py` at its top, as an upload of
    the one file arrives on Gradescope), or None and why not."""
    path = submission / lab.module
    if not os.path.lexists(path) and os.path.lexists(submission / Path(lab.module).name):
        path = submission / Path(lab.module).name
    try:
        st = os.lstat(path)
    except FileNotFoundError:
        return None, f"{lab.module} is not in the submission"
    except OSError as exc:
        return None, f"{lab.module} cannot be read: {exc.strerror}"
    import stat

    if stat.S_ISLNK(st.st_mode) or not path.resolve().is_relative_to(submission.resolve()):
        return None, f"{lab.module} is a symbolic link (or under one); submit the file itself"
    if not stat.S_ISREG(st.st_mode):
        return None, f"{lab.module} is not a regular file"
    if st.st_size > MAX_FILE_BYTES:
        return None, f"{lab.module} is {st.st_size} bytes, over the {MAX_FILE_BYTES}-byte limit"
    return path.read_bytes(), ""


def ignored_paths(submission: Path, taken: set[str]) -> list[str]:
    """Names (never contents) of what the submission holds besides the graded lab files, the
    things that would matter to pytest or Python first, so the instructor sees them."""
    found: list[str] = []
    skip_dirs = {".git", "__pycache__", "node_modules", ".ipynb_checkpoints", "datasets", "notebooks"}
    for dirpath, dirnames, filenames in os.walk(submission, followlinks=False):
        dirnames[:] = sorted(d for d in dirnames if d not in skip_dirs)
        rel = Path(dirpath).relative_to(submission)
        for name in sorted(filenames):
            relpath = (rel / name).as_posix()
            if relpath in taken:
                continue
            if name.endswith((".py", ".pth", ".ini", ".cfg", ".toml", ".json", ".yml", ".yaml")) or name == "Makefile":
                found.append(relpath)
        if len(found) > 5000:
            break
    important = ("conftest.py", "sitecustomize.py", "usercustomize.py", ".pth", "pytest.ini", "pyproject.toml",
                 "setup.cfg", "tox.ini", "aie/", "tests/", ".release.json")
    found.sort(key=lambda p: (not any(k in p for k in important), p))
    return found


def reference_files(root: Path, lab_id: str) -> list[Path]:
    """The graded lab's reference on disk: its source and any compiled copy of it."""
    folder = root / "solutions"
    return [folder / f"{lab_id}.py", *sorted((folder / "__pycache__").glob(f"{lab_id}.*"))]


def child_threads(threads: int | None = None) -> int:
    """Threads each child may use: `threads`, else the grader's own AIE_LOCAL_THREADS, else every core.

    Graders run side by side (`xargs -P N`) must share the cores: llama.cpp and OpenMP threads
    spin while they wait, so N children with a thread per core each run N times too many busy
    threads, and a lab that takes 40 s alone can hit every per-test time limit."""
    if threads is None:
        setting = os.environ.get("AIE_LOCAL_THREADS", "")
        threads = int(setting) if setting.isdigit() and int(setting) > 0 else (os.cpu_count() or 2)
    if threads < 1:
        raise SubmissionError(f"--threads must be a positive number of threads (got {threads})")
    return threads


def child_env(threads: int | None = None) -> tuple[dict[str, str], list[str]]:
    """The parent's environment minus PYTEST_*, AIE_*, PYTHON* (names returned, never values),
    plus the grader's own settings: offline, and the threads each child may use."""
    share = str(child_threads(threads))
    cleared = sorted(k for k in os.environ if k.startswith(CLEARED_PREFIXES))
    env = {k: v for k, v in os.environ.items() if not k.startswith(CLEARED_PREFIXES)}
    env.update(HF_HUB_OFFLINE="1", TRANSFORMERS_OFFLINE="1", TOKENIZERS_PARALLELISM="false",
               PYTEST_DISABLE_PLUGIN_AUTOLOAD="1", PYTHONDONTWRITEBYTECODE="1", PYTHONHASHSEED="0",
               AIE_LOCAL_THREADS=share, OMP_NUM_THREADS=share)
    return env, cleared


def _limit_memory(memory_mb: int | None):
    def preexec():
        import resource

        if sys.platform.startswith("linux"):  # the child dies with the grader, never lingers
            import ctypes

            try:
                ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
            except (OSError, AttributeError):
                pass
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
        if memory_mb:
            limit = memory_mb * 1024 * 1024
            # RLIMIT_DATA, not RLIMIT_AS: node (lab 08's Transformers.js) reserves tens of GB of
            # address space for WebAssembly and failed under an 8 GB RLIMIT_AS while using little
            resource.setrlimit(resource.RLIMIT_DATA, (limit, limit))

    return preexec


def _kill(proc: subprocess.Popen) -> None:
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    try:
        proc.kill()
    except ProcessLookupError:
        pass
    proc.wait()


def _exit_words(code: int | None) -> str:
    if code is None:
        return "was killed"
    if code < 0:
        try:
            return f"was ended by signal {signal.Signals(-code).name}"
        except ValueError:
            return f"was ended by signal {-code}"
    return f"ended with exit code {code}"


class _LabRun:
    """One lab of one submission: children started until every collected test has a result."""

    def __init__(self, lab: Lab, work: Path, paths: list[str], limits: Limits, root: Path, hidden: Path | None,
                 keyword: str | None, env: dict[str, str]):
        self.lab, self.work, self.paths, self.limits, self.root = lab, work, paths, limits, root
        self.hidden, self.keyword, self.env = hidden, keyword, env
        self.collected: list[dict] | None = None
        self.results: dict[str, dict] = {}
        self.tampering: list[str] = []
        self.refusals: list[dict] = []
        self.reason = ""
        self.imported = False
        self.restarts = 0
        self.lab_start = time.monotonic()
        self.output_tail = ""

    def command(self, channel: int, skip_file: Path) -> list[str]:
        # -I: no PYTHON* variables, no user site, no current folder on sys.path; the instructor's
        # tree first on sys.path, so `aie` is the instructor's runtime whatever is installed.
        boot = f"import sys; sys.path.insert(0, {str(self.root)!r}); import pytest; sys.exit(pytest.main(sys.argv[1:]))"
        cmd = [sys.executable, "-I", "-B", "-c", boot, *self.paths,
               "-c", str(self.root / "pyproject.toml"), "--rootdir", str(self.root),
               "-p", "aie.grading.plugin", "-p", "pytest_timeout", "-p", "pytest_socket", "-p", "no:cacheprovider",
               f"--timeout={int(self.limits.test)}", "-q", "--no-header", "--tb=no", "-rN",
               "-o", "console_output_style=classic",
               f"--aie-submission={self.work}", f"--aie-lab={self.lab.id}", f"--aie-channel={channel}",
               f"--aie-skip={skip_file}", f"--aie-protect={self.root / 'tests'}",
               *(f"--aie-protect={p}" for p in reference_files(self.root, self.lab.id)),
               f"--aie-protect={self.root / 'aie' / 'grading'}", f"--aie-protect={self.root / 'labs'}"]
        if self.hidden is not None:
            cmd += [f"--aie-hidden={self.hidden}", f"--aie-protect={self.hidden}"]
        if self.keyword:
            cmd += ["-k", self.keyword]
        return cmd

    def remaining(self) -> list[dict]:
        return [t for t in (self.collected or []) if t["nodeid"] not in self.results]

    def record(self, nodeid: str, status: str, message: str, duration: float = 0.0) -> None:
        test = next((t for t in self.collected or [] if t["nodeid"] == nodeid), None)
        if test is None or nodeid in self.results:
            return
        self.results[nodeid] = dict(test, status=status, message=message, duration=round(duration, 4),
                                    score=test["points"] if status == "passed" else 0.0)

    def run(self) -> None:
        while True:
            if time.monotonic() - self.lab_start > self.limits.lab:
                for t in self.remaining():
                    self.record(t["nodeid"], "timeout", f"not run: the lab's time limit ({self.limits.lab:g} s) was reached")
                return
            ended = self.child()
            if self.collected is None:
                said = (f"pytest said:\n{self.output_tail[-3000:]}" if self.hidden is None else
                        "(pytest's output is withheld: it may name hidden tests; run without --hidden to see it)")
                raise SubmissionError(f"the instructor's tests for {self.lab.id} did not collect ({ended}). {said}")
            if not self.imported or not self.remaining():
                return
            if self.restarts >= self.limits.restarts:
                for t in self.remaining():
                    self.record(t["nodeid"], "error", f"not run: the test process ended {self.restarts + 1} times")
                return
            self.restarts += 1

    def child(self) -> str:
        """Run one child until it ends or is killed; returns how it ended (in words)."""
        read_fd, write_fd = os.pipe()
        skip = self.work / f"skip-{self.restarts}.txt"
        skip.write_text("\n".join(self.results))
        log = open(self.work / f"child-{self.restarts}.log", "w+b")
        try:
            proc = subprocess.Popen(self.command(write_fd, skip), cwd=self.work, env=self.env, stdin=subprocess.DEVNULL,
                                    stdout=log, stderr=subprocess.STDOUT, pass_fds=(write_fd,),
                                    start_new_session=True, preexec_fn=_limit_memory(self.limits.memory_mb))
        finally:
            os.close(write_fd)
        buffer = b""
        started = time.monotonic()
        current: tuple[str, float] | None = None
        importing = True
        last_event = started
        why = ""
        first_child = self.restarts == 0
        try:
            while True:
                now = time.monotonic()
                if importing and now - started > self.limits.import_:
                    why = f"did not finish importing within {self.limits.import_:g} s"
                    break
                if current and now - current[1] > self.limits.test + self.limits.grace:
                    why = f"killed after {self.limits.test + self.limits.grace:g} s (the per-test time limit)"
                    break
                if not importing and not current and now - last_event > self.limits.test + self.limits.grace:
                    why = f"stalled between tests for over {self.limits.test + self.limits.grace:g} s"
                    break
                if now - self.lab_start > self.limits.lab:
                    why = f"the lab's time limit ({self.limits.lab:g} s) was reached"
                    break
                ready, _, _ = select.select([read_fd], [], [], 0.25)
                if not ready:
                    if proc.poll() is not None:
                        break  # ended, and nothing left to read (or a stray process holds the pipe)
                    continue
                chunk = os.read(read_fd, 65536)
                if not chunk:
                    proc.wait()
                    break
                buffer += chunk
                while b"\n" in buffer:
                    line, buffer = buffer.split(b"\n", 1)
                    last_event = time.monotonic()
                    event = self._parse(line)
                    if event is None:
                        continue
                    kind = event.get("ev")
                    if kind == "collected":
                        if self.collected is None and importing:
                            self.collected = [t for t in event.get("tests", []) if t.get("points") is not None]
                    elif kind == "importing":
                        pass
                    elif kind == "import_failed":
                        if importing:
                            self._import_failed(str(event.get("reason", "import failed")), first_child)
                            importing = False
                    elif kind == "imported":
                        if importing:
                            importing = False
                            self.imported = True
                            started = time.monotonic()
                            self.refusals += event.get("refusals", [])
                            if event.get("tampered"):
                                self.tampering.append(f"while importing: {event['tampered']}")
                    elif kind == "start":
                        nodeid = event.get("nodeid")
                        if importing or current is not None:
                            self.tampering.append(f"an out-of-order start for {nodeid!r}")
                        elif nodeid in self.results:
                            self.tampering.append(f"a second start for {nodeid!r}")
                        else:
                            current = (nodeid, time.monotonic())
                    elif kind == "end":
                        nodeid = event.get("nodeid")
                        if current is None or nodeid != current[0]:
                            self.tampering.append(f"a result for {nodeid!r}, which was not running")
                            if nodeid in self.results:
                                self.results[nodeid].update(status="tampered", score=0.0,
                                                            message="two results were sent for this test")
                            continue
                        status = str(event.get("status", "error"))
                        if status == "tampered":
                            self.tampering.append(str(event.get("message", "")))
                        self.refusals += event.get("refusals", [])
                        self.record(nodeid, status, str(event.get("message", "")), float(event.get("duration", 0.0)))
                        current = None
                    elif kind == "done":
                        pass
        finally:
            if proc.poll() is None:
                _kill(proc)
            os.close(read_fd)
            log.seek(0)
            self.output_tail = log.read()[-20000:].decode(errors="replace")
            log.close()
        ended = why or f"the test process {_exit_words(proc.returncode)}"
        if importing and self.collected is not None:
            self._import_failed(f"the lab file {ended.removeprefix('the test process ')} while being imported"
                                if not why else f"the lab file {why}", first_child)
        elif current is not None:
            nodeid = current[0]
            status = "timeout" if why else "error"
            self.record(nodeid, status, f"{ended}" if why else f"{ended} during this test", time.monotonic() - current[1])
        if why and self.imported:
            if "lab's time limit" in why:
                for t in self.remaining():
                    self.record(t["nodeid"], "timeout", f"not run: {why}")
        return ended

    def _import_failed(self, reason: str, first_child: bool) -> None:
        if not first_child and self.imported:
            # it imported before, in an earlier child: count the tests left, not the lab
            for t in self.remaining():
                self.record(t["nodeid"], "error", f"not run: in a restarted test process, {reason}")
            self.imported = False
            return
        self.reason = reason
        for t in self.remaining():
            self.record(t["nodeid"], "error", f"the lab could not be imported: {reason}")

    def _parse(self, line: bytes) -> dict | None:
        try:
            event = json.loads(line)
        except (UnicodeDecodeError, json.JSONDecodeError):
            self.tampering.append("unreadable data on the result channel")
            return None
        if not isinstance(event, dict):
            self.tampering.append("unreadable data on the result channel")
            return None
        return event


def released_stub(root: Path, lab: Lab) -> str | None:
    """The lab file as released to learners: the stub of the solution, or (in a class
    repository, which has no solutions) its labs/ file."""
    from .release import stub_source

    solution, stub = root / lab.solution, root / lab.module
    if solution.is_file():
        return stub_source(solution.read_text(encoding="utf-8"), lab.id, lab.solution)
    return stub.read_text(encoding="utf-8") if stub.is_file() else None


def grade_submission(submission: Path, labs: list[Lab], *, limits: Limits | None = None, root: Path = REPO_ROOT,
                     hidden: Path | None = None, keyword: str | None = None) -> Graded:
    """Grade `labs` of one submission folder; see the module docstring."""
    from .manifest import load_curriculum

    limits = limits or Limits()
    submission = Path(submission).resolve()
    if not submission.is_dir():
        raise SubmissionError(f"--submission {submission} is not a folder")
    root = Path(root).resolve()
    if submission == root or root.is_relative_to(submission):
        raise SubmissionError("--submission must be a folder outside the grading checkout (the instructor's tree)")
    if hidden is not None:
        hidden = Path(hidden).resolve()
        if not hidden.is_dir():
            raise SubmissionError(f"--hidden {hidden} is not a folder")
    all_labs = load_curriculum(root / "curriculum.toml").labs
    env, cleared = child_env(limits.threads)
    graded = Graded(cleared_env=cleared)
    previous = None
    if threading.current_thread() is threading.main_thread():
        # a cancelled job (SIGTERM) still kills its child and removes its folder
        previous = signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(128 + signum))
    try:
        _grade_labs(graded, submission, labs, all_labs, limits, root, hidden, keyword, env)
    finally:
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)
    return graded


def _grade_labs(graded: Graded, submission: Path, labs: list[Lab], all_labs, limits: Limits, root: Path,
                hidden: Path | None, keyword: str | None, env: dict[str, str]) -> None:
    import hashlib

    graded.ignored = ignored_paths(submission, {lab.module for lab in all_labs} | {Path(lab.module).name for lab in labs})
    start = time.monotonic()
    for lab in labs:
        tests_file = root / lab.tests
        paths = [str(tests_file)] if tests_file.is_file() else []
        if hidden is not None:
            paths.append(str(hidden))
        if not paths:
            continue
        data, why = submitted_file(submission, lab)
        work = Path(tempfile.mkdtemp(prefix=f"aie-grade-{lab.id}-"))
        try:
            (work / "labs").mkdir()
            # Only this lab's file: a lab that builds on an earlier one (labs.agents on
            # labs.rag) finds no learner copy of it and uses the course's reference
            # (solutions.rag, importable in the child; only solutions.<this lab> is refused),
            # so a mistake in lab 05 costs points in lab 05 alone.
            outcome = LabOutcome(lab=lab.id, file=lab.module, sha256=None, imported=False)
            if data is not None:
                (work / "labs" / f"{lab.id}.py").write_bytes(data)
                outcome.sha256 = hashlib.sha256(data).hexdigest()
                outcome.flags = scan_source(data.decode("utf-8", errors="replace"), lab.module,
                                            baseline=released_stub(root, lab))
            run = _LabRun(lab, work, paths, limits, root, hidden, keyword, env)
            lab_start = time.monotonic()
            run.run()
            outcome.imported = run.imported and not run.reason
            outcome.reason = why or run.reason
            if why:
                for t in run.remaining() + list(run.results.values()):
                    t.update(message=f"the lab could not be imported: {why}")
            outcome.refusals = run.refusals
            outcome.tampering = run.tampering
            outcome.restarts = run.restarts
            outcome.seconds = round(time.monotonic() - lab_start, 2)
            order = [t["nodeid"] for t in run.collected or []]
            graded.tests += [run.results[n] for n in order if n in run.results]
            graded.labs.append(outcome)
        finally:
            shutil.rmtree(work, ignore_errors=True)
    graded.seconds = round(time.monotonic() - start, 2)


def summary(graded: Graded) -> dict:
    """The `submission` section of the JSON report (instructor-facing)."""
    return {
        "ignored": graded.ignored[:IGNORED_SHOWN],
        "ignored_count": len(graded.ignored),
        "cleared_env": graded.cleared_env,
        "labs": [{
            "lab": o.lab, "file": o.file, "sha256": o.sha256, "imported": o.imported, "reason": o.reason,
            "flags": o.flags, "refusals": o.refusals, "tampering": o.tampering, "restarts": o.restarts,
            "seconds": o.seconds,
        } for o in graded.labs],
    }
