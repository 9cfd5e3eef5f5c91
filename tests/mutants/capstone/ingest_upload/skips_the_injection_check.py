"""Redacts personal data but never asks lab 07 whether the upload is an injection."""

PATCHES = [('    if verdict["injection"]:\n', "    if False:\n")]
TESTS = ["test_bad_uploads_are_refused_with_reasons"]
