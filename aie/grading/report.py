"""Grade reports: our JSON, JUnit XML, Markdown, GitHub Classroom and Gradescope.

The JSON report has top-level `total` and `max` (points), `labs` and `tests` lists.
- classroom: the result shape GitHub Classroom's autograding reporter reads
  (`{"version": 1, "status", "max_score", "tests": [{"name", "status", "score", ...}]}`);
  base64-encode it into the runner's `result` output (see docs/github-classroom.yml).
- gradescope: Gradescope's `results.json` (`{"score", "execution_time", "tests": [...]}`).

Hidden tests (`"hidden": true`, from `--hidden`) keep their names and messages in the
instructor's formats (json, junit, markdown) and lose them in what a learner sees: in
classroom and gradescope output each is "hidden test N" with its points and pass/fail only
(Gradescope `visibility: after_published`). With `--submission`, the JSON report has a
`submission` section: files ignored, environment variables cleared, and per lab the static
scan's flags, the runtime refusals and any tampering seen — for the instructor.
"""

from __future__ import annotations

import json
import time
import xml.etree.ElementTree as ET
from typing import Any

STATUS_WORDS = {
    "passed": "passed",
    "failed": "failed",
    "error": "error",
    "not_started": "not started",
    "timeout": "timed out",
    "skipped": "skipped",
    "tampered": "tampered",
}


def _sum(values) -> float:
    return round(sum(values), 2)


def fmt(x: float) -> str:
    """2.0 -> '2', 0.3333 -> '0.33'."""
    return f"{round(x, 2):g}"


def build(tests: list[dict], curriculum, *, target: str, seconds: float, tampered: list[str] | None = None,
          hidden: str | None = None, submission: dict | None = None) -> dict[str, Any]:
    labs = []
    for lab in curriculum.labs:
        mine = [t for t in tests if t.get("lab") == lab.id]
        if not mine:
            continue
        labs.append({
            "id": lab.id,
            "title": lab.title,
            "score": _sum(t["score"] for t in mine),
            "max": _sum(t["points"] for t in mine),
            "passed": sum(t["status"] == "passed" for t in mine),
            "failed": sum(t["status"] in ("failed", "error", "timeout", "tampered") for t in mine),
            "not_started": sum(t["status"] == "not_started" for t in mine),
        })
    known = {lab.id for lab in curriculum.labs}
    other = [t for t in tests if t.get("lab") not in known]
    if other:
        labs.append({"id": "other", "title": "tests outside the curriculum", "score": _sum(t["score"] for t in other),
                     "max": _sum(t["points"] for t in other), "passed": sum(t["status"] == "passed" for t in other),
                     "failed": sum(t["status"] != "passed" for t in other), "not_started": 0})
    result = {
        "total": _sum(t["score"] for t in tests),
        "max": _sum(t["points"] for t in tests),
        "target": target,
        "seconds": round(seconds, 2),
        "generated_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "tampered": tampered or [],
        "hidden_tests": hidden,
        "labs": labs,
        "tests": tests,
    }
    if submission is not None:
        result["submission"] = submission
    return result


def learner_view(tests: list[dict]) -> list[dict]:
    """The tests as a learner may see them: hidden tests renamed, their messages dropped."""
    out, n = [], 0
    for t in tests:
        if t.get("hidden"):
            n += 1
            t = dict(t, nodeid=f"hidden test {n}", name=f"hidden test {n}", function=f"hidden test {n}",
                     file="hidden", exercise=None,
                     message="" if t["status"] == "passed" else "a hidden test did not pass")
        out.append(t)
    return out


def to_json(report: dict) -> str:
    return json.dumps(report, indent=2)


def to_junit(report: dict) -> str:
    suites = ET.Element("testsuites", name="aie-labs", tests=str(len(report["tests"])),
                        time=str(report["seconds"]))
    ET.SubElement(ET.SubElement(suites, "properties"), "property", name="score",
                  value=f"{report['total']}/{report['max']}")
    by_lab: dict[str, list[dict]] = {}
    for t in report["tests"]:
        by_lab.setdefault(t.get("lab") or "other", []).append(t)
    for lab_id, tests in by_lab.items():
        failures = sum(t["status"] in ("failed", "not_started", "timeout") for t in tests)
        errors = sum(t["status"] == "error" for t in tests)
        suite = ET.SubElement(suites, "testsuite", name=lab_id, tests=str(len(tests)), failures=str(failures),
                              errors=str(errors), skipped=str(sum(t["status"] == "skipped" for t in tests)),
                              time=str(round(sum(t["duration"] for t in tests), 3)))
        for t in tests:
            case = ET.SubElement(suite, "testcase", classname=f"{lab_id}.{t.get('exercise') or ''}".rstrip("."),
                                 name=t["name"], time=str(t["duration"]))
            props = ET.SubElement(case, "properties")
            ET.SubElement(props, "property", name="points", value=str(t["points"]))
            ET.SubElement(props, "property", name="score", value=str(t["score"]))
            if t["status"] == "error":
                ET.SubElement(case, "error", message=t["message"][:500]).text = t["message"]
            elif t["status"] == "skipped":
                ET.SubElement(case, "skipped", message=t["message"][:500])
            elif t["status"] != "passed":
                ET.SubElement(case, "failure", message=t["message"][:500], type=t["status"]).text = t["message"]
    return ET.tostring(suites, encoding="unicode", xml_declaration=True)


def to_markdown(report: dict) -> str:
    lines = [f"# Grade: {fmt(report['total'])} / {fmt(report['max'])} points", ""]
    if report["tampered"]:
        lines += ["> **Warning:** the graded tests differ from the released ones: "
                  + ", ".join(report["tampered"]), ""]
    lines += _submission_markdown(report.get("submission"))
    lines += ["| lab | score | passed | failed | not started |", "|---|---:|---:|---:|---:|"]
    for lab in report["labs"]:
        lines.append(f"| {lab['id']} | {fmt(lab['score'])}/{fmt(lab['max'])} | {lab['passed']} | {lab['failed']} | {lab['not_started']} |")
    lines += ["", "| test | points | status | message |", "|---|---:|---|---|"]
    for t in report["tests"]:
        msg = t["message"].replace("|", "\\|").replace("\n", " ")[:200]
        lines.append(f"| `{t['nodeid']}` | {fmt(t['score'])}/{fmt(t['points'])} | {STATUS_WORDS.get(t['status'], t['status'])} | {msg} |")
    lines += ["", f"Target `{report['target']}/`, {report['seconds']} s, {report['generated_at']}."]
    return "\n".join(lines) + "\n"


def _submission_markdown(sub: dict | None) -> list[str]:
    if not sub:
        return []
    lines = ["## Submission", ""]
    for lab in sub["labs"]:
        state = "imported" if lab["imported"] else f"**not imported**: {lab['reason']}"
        lines.append(f"- `{lab['file']}` (sha256 {str(lab['sha256'])[:12]}): {state}; {lab['seconds']} s"
                     + (f", {lab['restarts']} restart(s)" if lab["restarts"] else ""))
        for f in lab["flags"]:
            lines.append(f"  - scan, line {f['line']}: {f['kind']} — `{f['detail']}`")
        for r in lab["refusals"]:
            lines.append(f"  - refused at run time in {r['test']}: {r['kind']} ({r['detail']})")
        for t in lab["tampering"]:
            lines.append(f"  - tampering: {t}")
    if sub["ignored_count"]:
        shown = ", ".join(f"`{p}`" for p in sub["ignored"][:20])
        more = f" and {sub['ignored_count'] - 20} more" if sub["ignored_count"] > 20 else ""
        lines.append(f"- ignored (never read or run): {shown}{more}")
    if sub["cleared_env"]:
        lines.append(f"- environment variables removed: {', '.join(sub['cleared_env'])}")
    return lines + [""]


def to_classroom(report: dict) -> str:
    tests = [{
        "name": t["nodeid"],
        "status": "pass" if t["status"] == "passed" else ("error" if t["status"] == "error" else "fail"),
        "score": t["score"],
        "max_score": t["points"],
        "message": t["message"],
        "test_code": t["nodeid"],
        "filename": t["file"],
        "line_no": 0,
        "execution_time": f"{t['duration']:.2f}s",
    } for t in learner_view(report["tests"])]
    status = "pass" if report["total"] == report["max"] and report["max"] > 0 else "fail"
    return json.dumps({"version": 1, "status": status, "max_score": report["max"], "tests": tests}, indent=2)


def to_gradescope(report: dict) -> str:
    tests = [{
        "name": t["nodeid"],
        "number": str(i + 1),
        "score": t["score"],
        "max_score": t["points"],
        "status": "passed" if t["status"] == "passed" else "failed",
        "output": t["message"],
        "tags": [t.get("lab") or "", t.get("exercise") or ""] if not hidden else [t.get("lab") or ""],
        "visibility": "after_published" if hidden else "visible",
    } for i, (t, hidden) in enumerate(zip(learner_view(report["tests"]), [bool(t.get("hidden")) for t in report["tests"]]))]
    sub = report.get("submission")
    if sub:
        notes = [f"{lab['file']}: " + "; ".join(
            [f"not imported: {lab['reason']}"] * (not lab["imported"])
            + [f"line {f['line']}: {f['kind']} ({f['detail']})" for f in lab["flags"]]
            + [f"refused in {r['test']}: {r['kind']}" for r in lab["refusals"]]
            + [f"tampering: {t}" for t in lab["tampering"]]) for lab in sub["labs"]]
        tests.append({"name": "integrity notes (instructors only)", "score": 0, "max_score": 0, "status": "passed",
                      "output": "\n".join(notes) or "nothing to note", "visibility": "hidden"})
    output = f"{fmt(report['total'])}/{fmt(report['max'])} points."
    if report["tampered"]:
        output += " Warning: graded tests differ from the released ones: " + ", ".join(report["tampered"])
    return json.dumps({"score": report["total"], "execution_time": int(report["seconds"]), "output": output,
                       "visibility": "visible", "tests": tests}, indent=2)


FORMATS = {"json": to_json, "junit": to_junit, "markdown": to_markdown, "classroom": to_classroom,
           "gradescope": to_gradescope}
