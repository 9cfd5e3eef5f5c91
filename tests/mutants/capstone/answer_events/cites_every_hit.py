"""Cites every retrieved passage, whether or not it backs the answer, and numbers them from 0."""

PATCHES = [('citations = [{"n": h["n"], "id": h["id"], "title": h.get("title", "")}\n                 for h in hits if rag.groundedness(text, [h]) > 0]',
            'citations = [{"n": i, "id": h["id"], "title": h.get("title", "")} for i, h in enumerate(hits)]')]
TESTS = ["test_answer_sends_history_and_settings_to_the_model", "test_answer_streams_tokens_then_one_done_event"]
