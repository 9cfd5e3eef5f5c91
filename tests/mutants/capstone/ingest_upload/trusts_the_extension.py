"""Trusts a .pdf name without checking the file starts with %PDF-."""

PATCHES = [('        if not bytes(data).startswith(b"%PDF-"):\n            raise ValueError(f"{base!r} is not a PDF (it does not start with %PDF-)")\n', "")]
TESTS = ["test_bad_uploads_are_refused_with_reasons"]
