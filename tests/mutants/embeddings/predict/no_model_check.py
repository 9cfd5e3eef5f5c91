"""Does not check the model: a string or None fails with an AttributeError deep inside."""

PATCHES = [("    if not hasattr(model, \"predict\") or not hasattr(model, \"classes_\"):\n"
            "        raise ValueError(\"model must be a fitted classifier from train_classifier\")\n", "")]
