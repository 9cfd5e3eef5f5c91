"""Accepts a bare string as inputs: the pipeline then embeds it character by character."""

PATCHES = [("    if isinstance(inputs, str) or not isinstance(inputs, (list, tuple)) or not inputs \\\n",
            "    if not inputs \\\n")]
TESTS = ["test_bad_task_or_inputs_are_clear_errors"]
