"""Builds the optimiser before get_peft_model, over the base model's weights, which peft then freezes: the adapter never moves."""

PATCHES = [("    model = torch_model_from_gguf(base)\n",
            "    model = torch_model_from_gguf(base)\n    optimiser = torch.optim.AdamW(model.parameters(), lr=lr)\n"),
           ("    optimiser = torch.optim.AdamW([p for p in model.parameters() if p.requires_grad], lr=lr)\n", "")]
