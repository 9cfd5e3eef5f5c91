"""Escapes every < and > in the values (e-mail addresses and comparisons get mangled)."""

PATCHES = [("        return tag.sub(lambda m: m.group(0).replace(\"<\", \"&lt;\").replace(\">\", \"&gt;\"), value)",
            "        return value.replace(\"<\", \"&lt;\").replace(\">\", \"&gt;\")")]
