"""Accepts any parameter name, so a typo like 'temprature' is silently ignored by Ollama."""

PATCHES = [("        kind = OLLAMA_PARAMETERS.get(name)\n        if kind is None:\n",
            "        kind = OLLAMA_PARAMETERS.get(name, float)\n        if kind is None:\n")]
