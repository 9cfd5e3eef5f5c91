"""Never sends the options, so temperature and seed are the server's defaults."""

PATCHES = [("chat(model=model, messages=messages, options=options or {}, stream=False)", "chat(model=model, messages=messages, stream=False)")]
