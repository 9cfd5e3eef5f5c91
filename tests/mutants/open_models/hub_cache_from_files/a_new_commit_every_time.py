"""Names the snapshot with a random commit, so the same files laid out twice give two snapshots."""

PATCHES = [("    commit = hashlib.sha1(", "    commit = os.urandom(20).hex() or hashlib.sha1(")]
