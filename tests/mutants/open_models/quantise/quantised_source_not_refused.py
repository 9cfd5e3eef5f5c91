"""Hands a quantised file to llama.cpp, which refuses it, instead of saying to make an F16 first."""

PATCHES = [('    if not weights <= {"F16", "F32", "BF16"}:\n', "    if False:\n")]
TESTS = ["test_quantising_a_quantised_file_or_a_bad_type_is_refused"]
