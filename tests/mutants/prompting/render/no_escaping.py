"""Pastes the values in as they are: a message can close its tag and pose as instructions."""

PATCHES = [("        return tag.sub(lambda m: m.group(0).replace(\"<\", \"&lt;\").replace(\">\", \"&gt;\"), value)",
            "        return value")]
