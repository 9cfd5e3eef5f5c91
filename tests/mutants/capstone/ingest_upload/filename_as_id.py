"""Uses the file name as given for the source id: a path can come through."""

PATCHES = [('source = f"upload-{slug}"', 'source = f"upload-{filename}"')]
