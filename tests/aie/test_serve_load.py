"""The short load test of `aie serve` (the full one is bench/bench_capstone.py, `make bench`):
2 users for at most 8 s and 4 questions in all, against the app on loopback with lab 10's
reference and the local model (answers capped at 16 tokens). No errors, every request
served, and the first token before the last. Times are not asserted: they are measured in
the bench."""

from __future__ import annotations

from aie import llm
from aie.grading import load_lab
from aie.serve import Server, create_app, load_test


def short_chat(messages, **kwargs):
    return llm.chat(messages, **{**kwargs, "max_tokens": 16})


def test_two_users_are_served_without_errors():
    lab = load_lab("capstone", "solutions")
    with Server(create_app(lab, chat=short_chat)) as url:
        report = load_test(url, users=2, seconds=8, max_requests=4)
    assert report["errors"] == 0, f"no request may fail under load: {report['error_kinds']}"
    assert report["served"] >= 2, f"each user should be served at least once: {report}"
    assert report["ttft_p50"] <= report["last_p50"], f"the first token comes before the last: {report}"
