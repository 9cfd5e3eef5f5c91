"""Your lab modules, generated from solutions/ by `aie release`. Edit the TODOs."""
