"""Sorts ascending: the least similar items come first."""

PATCHES = [("for i in np.argsort(-scores, kind=\"stable\") if ids[i] not in seen]",
            "for i in np.argsort(scores, kind=\"stable\") if ids[i] not in seen]")]
