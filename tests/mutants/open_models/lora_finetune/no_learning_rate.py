"""Steps with a learning rate of zero: the optimiser runs but nothing is learnt."""

PATCHES = [("    optimiser = torch.optim.AdamW([p for p in model.parameters() if p.requires_grad], lr=lr)\n",
            "    optimiser = torch.optim.AdamW([p for p in model.parameters() if p.requires_grad], lr=0.0)\n")]
