"""Reference solutions: the source of truth for labs/ (see `aie release`)."""
