"""Lets delete("t01") through: the string is read as the ids "t", "0", "1"."""

PATCHES = [("        if isinstance(ids, (str, bytes)) or not hasattr(ids, \"__iter__\"):\n"
            "            raise ValueError(\"ids must be a list of strings; wrap one id as [id]\")\n"
            "        self._delete(", "        self._delete(")]
