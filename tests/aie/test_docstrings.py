"""Every error a graded test expects is stated in the exercise's docstring.

A learner works from the docstring: a rule the tests grade but the docstring never states
costs correct code points. This check is deliberately coarse, so that it is robust: for
each `pytest.raises(E)` in a graded test of exercise X, the name of E (or, for a tuple,
one of the names) must appear in X's docstring (a class's docstring includes its methods').
Which inputs raise it is for the docstring's examples to say; this only catches an error
type the docstring never mentions.
"""

from __future__ import annotations

import ast

import pytest

from aie.config import REPO_ROOT

# The labs whose docstrings have been brought in line; a lab joins when its docstrings
# state every error its tests expect.
LABS = ["llm_basics", "prompting", "embeddings", "vector_db", "multimodal", "safety"]


def _exercise_docs(lab_id: str) -> dict[str, str]:
    """{top-level function or class name: its docstring, a class's methods' included}."""
    tree = ast.parse((REPO_ROOT / "solutions" / f"{lab_id}.py").read_text(encoding="utf-8"))
    docs = {}
    for node in tree.body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            docs[node.name] = ast.get_docstring(node) or ""
        elif isinstance(node, ast.ClassDef):
            parts = [ast.get_docstring(node) or ""]
            parts += [ast.get_docstring(n) or "" for n in node.body if isinstance(n, ast.FunctionDef)]
            docs[node.name] = "\n".join(parts)
    return docs


def _marker(decorators, name: str):
    for d in decorators:
        if (isinstance(d, ast.Call) and isinstance(d.func, ast.Attribute) and d.func.attr == name
                and d.args and isinstance(d.args[0], ast.Constant)):
            return d.args[0].value
    return None


def _names(node) -> list[str]:
    """The exception names in pytest.raises' first argument: E, mod.E, (E1, E2)."""
    if isinstance(node, ast.Tuple):
        return [n for elt in node.elts for n in _names(elt)]
    if isinstance(node, ast.Name):
        return [node.id]
    if isinstance(node, ast.Attribute):
        return [node.attr]
    return []


def expected_errors(lab_id: str) -> list[tuple[str, str, list[str]]]:
    """(test name, exercise, [exception names]) for every pytest.raises in a graded test."""
    tree = ast.parse((REPO_ROOT / "tests" / "labs" / f"test_{lab_id}.py").read_text(encoding="utf-8"))
    found = []
    for node in tree.body:
        if not isinstance(node, ast.FunctionDef):
            continue
        exercise = _marker(node.decorator_list, "exercise")
        if exercise is None:
            continue
        for call in ast.walk(node):
            if (isinstance(call, ast.Call) and isinstance(call.func, ast.Attribute) and call.func.attr == "raises"
                    and isinstance(call.func.value, ast.Name) and call.func.value.id == "pytest" and call.args):
                names = _names(call.args[0])
                if names:
                    found.append((node.name, exercise, names))
    return found


@pytest.mark.parametrize("lab_id", LABS)
def test_every_expected_error_is_stated_in_the_docstring(lab_id):
    docs = _exercise_docs(lab_id)
    missing = []
    for test, exercise, names in expected_errors(lab_id):
        doc = docs.get(exercise)
        if doc is None:
            continue  # an exercise that is not one function or class: nothing to compare
        if not any(name in doc for name in names):
            missing.append(f"{test} expects {' or '.join(names)}, which the docstring of {exercise} never names")
    assert not missing, f"solutions/{lab_id}.py: state these errors in the docstrings:\n" + "\n".join(missing)


def test_the_check_finds_expected_errors():
    """The check is real: it finds the errors the llm_basics tests expect."""
    found = expected_errors("llm_basics")
    assert ("test_count_tokens_rejects_bad_input", "count_tokens", ["ValueError"]) in found
