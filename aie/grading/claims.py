"""Notebook claims: every number a notebook's prose states must be shown by the notebook.

A figure in markdown ("few-shot costs 371 tokens", "0.52 for the nearest neighbour") is a
claim about what the cells compute. It goes stale the day the code, the data or the model
changes, unless something checks it. The rule, checked on every nbval run of the notebooks:

    each number in a markdown cell is
      - printed by one of the notebook's cells when it runs (its outputs), or
      - an input the cells set (it appears in a code cell's source: `k=6`, `10_000`), or
      - cited: its paragraph names the bench file it comes from (`bench/results/....json`).

What is not a number here: code (fenced and inline), maths, URLs, headings, list markers,
lab numbers ("lab 04"), years, and identifiers that mix digits with letters or hyphens
(`SmolLM2-135M`, `gpt-4o`, `o200k_base`, `2-D`). A suffix stays part of a claim: "8x" must be
printed as "8x" (or "8.0x"), "77%" as "77%", "100k" as "100k" or 100000.

    claims_in_markdown("Few-shot costs about 340 tokens (`k=6`), see lab 03.")
      -> [Claim(text="340", value=340.0, suffix="", cited=False)]

The check itself (`unsupported`) is plain text processing: it runs on outputs the nbval run
already has, so it costs no model call (see notebooks/conftest.py).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

# A number: 12 · 0.52 · 8,191; a suffix x, %, k may follow. Not: parts of identifiers
# (gpt-4o, 2-D, L6), times (11:00), paths.
_NUMBER = re.compile(
    r"(?<![\w.\-/:#@])(\d{1,3}(?:,\d{3})+|\d+)(\.\d+)?(x|%|k)?(?![\w\-:]|\.\d|/\w|\.[A-Za-z])"
)
_OUTPUT_NUMBER = re.compile(r"(\d[\d,_]*)(\.\d+)?(x|%|k)?")
_BENCH = re.compile(r"bench/results/[\w.\-/]+\.json")
_STRIP = [
    re.compile(r"```.*?```", re.S),  # fenced code
    re.compile(r"`[^`]*`"),  # inline code
    re.compile(r"\$\$.*?\$\$", re.S),  # display maths
    re.compile(r"\$[^$\n]+\$"),  # inline maths
    re.compile(r"\]\([^)]*\)"),  # link targets
    re.compile(r"https?://\S+"),
    re.compile(r"^#+ .*$", re.M),  # headings
    re.compile(r"^\s*\d+\.\s", re.M),  # ordered-list markers
    re.compile(r"\b[Ll]abs? \d+(?:\s*(?:and|,|–|-|to)\s*\d+)*"),  # "lab 04", "labs 06 and 10"
    re.compile(r"\b(?:19|20)\d\d\b"),  # years
]


@dataclass(frozen=True)
class Claim:
    text: str  # as written: "8,191", "0.52", "8x"
    value: float
    suffix: str  # "", "x", "%" or "k"
    cited: bool  # its paragraph names a bench/results file
    paragraph: str


def _value(digits: str, decimals: str | None) -> float:
    return float(digits.replace(",", "").replace("_", "") + (decimals or ""))


def claims_in_markdown(markdown: str) -> list[Claim]:
    """The numbers a markdown cell states, each with whether its paragraph cites a bench file."""
    out = []
    for paragraph in re.split(r"\n\s*\n", markdown):
        cited = bool(_BENCH.search(paragraph))
        text = paragraph
        for pattern in _STRIP:
            text = pattern.sub(" ", text)
        for m in _NUMBER.finditer(text):
            digits, decimals, suffix = m.group(1), m.group(2), m.group(3) or ""
            out.append(Claim(m.group(0), _value(digits, decimals), suffix, cited, paragraph.strip()))
    return out


def numbers_shown(text: str) -> set[tuple[float, str]]:
    """(value, suffix) of every number in a cell's output or source; 100k also counts as 100000."""
    shown = set()
    for m in _OUTPUT_NUMBER.finditer(text):
        digits = m.group(1).rstrip(",_")
        if not digits:
            continue
        value = _value(digits, m.group(2))
        suffix = m.group(3) or ""
        shown.add((value, suffix))
        shown.add((value, ""))
        if suffix == "k":
            shown.add((value * 1000, ""))
    return shown


def _supported(claim: Claim, shown: set[tuple[float, str]]) -> bool:
    if claim.suffix == "k":
        return (claim.value, "k") in shown or (claim.value * 1000, "") in shown
    return (claim.value, claim.suffix) in shown


def output_text(outputs: list) -> str:
    """The text of a code cell's outputs (streams, results, displays; plain text and HTML)."""
    parts = []
    for out in outputs or []:
        out = dict(out)
        if "text" in out:
            parts.append("".join(out["text"]) if isinstance(out["text"], list) else str(out["text"]))
        data = out.get("data") or {}
        for kind in ("text/plain", "text/html", "text/markdown"):
            if kind in data:
                value = data[kind]
                parts.append("".join(value) if isinstance(value, list) else str(value))
    return "\n".join(parts)


def unsupported(markdown_cells: list[str], code_sources: list[str], outputs: list[str],
                root: Path | None = None) -> list[str]:
    """Plain-words problems: numbers in the markdown that no output prints, no code sets and
    no bench file is cited for; and cited bench files that do not exist under `root`."""
    shown = set()
    for text in [*code_sources, *outputs]:
        shown |= numbers_shown(text)
    problems = []
    for md in markdown_cells:
        for claim in claims_in_markdown(md):
            if claim.cited or _supported(claim, shown):
                continue
            excerpt = claim.paragraph.replace("\n", " ")
            at = excerpt.find(claim.text)
            excerpt = excerpt[max(0, at - 60): at + 60]
            problems.append(f"{claim.text!r} is stated but no cell prints it and no bench file is cited: …{excerpt}…")
        if root is not None:
            for path in _BENCH.findall(md):
                if not (root / path).is_file():
                    problems.append(f"{path} is cited but does not exist: run `make bench` or fix the path")
    return problems
