"""Gives each add a fresh random UUID: an upsert of a known id adds a second point."""

PATCHES = [("PointStruct(id=self.point_id(i), vector=", "PointStruct(id=str(uuid.uuid4()), vector=")]
