"""Waits for the whole answer and sends it as one token event: nothing streams."""

PATCHES = [("        parts.append(chunk)\n        yield sse(\"token\", {\"text\": chunk})\n", "        parts.append(chunk)\n"),
           ("    done = stream.completion\n    text = \"\".join(parts)\n", "    done = stream.completion\n    text = \"\".join(parts)\n    yield sse(\"token\", {\"text\": text})\n")]
TESTS = ["test_answer_sends_history_and_settings_to_the_model"]
