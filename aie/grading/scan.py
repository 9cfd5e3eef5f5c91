"""A static scan of a learner's lab file, for the instructor: code that reaches for the
grader rather than the exercise. Flags are shown in the report, never silently zeroed —
some have honest uses, and the instructor decides.

    scan_source("import inspect\\nf = inspect.currentframe().f_back")
    -> [{"line": 1, "kind": "frame inspection", "detail": "import inspect"},
        {"line": 2, "kind": "frame inspection", "detail": "inspect.currentframe"}, ...]
"""

from __future__ import annotations

import ast
import re

MODULES = {
    "solutions": "imports the reference solutions",
    "aie.grading": "imports the grader",
    "aie.handbook": "imports the course's reference retriever (lab 05's searches, done)",
    "_pytest": "imports pytest's internals",
    "pytest": "imports pytest",
    "gc": "reads the interpreter's object graph",
    "signal": "process control",
    "resource": "process control",
    "builtins": "changes built-ins",
    "sys.monitoring": "installs a tracer",
}
# Modules with honest uses in labs (inspect for tool schemas, importlib for optional
# packages, subprocess for a speech engine) are not flagged; their risky calls are, and the
# child's audit hook refuses them at run time.
ATTRIBUTES = {
    "_getframe": "frame inspection",
    "currentframe": "frame inspection",
    "stack": None,  # only as inspect.stack
    "f_back": "frame inspection",
    "f_locals": "frame inspection",
    "f_globals": "frame inspection",
    "tb_frame": "frame inspection",
    "gi_frame": "frame inspection",
    "_current_frames": "frame inspection",
    "settrace": "installs a tracer",
    "setprofile": "installs a tracer",
    "_exit": "process control",
    "kill": "process control",
    "killpg": "process control",
    "fork": "process control",
    "write": None,  # only as os.write
    "fdopen": "raw file descriptors",
    "addaudithook": "installs an audit hook",
    "__code__": "rewrites functions",
    "__closure__": "reads closures",
    "__subclasses__": "walks the class graph",
    "__eq__": None,  # defining it is fine; see the class check
}
NAMES = {"exec": "dynamic code", "eval": "dynamic code", "compile": "dynamic code", "__import__": "dynamic imports",
         "globals": None, "breakpoint": "process control"}
TEST_WORDS = re.compile(r"(^|[^\w])tests[/\\]|test_\w+\.py|conftest|\.release\.json|(^|[^\w])hidden[/\\]|"
                        r"/autograder|results\.json|grade\.json|aie[/\\.]grading|(^|[^\w])solutions[/\\.]|/proc/self")


def _dotted(node: ast.AST) -> str:
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        parts.append(node.id)
    return ".".join(reversed(parts))


def _module_kind(name: str) -> str | None:
    for mod, kind in MODULES.items():
        if name == mod or name.startswith(mod + "."):
            return kind
    return None


def scan_source(source: str, filename: str = "<lab>", baseline: str | None = None) -> list[dict]:
    """Every suspicious construct with its line; [] for an ordinary lab file. With `baseline`
    (the stub as released), constructs the released file already had are not flagged: the
    scan is about what the learner added."""
    if baseline is not None:
        known = {(f["kind"], f["detail"]) for f in scan_source(baseline, filename)}
        return [f for f in scan_source(source, filename) if (f["kind"], f["detail"]) not in known]
    try:
        tree = ast.parse(source, filename)
    except SyntaxError as exc:
        return [{"line": exc.lineno or 0, "kind": "syntax error", "detail": exc.msg}]
    flags: list[dict] = []

    def flag(node: ast.AST, kind: str, detail: str) -> None:
        item = {"line": getattr(node, "lineno", 0), "kind": kind, "detail": detail[:120]}
        if item not in flags and len(flags) < 100:
            flags.append(item)

    docstrings = {id(n.value) for n in ast.walk(tree) if isinstance(n, ast.Expr) and isinstance(n.value, ast.Constant)}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                kind = _module_kind(alias.name)
                if kind:
                    flag(node, kind, f"import {alias.name}")
        elif isinstance(node, ast.ImportFrom):
            name = "." * node.level + (node.module or "")
            kind = _module_kind(node.module or "") if not node.level else None
            if not kind and node.module == "aie":
                for alias in node.names:
                    if f"aie.{alias.name}" in MODULES:
                        kind = MODULES[f"aie.{alias.name}"]
            if kind:
                flag(node, kind, f"from {name} import {', '.join(a.name for a in node.names)}")
        elif isinstance(node, ast.Attribute):
            dotted = _dotted(node)
            kind = ATTRIBUTES.get(node.attr, "")
            if node.attr == "stack" and dotted.endswith("inspect.stack"):
                kind = "frame inspection"
            elif node.attr == "write" and dotted == "os.write":
                kind = "raw file descriptors"
            if kind:
                flag(node, kind, dotted or node.attr)
        elif isinstance(node, ast.Name):
            kind = NAMES.get(node.id)
            if kind:
                flag(node, kind, node.id)
        elif isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings:
            text = node.value
            if len(text) < 300 and TEST_WORDS.search(text):
                flag(node, "names the tests or the grader's files", repr(text[:80]))
        elif isinstance(node, ast.ClassDef):
            for item in node.body:
                if isinstance(item, ast.FunctionDef) and item.name in ("__eq__", "__ne__"):
                    body = [s for s in item.body if not (isinstance(s, ast.Expr) and isinstance(s.value, ast.Constant))]
                    if len(body) == 1 and isinstance(body[0], ast.Return) and isinstance(body[0].value, ast.Constant):
                        flag(item, "an __eq__ that ignores its argument",
                             f"{node.name}.{item.name} returns {body[0].value.value!r}")
    flags.sort(key=lambda f: f["line"])
    return flags
