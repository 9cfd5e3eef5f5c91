"""Saves only on close(): a crash (kill -9) loses every row."""

PATCHES = [("        if self.path is not None:\n            self.save()\n        # END SOLUTION\n\n    def _search", "        # END SOLUTION\n\n    def _search"),
           ("        if labels and self.path is not None:\n            self.save()\n", "")]
TESTS = ["test_faiss_saves_every_write_without_close"]
