"""Grade reports: our JSON, JUnit XML, Markdown, GitHub Classroom and Gradescope.

The JSON report has top-level `total` and `max` (points), `labs` and `tests` lists.
- classroom: the result shape GitHub Classroom's autograding reporter reads
  (`{"version": 1, "status", "max_score", "tests": [{"name", "status", "score", ...}]}`);
  base64-encode it into the runner's `result` output (see docs/github-classroom.yml).
- gradescope: Gradescope's `results.json` (`{"score", "execution_time", "tests": [...]}`).
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
}


def _sum(values) -> float:
    return round(sum(values), 2)


def fmt(x: float) -> str:
    """2.0 -> '2', 0.3333 -> '0.33'."""
    return f"{round(x, 2):g}"


def build(tests: list[dict], curriculum, *, target: str, seconds: float, tampered: list[str] | None = None,
          hidden: str | None = None) -> dict[str, Any]:
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
            "failed": sum(t["status"] in ("failed", "error", "timeout") for t in mine),
            "not_started": sum(t["status"] == "not_started" for t in mine),
        })
    known = {lab.id for lab in curriculum.labs}
    other = [t for t in tests if t.get("lab") not in known]
    if other:
        labs.append({"id": "other", "title": "tests outside the curriculum", "score": _sum(t["score"] for t in other),
                     "max": _sum(t["points"] for t in other), "passed": sum(t["status"] == "passed" for t in other),
                     "failed": sum(t["status"] != "passed" for t in other), "not_started": 0})
    return {
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
    lines += ["| lab | score | passed | failed | not started |", "|---|---:|---:|---:|---:|"]
    for lab in report["labs"]:
        lines.append(f"| {lab['id']} | {fmt(lab['score'])}/{fmt(lab['max'])} | {lab['passed']} | {lab['failed']} | {lab['not_started']} |")
    lines += ["", "| test | points | status | message |", "|---|---:|---|---|"]
    for t in report["tests"]:
        msg = t["message"].replace("|", "\\|").replace("\n", " ")[:200]
        lines.append(f"| `{t['nodeid']}` | {fmt(t['score'])}/{fmt(t['points'])} | {STATUS_WORDS.get(t['status'], t['status'])} | {msg} |")
    lines += ["", f"Target `{report['target']}/`, {report['seconds']} s, {report['generated_at']}."]
    return "\n".join(lines) + "\n"


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
    } for t in report["tests"]]
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
        "tags": [t.get("lab") or "", t.get("exercise") or ""],
        "visibility": "visible",
    } for i, t in enumerate(report["tests"])]
    output = f"{fmt(report['total'])}/{fmt(report['max'])} points."
    if report["tampered"]:
        output += " Warning: graded tests differ from the released ones: " + ", ".join(report["tampered"])
    return json.dumps({"score": report["total"], "execution_time": int(report["seconds"]), "output": output,
                       "visibility": "visible", "tests": tests}, indent=2)


FORMATS = {"json": to_json, "junit": to_junit, "markdown": to_markdown, "classroom": to_classroom,
           "gradescope": to_gradescope}
