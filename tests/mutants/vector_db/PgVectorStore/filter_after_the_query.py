"""Drops the SQL WHERE and filters the k rows afterwards: a selective filter returns fewer than k."""

PATCHES = [("        filter_ = self._sql.SQL(\"WHERE metadata @> %(where)s\" if where else \"\")",
            "        filter_ = self._sql.SQL(\"\")")]
