"""Which code the graded tests import: the learner's `labs/` (default) or the reference
`solutions/` (what `make test` grades)."""

from __future__ import annotations

import importlib
import os
import sys

TARGETS = ("labs", "solutions")


def target() -> str:
    value = os.environ.get("AIE_TARGET", "labs")
    if value not in TARGETS:
        raise ValueError(f"AIE_TARGET={value!r} must be one of {TARGETS}")
    return value


def load_lab(lab_id: str, which: str | None = None):
    """Import `<target>.<lab_id>`, fresh from disk (a learner may have just saved it)."""
    which = which or target()
    from . import sandbox

    if sandbox.active():  # `aie grade --submission`: the submitted file, loaded once by path
        if which == "solutions":
            raise ImportError("solutions is not available while grading a submission")
        return sandbox.lab_module(lab_id)
    name = f"{which}.{lab_id}"
    if name in sys.modules:
        return importlib.reload(sys.modules[name])
    return importlib.import_module(name)
