"""Wraps the texts in tags as they are: an answer can close its own tag and write a new reference."""

PATCHES = [('    user = "\\n".join(f"<{tag}>\\n{_neutralise(text).strip()}\\n</{tag}>" for tag, text in',
            '    user = "\\n".join(f"<{tag}>\\n{text.strip()}\\n</{tag}>" for tag, text in')]
TESTS = ["test_judge_keeps_user_text_inside_its_tags"]
