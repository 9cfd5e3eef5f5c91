"""Reports a failed output check but returns the raw output instead of the fallback."""

PATCHES = [('    if any((urlparse(u).hostname or "").lower() not in hosts for u in links_in(output)):\n        return refuse("link")\n',
            '    if any((urlparse(u).hostname or "").lower() not in hosts for u in links_in(output)):\n        return {"ok": False, "output": output, "reason": "link"}\n')]
TESTS = ["test_guard_io_checks_input_and_output"]
