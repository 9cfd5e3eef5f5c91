"""Run a lab's mutants: plausible wrong versions of its solution, each graded by its own
exercise's tests. Every mutant must lose at least one point; the unchanged solution must
keep them all. See tests/mutants/README.md for the mutant format.

    python tests/mutants/run.py llm_basics [--json out.json] [--only count_tokens] [--all]

One process per lab: the models load once, and each mutant is a fresh pytest session
(in process) over its exercise's tests only, stopping at its first failure. The mutant
stands where the learner's `labs/<lab>.py` would be (an import hook maps `labs.<lab>` to
the patched copy), so tests that compare against `solutions.<lab>` still see the reference.
"""

from __future__ import annotations

import argparse
import ast
import contextlib
import importlib.abc
import importlib.util
import io
import json
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
MUTANTS = Path(__file__).resolve().parent
BASELINE = "(solution)"


@dataclass
class Mutant:
    lab: str
    exercise: str
    name: str
    path: Path | None
    description: str = ""
    tests: list[str] = field(default_factory=list)

    @property
    def id(self) -> str:
        return f"{self.lab}.{self.exercise}/{self.name}"


def load_mutants(lab: str) -> list[Mutant]:
    """Every mutant of a lab: tests/mutants/<lab>/<exercise>/<name>.py."""
    out = []
    for path in sorted((MUTANTS / lab).glob("*/*.py")):
        if path.name.startswith("_"):
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        tests = _literal(tree, "TESTS") or []
        out.append(Mutant(lab, path.parent.name, path.stem, path,
                          (ast.get_docstring(tree) or "").strip().splitlines()[0] if ast.get_docstring(tree) else "",
                          list(tests)))
    return out


def _literal(tree: ast.Module, name: str):
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == name for t in node.targets):
            return ast.literal_eval(node.value)
    return None


class MutantError(Exception):
    """A mutant that no longer applies to the solution (update the mutant)."""


def apply(solution: str, mutant_source: str, where: str = "mutant") -> str:
    """The solution's source with the mutant applied.

    - PATCHES = [(old, new), ...]: each `old` must occur exactly once in the solution;
    - each top-level def/class in the mutant replaces the solution's one of the same name
      (decorators included); a new name is appended at the end.
    """
    tree = ast.parse(mutant_source)
    text = solution
    for old, new in _literal(tree, "PATCHES") or []:
        count = text.count(old)
        if count != 1:
            raise MutantError(f"{where}: a patch's old text occurs {count} times in the solution (must be once): "
                              f"{old[:80]!r}")
        text = text.replace(old, new)
    defs = [n for n in tree.body if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef)]
    if not defs:
        return text
    lines = text.splitlines(keepends=True)
    target = {n.name: n for n in ast.parse(text).body
              if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef)}
    src_lines = mutant_source.splitlines(keepends=True)
    spans, appended = [], []
    for node in defs:
        start = min([node.lineno] + [d.lineno for d in node.decorator_list])
        replacement = "".join(src_lines[start - 1:node.end_lineno])
        old = target.get(node.name)
        if old is None:
            appended.append(replacement)
            continue
        old_start = min([old.lineno] + [d.lineno for d in old.decorator_list])
        spans.append((old_start, old.end_lineno, replacement))
    for start, end, replacement in sorted(spans, reverse=True):
        lines[start - 1:end] = [replacement if replacement.endswith("\n") else replacement + "\n"]
    return "".join(lines) + "".join("\n\n" + r for r in appended)


class _LabFinder(importlib.abc.MetaPathFinder):
    """Maps `labs.<lab>` to a file of our choosing (reload finds it too)."""

    def __init__(self):
        self.files: dict[str, Path] = {}

    def find_spec(self, fullname, path=None, target=None):
        if fullname in self.files:
            return importlib.util.spec_from_file_location(fullname, self.files[fullname])
        return None


class _Select:
    """A pytest plugin: only the exercise's tests (and the mutant's TESTS if given); record outcomes."""

    def __init__(self, exercise: str, tests: list[str]):
        self.exercise, self.tests = exercise, set(tests)
        self.selected: list[str] = []
        self.failed: list[tuple[str, str]] = []

    def pytest_collection_modifyitems(self, config, items):
        keep, drop = [], []
        for item in items:
            marker = item.get_closest_marker("exercise")
            ok = marker is not None and marker.args and marker.args[0] == self.exercise
            if ok and self.tests:
                ok = getattr(item, "originalname", item.name) in self.tests
            (keep if ok else drop).append(item)
        if drop:
            config.hook.pytest_deselected(items=drop)
        items[:] = keep
        self.selected = [item.nodeid for item in keep]

    def pytest_runtest_logreport(self, report):
        if report.failed:
            crash = getattr(getattr(report.longrepr, "reprcrash", None), "message", None) or str(report.longrepr)
            self.failed.append((report.nodeid, " ".join(crash.split())[:300]))


def run_one(lab: str, exercise: str, tests: list[str], module_file: Path, finder: _LabFinder,
            stop_first: bool) -> dict:
    import pytest

    finder.files[f"labs.{lab}"] = module_file
    sys.modules.pop(f"labs.{lab}", None)
    select = _Select(exercise, tests)
    args = [str(ROOT / "tests" / "labs" / f"test_{lab}.py"), "--target=labs", "-q", "--no-header", "-p", "no:randomly",
            "-p", "no:cacheprovider", "--tb=line", "-rN", "-W", "ignore"]
    if stop_first:
        args.append("-x")
    start = time.perf_counter()
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        code = pytest.main(args, plugins=[select])
    seconds = time.perf_counter() - start
    if code not in (0, 1, 2):  # 2: interrupted by -x; 3-5: internal error, usage error, nothing collected
        print(out.getvalue()[-3000:], file=sys.stderr)
    return {"selected": select.selected, "failed": select.failed, "exit": int(code), "seconds": round(seconds, 2)}


def _show(r: dict) -> None:
    status = ("ok" if not r["failed"] and r["selected"] else "FAIL") if r["baseline"] else \
        ("killed" if r["failed"] else "SURVIVED" if r["selected"] else "NO TESTS")
    if r.get("error"):
        detail = r["error"]
    elif r["failed"]:
        detail = f"{r['failed'][0][0].split('::')[-1]}: {r['failed'][0][1]}"
    else:
        detail = f"{len(r['selected'])} test(s) passed"
    print(f"{status:9} {r['mutant']:58} {r['seconds']:6.1f}s  {detail[:150]}", file=sys.stderr, flush=True)


def _cache_local_embeddings() -> None:
    """Each text is embedded once per process: the local embedding model's vectors are
    remembered by text, so the many short pytest sessions here do not embed the same corpus
    again and again. Only the real model is wrapped: a test that puts a fake model in its
    place (aie.embed.local_model) still sees every call."""
    import numpy as np

    import aie.embed

    real = aie.embed.local_model

    class Remembering:
        def __init__(self, model):
            self.model, self.memo = model, {}

        def encode(self, texts, **kwargs):
            extra = (bool(kwargs.get("normalize_embeddings")),)
            missing = [t for t in dict.fromkeys(texts) if (t, *extra) not in self.memo]
            if missing:
                vectors = self.model.encode(missing, **{**kwargs, "show_progress_bar": False})
                self.memo.update(((t, *extra), v) for t, v in zip(missing, vectors))
            return np.stack([self.memo[(t, *extra)] for t in texts])

        def __getattr__(self, name):
            return getattr(self.model, name)

    remembering = {}

    def local_model():
        model = real()
        if id(model) not in remembering:
            remembering[id(model)] = Remembering(model)
        return remembering[id(model)]

    aie.embed.local_model = local_model


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("lab")
    parser.add_argument("--json", help="write the results here")
    parser.add_argument("--only", help="only this exercise's mutants")
    parser.add_argument("--all", action="store_true",
                        help="also the exercises listed in tests/mutants/<lab>/EXPENSIVE (`make mutants`)")
    ns = parser.parse_args(argv)
    sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != ROOT]
    solution = (ROOT / "solutions" / f"{ns.lab}.py").read_text(encoding="utf-8")
    # Exercises whose every test trains or quantises a model (minutes per mutant) are listed in
    # <lab>/EXPENSIVE: `make test` leaves them to `make mutants`, which runs everything.
    listed = MUTANTS / ns.lab / "EXPENSIVE"
    expensive = set(listed.read_text(encoding="utf-8").split()) if listed.is_file() and not ns.all else set()
    mutants = [m for m in load_mutants(ns.lab)
               if (m.exercise == ns.only if ns.only else m.exercise not in expensive)]
    _cache_local_embeddings()
    finder = _LabFinder()
    sys.meta_path.insert(0, finder)
    results = []
    with tempfile.TemporaryDirectory(prefix="aie-mutants-") as tmp:
        base = Path(tmp) / f"{ns.lab}__solution.py"
        base.write_text(solution, encoding="utf-8")
        # the solution must keep every point on the tests the mutants use
        by_exercise: dict[str, set[str] | None] = {}
        for m in mutants:
            current = by_exercise.get(m.exercise, set())
            by_exercise[m.exercise] = None if current is None or not m.tests else current | set(m.tests)
        for exercise, tests in by_exercise.items():
            r = run_one(ns.lab, exercise, sorted(tests or []), base, finder, stop_first=False)
            results.append({"mutant": f"{ns.lab}.{exercise}/{BASELINE}", "exercise": exercise, "baseline": True,
                            "description": "the unchanged solution", **r})
            _show(results[-1])
        for m in mutants:
            try:
                source = apply(solution, m.path.read_text(encoding="utf-8"), where=str(m.path.relative_to(ROOT)))
            except (MutantError, SyntaxError) as exc:
                results.append({"mutant": m.id, "exercise": m.exercise, "baseline": False, "description": m.description,
                                "error": str(exc), "selected": [], "failed": [], "exit": -1, "seconds": 0.0})
                _show(results[-1])
                continue
            path = Path(tmp) / f"{ns.lab}__{m.exercise}__{m.name}.py"
            path.write_text(source, encoding="utf-8")
            r = run_one(ns.lab, m.exercise, m.tests, path, finder, stop_first=True)
            results.append({"mutant": m.id, "exercise": m.exercise, "baseline": False, "description": m.description,
                            **r})
            _show(results[-1])
    killed = [r for r in results if not r["baseline"] and r["failed"]]
    total = [r for r in results if not r["baseline"]]
    import resource

    usage = resource.getrusage(resource.RUSAGE_SELF)
    cpu = round(usage.ru_utime + usage.ru_stime, 1)
    print(f"{ns.lab}: {len(killed)}/{len(total)} mutants killed ({cpu} s of CPU)", file=sys.stderr)
    if ns.json:
        Path(ns.json).write_text(json.dumps({"lab": ns.lab, "cpu_seconds": cpu, "results": results}, indent=2))
    baseline_ok = all(not r["failed"] and r["selected"] for r in results if r["baseline"])
    return 0 if baseline_ok and len(killed) == len(total) else 1


if __name__ == "__main__":
    sys.exit(main())
