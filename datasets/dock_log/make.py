"""Write datasets/dock_log/notes.jsonl: delivery notes and the log line each one should become.

    python datasets/dock_log/make.py

Seeded, so the file is the same on every run. The wording templates, cargo names, ship
names and people are written for this project (Saltmere is an invented port).
"""

from __future__ import annotations

import json
import random
from pathlib import Path

MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December"]
WORDS = {1: "one", 2: "two", 3: "three", 4: "four", 5: "five", 6: "six", 7: "seven", 8: "eight",
         9: "nine", 10: "ten", 11: "eleven", 12: "twelve"}
CARGO = ["lamp oil", "rope", "salt cod", "slate tiles", "copper wire", "tar", "barley", "sailcloth",
         "lime", "tin plate", "pine boards", "wool bales", "cider", "fishing net", "coal", "flax seed",
         "glass jars", "iron nails", "peat", "soap"]
UNITS = ["crates", "barrels", "sacks", "bundles", "pallets", "casks", "boxes"]
SHIPS = ["Gannet", "Marram", "Quiet Heron", "Tessaly", "Brackwater", "Little Auk", "Orrin Bell", "Sedge"]
PEOPLE = ["Ivo", "Maren", "Tobiah", "Wren", "Odile", "Cass", "Fenna", "Haldor"]
TEMPLATES = [
    "{date_long}: {qty_text} {unit} of {cargo} came off the {ship} at dock {dock}.",
    "{person} signed for {qty_text} {unit} of {cargo} at dock {dock} on {date_us}.",
    "Dock {dock}, {date_long}. Unloaded {qty_text} {unit} of {cargo} from the {ship}.",
    "On {date_us} the {ship} landed {cargo}, {qty_text} {unit}, at dock {dock}.",
    "Received {qty_text} {unit} {cargo} ({date_iso}), dock {dock}, checked by {person}.",
    "{cargo_cap}: {qty_text} {unit} in at dock {dock} on {date_long}, off the {ship}.",
    "Note from {person}: dock {dock} took {qty_text} {unit} of {cargo} on {date_us}.",
    "{date_iso} / dock {dock} / the {ship} brought {qty_text} {unit} of {cargo}.",
]


def note(rng: random.Random) -> dict:
    year = rng.choice([2025, 2026, 2027])
    month = rng.randint(1, 12)
    day = rng.randint(1, 28)
    qty = rng.randint(1, 40)
    dock = rng.randint(1, 9)
    cargo = rng.choice(CARGO)
    fields = {
        "date_long": f"{day} {MONTHS[month - 1]} {year}",
        "date_us": f"{MONTHS[month - 1]} {day}, {year}",
        "date_iso": f"{year}-{month:02d}-{day:02d}",
        "qty_text": WORDS[qty] if qty in WORDS and rng.random() < 0.5 else str(qty),
        "unit": rng.choice(UNITS), "cargo": cargo, "cargo_cap": cargo.capitalize(),
        "ship": rng.choice(SHIPS), "person": rng.choice(PEOPLE), "dock": dock,
    }
    text = rng.choice(TEMPLATES).format(**fields)
    log = f"date={year}-{month:02d}-{day:02d}; cargo={cargo}; qty={qty}; dock={dock}"
    return {"text": text, "log": log}


def main() -> None:
    rng = random.Random(8)
    seen, rows = set(), []
    while len(rows) < 240:
        row = note(rng)
        if row["text"] not in seen:
            seen.add(row["text"])
            rows.append(row)
    out = Path(__file__).with_name("notes.jsonl")
    with out.open("w") as f:
        for i, row in enumerate(rows):
            split = "train" if i < 200 else "heldout"
            f.write(json.dumps({"id": f"d{i + 1:03d}", **row, "split": split}) + "\n")


if __name__ == "__main__":
    main()
