"""The child side of `aie grade --submission`: the pytest process that runs a learner's code.

The parent (aie/grading/submission.py) starts this process with the instructor's tests,
pytest configuration and runtime, and a copy of ONE learner file. Here, before that file is
imported:

- the graded lab's reference (`solutions.<lab>`) cannot be imported or read (an import hook
  and an audit hook refuse it); the other labs' references can, because a lab that builds on
  an earlier one (agents on rag, safety on rag and agents) is graded on its own code with
  the course's reference of the earlier lab under it, not on the learner's earlier lab;
- an audit hook (`sys.addaudithook`, which cannot be removed) refuses, when the learner's
  code asks: frames (`sys._getframe`, `inspect.stack()`, `tb_frame`, `gi_frame`), the
  garbage collector's object graph, reading or listing the test folders, subprocesses,
  signals, tracing and new audit hooks; each refusal is sent to the parent and reported;
- the pytest machinery that decides outcomes is fingerprinted, and checked after every test:
  a learner file that patches it gets that test and every later one marked "tampered".

Results go to the parent as JSON lines on a pipe, one per event, as each test ends; the
parent alone counts points (from its own copy of the markers) and writes the reports.
A process that cannot be trusted cannot be made fully safe from inside; what this layer
does not stop (raw writes to the result pipe, say) the static scan shows the instructor.
"""

from __future__ import annotations

import builtins
import importlib.abc
import importlib.util
import json
import os
import sys
import threading
import time
import types
from pathlib import Path

_write = os.write
_dumps = json.dumps
_getframe = sys._getframe
_monotonic = time.monotonic
_Path = Path

REFUSED_PACKAGES = ("solutions",)
FRAME_ATTRS = frozenset({"tb_frame", "gi_frame", "cr_frame", "ag_frame", "f_back"})
FRAME_HELPERS = ("inspect.py", "traceback.py")
DENY_ALWAYS = {
    "sys._current_frames": "frame inspection",
    "gc.get_referrers": "reading the interpreter's object graph",
    "gc.get_referents": "reading the interpreter's object graph",
    "gc.get_objects": "reading the interpreter's object graph",
    "sys.settrace": "installing a tracer",
    "sys.setprofile": "installing a profiler",
    "sys.addaudithook": "installing an audit hook",
    "subprocess.Popen": "starting a process",
    "os.system": "starting a process",
    "os.exec": "starting a process",
    "os.posix_spawn": "starting a process",
    "os.spawn": "starting a process",
    "os.fork": "starting a process",
    "os.forkpty": "starting a process",
    "os.kill": "sending a signal",
    "os.killpg": "sending a signal",
    "signal.pthread_kill": "sending a signal",
    "ctypes.dlopen": "loading native code",
    "ctypes.dlsym": "loading native code",
    "ctypes.addressof": "reading raw memory",
    "ctypes.string_at": "reading raw memory",
    "ctypes.cdata": "reading raw memory",
}


# Programs the labs' own lessons start (espeak-ng speaks in lab 09, tesseract reads images,
# node runs the course's Transformers.js script in lab 08): the learner's code may start them,
# node only on a script in the course's node/ folder. Any other process is refused.
COURSE_TOOLS = frozenset({"espeak-ng", "espeak", "tesseract"})
NODE_SCRIPTS = str(_Path(__file__).resolve().parents[2] / "node") + os.sep


def _course_tool(args) -> bool:
    """Whether a subprocess.Popen audit event starts one of the course's tools."""
    try:
        executable, argv = args[0], args[1]
        argv = [argv] if isinstance(argv, (str, bytes, os.PathLike)) else list(argv)
        program = os.path.basename(os.fsdecode(executable if executable is not None else argv[0]))
        if program in COURSE_TOOLS:
            return True
        if program == "node" and len(argv) >= 2:
            return str(_Path(os.fsdecode(argv[1])).resolve()).startswith(NODE_SCRIPTS)
    except (IndexError, TypeError, ValueError):
        pass
    return False


class _State:
    channel: int | None = None
    lab_id: str = ""
    lab_file: str = ""
    lab_dir: str = "\0"
    protected: tuple[str, ...] = ()
    refusals: list[dict] = []
    current: str = ""
    fingerprint: dict[str, int] = {}
    tampered: str = ""
    module: types.ModuleType | None = None
    busy = threading.local()


S = _State()


def send(event: str, **fields) -> None:
    """One JSON line to the parent (no-op outside `--submission`)."""
    if S.channel is None:
        return
    line = _dumps({"ev": event, **fields}, default=str) + "\n"
    data = line.encode()
    while data:
        n = _write(S.channel, data)
        data = data[n:]


def _refused_module(name: str) -> bool:
    """The graded lab's reference, `solutions.<lab>` (and anything below it)."""
    parts = name.split(".")
    return parts[0] in REFUSED_PACKAGES and len(parts) > 1 and parts[1] == S.lab_id


class _RefuseSolutions(importlib.abc.MetaPathFinder):
    """`import solutions.<graded lab>` fails while a submission is graded."""

    def find_spec(self, fullname, path=None, target=None):
        if _refused_module(fullname):
            raise ImportError(f"{fullname} is not available while grading: a submission is graded on its own code")
        return None


def _is_learner(frame) -> bool:
    """A frame of the submitted code: any file of the submission's labs/ folder."""
    return frame is not None and frame.f_code.co_filename.startswith(S.lab_dir)


def _learner_near(frame, depth: int) -> bool:
    for _ in range(depth):
        if frame is None:
            return False
        if _is_learner(frame):
            return True
        frame = frame.f_back
    return False


def _learner_on_stack(frame) -> bool:
    while frame is not None:
        if _is_learner(frame):
            return True
        frame = frame.f_back
    return False


def _protected(path) -> bool:
    if isinstance(path, int):
        return False
    try:
        text = os.fsdecode(path)
    except TypeError:
        return False
    if text.startswith("/proc/") and ("/fd" in text or "/mem" in text or "/environ" in text or "/cmdline" in text):
        return True
    try:
        resolved = str(_Path(text).resolve())
    except (OSError, RuntimeError, ValueError):
        return False
    return any(resolved == p or resolved.startswith(p + os.sep) for p in S.protected)


def _refuse(kind: str, exc_type: type[BaseException], detail: str):
    entry = {"test": S.current or "(import)", "kind": kind, "detail": detail}
    if len(S.refusals) < 50:
        S.refusals.append(entry)
    raise exc_type(f"refused while grading: {kind} ({detail})")


def _audit(event: str, args) -> None:
    if S.busy.__dict__.get("on") or not S.lab_file:
        return
    S.busy.on = True
    try:
        caller = _getframe(1)
        if event == "sys._getframe":
            if _is_learner(caller) or (caller is not None and caller.f_code.co_filename.endswith(FRAME_HELPERS)
                                       and _learner_near(caller.f_back, 3)):
                _refuse("frame inspection", ValueError, "sys._getframe")
        elif event == "object.__getattr__":
            if len(args) > 1 and args[1] in FRAME_ATTRS and _is_learner(caller):
                _refuse("frame inspection", AttributeError, str(args[1]))
        elif event in ("open", "os.listdir", "os.scandir", "glob.glob", "os.chdir", "shutil.copytree", "os.walk"):
            path = args[0] if args else None
            if path is not None and _learner_on_stack(caller) and _protected(path):
                _refuse("reading the graded tests or the grader's files", PermissionError, f"{event} {path}")
        elif event in ("import",):
            name = args[0] if args else ""
            if isinstance(name, str) and _refused_module(name):
                raise ImportError(f"{name} is not available while grading")
        else:
            for prefix, kind in DENY_ALWAYS.items():
                if event == prefix or event.startswith(prefix + "."):
                    # the learner's own call (or through one or two standard wrappers, e.g.
                    # subprocess.run -> Popen); a library deep below may do what it needs
                    if _learner_near(caller, 4) and not (event == "subprocess.Popen" and _course_tool(args)):
                        _refuse(kind, PermissionError, event)
                    break
    finally:
        S.busy.on = False


def _machinery() -> dict[str, object]:
    """The objects that decide a test's outcome; a learner file must leave them alone."""
    import _pytest.outcomes
    import _pytest.python
    import _pytest.reports
    import _pytest.runner
    import pytest

    from . import plugin

    objs = {
        "_pytest.runner.call_and_report": _pytest.runner.call_and_report,
        "_pytest.runner.runtestprotocol": _pytest.runner.runtestprotocol,
        "_pytest.runner.CallInfo.from_call": _pytest.runner.CallInfo.__dict__["from_call"],
        "_pytest.runner.pytest_runtest_call": _pytest.runner.pytest_runtest_call,
        "_pytest.reports.TestReport.from_item_and_call": _pytest.reports.TestReport.__dict__["from_item_and_call"],
        "_pytest.python.Function.runtest": _pytest.python.Function.runtest,
        "_pytest.python.pytest_pyfunc_call": _pytest.python.pytest_pyfunc_call,
        "_pytest.outcomes.fail": _pytest.outcomes.fail,
        "_pytest.outcomes.skip": _pytest.outcomes.skip,
        "pytest.raises": pytest.raises,
        "pytest.approx": pytest.approx,
        "pytest.fail": pytest.fail,
        "pytest.skip": pytest.skip,
        "builtins.isinstance": builtins.isinstance,
        "builtins.type": builtins.type,
        "builtins.len": builtins.len,
        "aie.grading.plugin.pytest_runtest_makereport": plugin.pytest_runtest_makereport,
        "aie.grading.plugin._results": plugin._results,
        "aie.grading.sandbox.send": send,
        "aie.grading.sandbox.check_machinery": check_machinery,
        "os.write": os.write,
        "sys.modules": sys.modules,
    }
    return objs


def check_machinery() -> str:
    """'' while the grading machinery is as it was before the learner's file loaded; else
    the name of what changed (sticky: once tampered, every later test is too)."""
    if S.tampered:
        return S.tampered
    now = _machinery()
    changed = [name for name, ident in S.fingerprint.items() if id(now.get(name)) != ident]
    if S.module is not None and sys.modules.get(f"labs.{S.lab_id}") is not S.module:
        changed.append(f"sys.modules['labs.{S.lab_id}']")
    if changed:
        S.tampered = ", ".join(changed)
    return S.tampered


def setup(channel: int, lab_id: str, lab_file: str, protected: list[str]) -> None:
    """Arm the child before any learner code runs."""
    S.channel = channel
    S.lab_id = lab_id
    S.lab_file = str(_Path(lab_file).resolve())
    S.lab_dir = str(_Path(S.lab_file).parent) + os.sep
    S.protected = tuple(str(_Path(p).resolve()) for p in protected)
    for name in list(sys.modules):
        if _refused_module(name):
            del sys.modules[name]
    sys.meta_path.insert(0, _RefuseSolutions())
    # `labs` is the submission's folder only, never the installed checkout's stubs.
    pkg = types.ModuleType("labs")
    pkg.__path__ = [str(_Path(S.lab_file).parent)]
    pkg.__file__ = None
    sys.modules["labs"] = pkg
    for name in list(sys.modules):
        if name.startswith("labs."):
            del sys.modules[name]
    sys.addaudithook(_audit)


def load() -> types.ModuleType:
    """Import the learner's file by path as `labs.<id>` and check it is that file."""
    name = f"labs.{S.lab_id}"
    if not os.path.isfile(S.lab_file):
        raise FileNotFoundError(f"labs/{S.lab_id}.py is not in the submission")
    spec = importlib.util.spec_from_file_location(name, S.lab_file)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    if getattr(module, "__file__", None) != S.lab_file or sys.modules.get(name) is not module:
        raise ImportError(f"{name} is not the submitted file after import (its __file__ is "
                          f"{getattr(module, '__file__', None)!r})")
    S.module = module
    return module


def lab_module(lab_id: str) -> types.ModuleType:
    """What the `lab` fixture and `load_lab` hand a test in `--submission` mode."""
    if lab_id != S.lab_id or S.module is None:
        raise ImportError(f"only labs/{S.lab_id}.py is graded in this process (asked for {lab_id})")
    if S.module.__file__ != S.lab_file:
        raise ImportError(f"labs.{lab_id} no longer points at the submitted file")
    return S.module


def active() -> bool:
    return S.channel is not None


def fingerprint() -> None:
    S.fingerprint = {name: id(obj) for name, obj in _machinery().items()}


def start_clock() -> float:
    return _monotonic()
