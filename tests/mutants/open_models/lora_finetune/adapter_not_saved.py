"""Merges and exports but never saves the adapter, so it cannot be shared or loaded on its own."""

PATCHES = [('    model.save_pretrained(str(out_dir / "adapter"))\n', "")]
