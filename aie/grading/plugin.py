"""The pytest plugin that grades labs (registered as the `aie` pytest11 entry point).

- `--target=labs|solutions` (or AIE_TARGET): whose code the graded tests import.
- `lab` fixture: the module under test, `<target>.<lab id>`, from the test's lab marker.
- `@pytest.mark.points(n)`, `@pytest.mark.lab(id)`, `@pytest.mark.exercise(name)`.
- A test that reaches a stub reports "not done yet: <lab>.<function>", not a traceback.
- `--aie-report=FILE` writes every graded result as JSON (what `aie check`/`aie grade` read).
- `--aie-exercise=NAME` runs only that exercise's graded tests (`aie check lab.exercise`).
- `--aie-submission=DIR --aie-lab=ID --aie-channel=FD`: the child process of
  `aie grade --submission` (see sandbox.py); results stream to the parent as each test ends.
"""

from __future__ import annotations

import json
import os
import time
import traceback
from pathlib import Path

import pytest

from .target import TARGETS, load_lab

_results: dict[str, dict] = {}


def pytest_addoption(parser):
    group = parser.getgroup("aie", "AI Engineer Labs grading")
    group.addoption("--target", choices=TARGETS, default=None,
                    help="grade the learner's labs/ (default) or the reference solutions/")
    group.addoption("--aie-report", default=None, help="write graded results as JSON to this file")
    group.addoption("--aie-exercise", default=None,
                    help="only the graded tests of this exercise (its @pytest.mark.exercise name)")
    group.addoption("--aie-submission", default=None, help=argparse_suppress())
    group.addoption("--aie-lab", default=None, help=argparse_suppress())
    group.addoption("--aie-channel", type=int, default=None, help=argparse_suppress())
    group.addoption("--aie-protect", action="append", default=[], help=argparse_suppress())
    group.addoption("--aie-hidden", default=None, help=argparse_suppress())
    group.addoption("--aie-skip", default=None, help=argparse_suppress())


def argparse_suppress():
    import argparse

    return argparse.SUPPRESS


def pytest_configure(config):
    target = config.getoption("--target") or os.environ.get("AIE_TARGET") or "labs"
    os.environ["AIE_TARGET"] = target  # notebooks and subprocesses see the same target
    config._aie_target = target
    if config.getoption("--aie-submission"):
        from . import sandbox

        config._aie_target = os.environ["AIE_TARGET"] = "labs"
        lab_id = config.getoption("--aie-lab")
        sandbox.setup(config.getoption("--aie-channel"), lab_id,
                      str(Path(config.getoption("--aie-submission")) / "labs" / f"{lab_id}.py"),
                      config.getoption("--aie-protect"))
    for line in (
        "points(n): points a graded test is worth",
        "lab(id): the lab a graded test belongs to",
        "exercise(name): the exercise a graded test checks",
    ):
        config.addinivalue_line("markers", line)


def pytest_report_header(config):
    return f"aie: grading target = {config._aie_target}/"


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(session, config, items):
    """A test's points are for the test function: its parametrized cases share them."""
    counts: dict[tuple, int] = {}
    for item in items:
        key = (str(item.path), getattr(item, "originalname", item.name))
        counts[key] = counts.get(key, 0) + 1
    for item in items:
        item._aie_cases = counts[(str(item.path), getattr(item, "originalname", item.name))]
    _submission_items(config, items)
    exercise = config.getoption("--aie-exercise")
    if exercise:  # after the counts: a case keeps its share of its function's points
        keep = [item for item in items if _marker_arg(item, "exercise") == exercise]
        config.hook.pytest_deselected(items=[item for item in items if item not in keep])
        items[:] = keep


def _submission_items(config, items):
    """In a submission child: only the graded tests of its lab, minus those already reported."""
    lab_id = config.getoption("--aie-lab")
    if not config.getoption("--aie-submission") or not lab_id:
        return
    skip_file = config.getoption("--aie-skip")
    skip = set(Path(skip_file).read_text().split("\n")) if skip_file else set()
    keep, drop = [], []
    for item in items:
        graded = item_points(item) is not None and _marker_arg(item, "lab") == lab_id
        (keep if graded and item.nodeid not in skip else drop).append(item)
    if drop:
        config.hook.pytest_deselected(items=drop)
        items[:] = keep


def pytest_collection_finish(session):
    """In a submission child: send the collected tests (before any learner code ran), then
    import the learner's file once; if that fails the lab fails once, with the reason."""
    config = session.config
    if not config.getoption("--aie-submission"):
        return
    from . import sandbox

    hidden = config.getoption("--aie-hidden")
    hidden = str(Path(hidden).resolve()) if hidden else None
    sandbox.send("collected", tests=[{
        "nodeid": item.nodeid, "name": item.name, "function": getattr(item, "originalname", item.name),
        "file": Path(item.path).name, "lab": _marker_arg(item, "lab"), "exercise": _marker_arg(item, "exercise"),
        "points": item_points(item),
        "hidden": bool(hidden and str(Path(item.path).resolve()).startswith(hidden + os.sep)),
    } for item in session.items])
    sandbox.fingerprint()
    sandbox.send("importing")
    try:
        sandbox.load()
    except BaseException as exc:  # any failure, SystemExit included, fails the lab once
        sandbox.send("import_failed", reason=_import_reason(exc))
        os._exit(0)
    tampered = sandbox.check_machinery()
    sandbox.send("imported", tampered=tampered, refusals=sandbox.S.refusals)


def _import_reason(exc: BaseException) -> str:
    if isinstance(exc, SyntaxError):
        return f"labs/{Path(exc.filename or '').name} line {exc.lineno}: syntax error: {exc.msg}"
    if isinstance(exc, SystemExit):
        return f"the lab file called exit({exc.code!r}) while importing"
    text = "".join(traceback.format_exception_only(type(exc), exc)).strip()
    return f"importing the lab file failed: {text[:500]}"


def pytest_runtest_logstart(nodeid, location):
    from . import sandbox

    if sandbox.active():
        sandbox.S.current = nodeid
        sandbox.send("start", nodeid=nodeid)


def pytest_runtest_logfinish(nodeid, location):
    from . import sandbox

    if not sandbox.active():
        return
    entry = _results.get(nodeid, {})
    tampered = sandbox.check_machinery()
    refusals = [r for r in sandbox.S.refusals if r["test"] == nodeid]
    status, message = entry.get("status", "error"), entry.get("message", "no result was recorded")
    if tampered:
        status, message = "tampered", f"the grading machinery was changed by the lab file: {tampered}"
    sandbox.send("end", nodeid=nodeid, status=status, message=message, duration=entry.get("duration", 0.0),
                 refusals=refusals)
    sandbox.S.current = ""


def item_points(item) -> float | None:
    points = _marker_arg(item, "points")
    if points is None:
        return None
    return round(float(points) / getattr(item, "_aie_cases", 1), 4)


def _marker_arg(item, name, default=None):
    marker = item.get_closest_marker(name)
    return marker.args[0] if marker and marker.args else default


@pytest.fixture
def lab(request):
    """The lab module under test: `labs.<id>` or `solutions.<id>` by --target."""
    lab_id = _marker_arg(request.node, "lab")
    if lab_id is None:
        raise pytest.UsageError(f"{request.node.nodeid}: the `lab` fixture needs a @pytest.mark.lab('<id>') marker")
    if request.config.getoption("--aie-submission"):
        return load_lab(lab_id, "labs")  # loaded once, by path, at the start of the session
    try:
        return load_lab(lab_id, request.config._aie_target)
    except SyntaxError as exc:
        pytest.fail(f"{exc.filename} line {exc.lineno}: syntax error: {exc.msg}. Fix it and check again.", pytrace=False)
    except ImportError as exc:
        pytest.fail(f"could not import {request.config._aie_target}.{lab_id}: {exc}", pytrace=False)


def _not_implemented(excinfo) -> str | None:
    exc = excinfo.value if excinfo else None
    seen = 0
    while exc is not None and seen < 10:
        if isinstance(exc, NotImplementedError):
            return str(exc) or "an exercise"
        exc = exc.__cause__ or exc.__context__
        seen += 1
    return None


def _message(excinfo) -> str:
    exc = excinfo.value
    if isinstance(exc, AssertionError):
        text = str(exc).strip()
        # pytest's rewritten assert adds the compared expressions after the message.
        head = text.split("\nassert ")[0].strip()
        return head or "an assertion failed"
    if type(exc).__name__ == "Failed":
        return str(exc)
    frames = traceback.format_exception_only(type(exc), exc)
    return "".join(frames).strip()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    rep = outcome.get_result()
    points = item_points(item)
    if points is None:
        return
    rep.user_properties = list(getattr(rep, "user_properties", []))
    status = None
    message = ""
    if rep.failed and call.excinfo is not None:
        missing = _not_implemented(call.excinfo)
        if missing:
            status, message = "not_started", f"not done yet: {missing}"
            rep.longrepr = message
        elif "Timeout" in call.excinfo.typename or "Timeout" in str(call.excinfo.value)[:40]:
            status, message = "timeout", f"took too long (over the per-test time limit): {_message(call.excinfo)}"
        else:
            status, message = ("failed" if rep.when == "call" else "error"), _message(call.excinfo)
    elif rep.when == "call" and rep.passed:
        status = "passed"
    elif rep.skipped and rep.when in ("setup", "call"):
        status = "skipped"
        message = str(rep.longrepr[-1]) if isinstance(rep.longrepr, tuple) else ""
    if status is None:
        return
    entry = _results.setdefault(item.nodeid, {})
    if entry.get("status") in ("failed", "error", "not_started", "timeout"):
        return  # keep the first failure (a teardown error after a failed call)
    entry.update(
        nodeid=item.nodeid,
        name=item.name,
        function=getattr(item, "originalname", item.name),
        file=str(Path(item.path).name),
        lab=_marker_arg(item, "lab"),
        exercise=_marker_arg(item, "exercise"),
        points=points,
        score=points if status == "passed" else 0.0,
        status=status,
        message=message,
        duration=round(entry.get("duration", 0.0) + rep.duration, 4),
    )
    rep.user_properties.extend([("points", points), ("status", status)])


def pytest_sessionfinish(session, exitstatus):
    if session.config.getoption("--aie-submission"):
        from . import sandbox

        sandbox.send("done")
    path = session.config.getoption("--aie-report")
    if path:
        payload = {
            "target": session.config._aie_target,
            "finished_at": time.time(),
            "tests": list(_results.values()),
        }
        Path(path).write_text(json.dumps(payload, indent=2))
