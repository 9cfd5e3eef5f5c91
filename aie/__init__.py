"""AI Engineer Labs runtime: one chat interface, one embed interface, the model registry,
grading and the `aie` command. Learners use it; they never need to edit it."""

__version__ = "0.1.0"
