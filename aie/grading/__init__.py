"""Grading: the curriculum manifest, stubs from solutions (`release`), the pytest plugin
(points, targets, "not done yet"), the test runner and the report formats."""

from .manifest import Curriculum, Exercise, Lab, load_curriculum  # noqa: F401
from .target import load_lab, target  # noqa: F401
