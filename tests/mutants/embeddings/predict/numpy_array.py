"""Returns scikit-learn's numpy array instead of a list of labels."""

PATCHES = [("    return [str(label) for label in model.predict(vectors)]", "    return model.predict(vectors)")]
