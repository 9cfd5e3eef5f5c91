"""Appends rows instead of merging on id: a repeated id is stored twice."""

PATCHES = [("        (self._table.merge_insert(\"id\").when_matched_update_all().when_not_matched_insert_all()\n         .execute(data))",
            "        self._table.add(data)")]
