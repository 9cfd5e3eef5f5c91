"""Ignores C: neither checks it nor passes it on (the default regularisation always)."""

PATCHES = [("    C = validate.number(C, \"C\", minimum=0, exclusive_minimum=True)\n", ""),
           ("    model = LogisticRegression(C=C, max_iter=2000)", "    model = LogisticRegression(max_iter=2000)")]
TESTS = ["test_train_classifier_refuses_a_bad_C_or_nan_vectors"]
