"""Leaves out the TEMPLATE: Ollama would then format chats with its default template."""

PATCHES = [('    for keyword, value in (("TEMPLATE", template), ("SYSTEM", system)):', '    for keyword, value in (("SYSTEM", system),):')]
