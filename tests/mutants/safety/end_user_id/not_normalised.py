"""Hashes the user as given: " Alice@Example.com" and "alice@example.com" become two users."""

PATCHES = [('    name = unicodedata.normalize("NFKC", user).translate(ZERO_WIDTH).strip().casefold()\n', '    name = user\n')]
