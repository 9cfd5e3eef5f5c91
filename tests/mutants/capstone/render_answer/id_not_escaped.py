"""Escapes the text but writes the citation id into the attribute raw."""

PATCHES = [('data-id="{html.escape(str(c["id"]), quote=True)}"', 'data-id="{c["id"]}"')]
