"""Pastes the question and sources in as they are: a question can close its own tag."""

PATCHES = [("    return re.sub(r\"<\\s*/?\\s*(question|source|reference|answer)\\b[^>]*>\", \"\", text, flags=re.IGNORECASE)", "    return text")]
