"""Returns base_model as a list like the tags, although a card names one base model."""

PATCHES = [('"base_model": as_str(data.get("base_model")),', '"base_model": as_list(data.get("base_model")),')]
