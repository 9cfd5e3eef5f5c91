"""Forgets the HNSW tombstones: a deleted row's label still comes back from the graph."""

PATCHES = [("        if where or self._index.ntotal > len(self._rows):  # a filter, or HNSW tombstones",
            "        if where:"),
           ("                for s, label in zip(scores[0], labels[0].tolist()) if label in self._rows]",
            "                for s, label in zip(scores[0], labels[0].tolist()) if label in self._rows or label >= 0]"),
           ("        return [(self._rows[label][0], float(s), self._rows[label][1])",
            "        return [(self._rows.get(label, (\"?\", {}))[0], float(s), self._rows.get(label, (\"?\", {}))[1])")]
