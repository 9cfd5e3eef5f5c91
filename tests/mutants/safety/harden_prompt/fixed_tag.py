"""Uses one fixed delimiter tag for every prompt: an attacker who saw it once can close it."""

PATCHES = [('    tag = tag if tag is not None else secrets.token_hex(6)\n', '    tag = tag if tag is not None else "data"\n')]
