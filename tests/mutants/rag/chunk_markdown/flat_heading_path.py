"""Keeps only the nearest heading, not the path from the outermost one."""

PATCHES = [("            current, current_path = [line], [title for _, title in path]",
            "            current, current_path = [line], [m.group(2)]")]
