"""Calls without streaming, then yields the finished text word by word (a fake stream)."""

PATCHES = [("    stream = llm.chat([{\"role\": \"user\", \"content\": prompt}], max_tokens=max_tokens, stream=True)\n    yield from stream",
            "    text = llm.chat([{\"role\": \"user\", \"content\": prompt}], max_tokens=max_tokens).text\n"
            "    for i, word in enumerate(text.split(\" \")):\n"
            "        yield word if i == 0 else \" \" + word")]
TESTS = ["test_the_model_is_asked_to_stream"]
