"""Unfreezes every weight of the model beside the adapter: a full fine-tune, not LoRA."""

PATCHES = [("    trainable = sum(p.numel() for p in model.parameters() if p.requires_grad)\n",
            "    for p in model.parameters():\n        p.requires_grad_(True)\n    trainable = sum(p.numel() for p in model.parameters() if p.requires_grad)\n")]
