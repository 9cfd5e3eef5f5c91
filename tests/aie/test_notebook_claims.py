"""Integrity: the numbers a notebook's prose states are shown by the notebook.

How the check works, and why it is cheap. Running the notebooks is the expensive part
(minutes, on the real models), and `make notebooks` does it already under nbval. So the check
rides on that run: `notebooks/conftest.py` adds one item after each notebook's last cell,
`<notebook>::claims`, which takes the outputs nbval just collected and applies
`aie.grading.claims.unsupported` — pure text processing, milliseconds. A number in a markdown
cell passes when one of the cells prints it, when a code cell sets it (an input such as
`k=6` or `10_000`), or when its paragraph cites the bench file it comes from
(`bench/results/<name>.json`); code, maths, headings, lab numbers, years and identifiers
(`SmolLM2-135M`, `gpt-4o`) are not claims.

This file tests that machinery without running a notebook: what counts as a claim, when a
claim is supported, that each notebook gets its claims item, that cited bench files exist —
and, on the words the notebooks used to say, that the check catches what it must.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from aie.grading.claims import claims_in_markdown, numbers_shown, output_text, unsupported

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))


def texts(markdown: str) -> list[str]:
    return [c.text for c in claims_in_markdown(markdown)]


@pytest.mark.parametrize("markdown, expected", [
    ("Few-shot costs about 340 tokens, zero-shot 83.", ["340", "83"]),
    ("It scores 0.52, reads 8,191 tokens, is 8x faster, right 77% of the time on 100k rows.",
     ["0.52", "8,191", "8x", "77%", "100k"]),
    ("A price: $0.15 per 1M tokens.", ["0.15"]),
    ("SmolLM2-135M, gpt-4o, o200k_base, MiniLM-L6-v2, a 2-D map, 22M-parameter, 2x2 blocks.", []),
    ("Code `k=6`, maths $x^2 + 1$, see lab 03 and labs 06 and 10, in 2025, at 11:00.", []),
    ("## 3. A heading with 42\n\n1. a list marker, then 7 things", ["7"]),
    ("[a link](https://example.com/v1/12)", []),
])
def test_what_counts_as_a_claim(markdown, expected):
    assert texts(markdown) == expected, f"claims in {markdown!r} should be {expected}"


def test_a_bench_citation_covers_its_paragraph_only():
    claims = claims_in_markdown("Recall 0.91 (bench/results/rag.json).\n\nLatency 12 ms.")
    assert [(c.text, c.cited) for c in claims] == [("0.91", True), ("12", False)]


def test_numbers_shown_read_outputs_in_every_format():
    shown = numbers_shown("accuracy 0.77 (37 of 48) | 8191 tokens | 8.0x | 100k rows | 1,234")
    for value, suffix in [(0.77, ""), (37, ""), (8191, ""), (8.0, "x"), (100000, ""), (1234, "")]:
        assert (value, suffix) in shown


def test_output_text_reads_streams_results_and_html():
    outputs = [{"output_type": "stream", "name": "stdout", "text": "a 1\n"},
               {"output_type": "execute_result", "data": {"text/plain": "b 2"}},
               {"output_type": "display_data", "data": {"text/html": "<b>c 3</b>", "image/png": "iVBOR"}}]
    assert [int(n) for n in re.findall(r"\d", output_text(outputs))] == [1, 2, 3]


# What notebook 02 used to say, against what its cell printed: the check must catch it.
OLD_02 = ("Few-shot made it no better here, and cost four times the prompt tokens (about 340 "
          "instead of 83 per call).\n\nThe single nearest neighbour alone: 0.52.")


def test_a_stale_figure_is_reported_with_its_context():
    problems = unsupported([OLD_02], ["print(len(zero), len(few))"], ["prompt tokens: zero-shot 113 | six-shot 407"])
    assert len(problems) == 3, f"340, 83 and 0.52 are printed by no cell: {problems}"
    assert all("no cell prints it" in p for p in problems)
    assert "'340'" in problems[0] and "four times the prompt tokens" in problems[0], "the message quotes the claim"


def test_printed_set_or_cited_figures_pass(tmp_path):
    (tmp_path / "bench" / "results").mkdir(parents=True)
    (tmp_path / "bench" / "results" / "x.json").write_text("{}")
    markdown = ["Zero-shot 83 tokens, six-shot 340 (printed above).",
                "Ten thousand vectors: `10_000`, that is 10,000.",
                "Built 8x faster (bench/results/x.json)."]
    code = ["vectors = random(10_000)"]
    outputs = ["prompt tokens: zero-shot 83 | six-shot 340"]
    assert unsupported(markdown, code, outputs, root=tmp_path) == []


def test_a_citation_of_a_missing_bench_file_is_reported(tmp_path):
    problems = unsupported(["Built 8x faster (bench/results/nowhere.json)."], [], [], root=tmp_path)
    assert problems == ["bench/results/nowhere.json is cited but does not exist: run `make bench` or fix the path"]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_every_cited_bench_file_exists(path):
    nb = nbformat.read(path, as_version=4)
    markdown = [c.source for c in nb.cells if c.cell_type == "markdown"]
    missing = [p for p in unsupported(markdown, [], [], root=ROOT) if p.endswith("or fix the path")]
    assert not missing, f"{path.name}: {missing}"


@pytest.mark.slow
def test_the_nbval_run_checks_each_notebooks_claims_after_its_last_cell():
    out = subprocess.run(
        [sys.executable, "-m", "pytest", "--collect-only", "-q", "--nbval-lax", "-p", "no:randomly",
         *[str(p.relative_to(ROOT)) for p in NOTEBOOKS]],
        cwd=ROOT, capture_output=True, text=True, timeout=600)
    ids = [line for line in out.stdout.splitlines() if "::" in line]
    for path in NOTEBOOKS:
        mine = [i for i in ids if i.startswith(f"notebooks/{path.name}::")]
        assert mine and mine[-1] == f"notebooks/{path.name}::claims", \
            f"{path.name} should end with its claims item, got {mine[-2:]} ({out.stderr[-500:]})"


def test_make_help_and_the_readme_give_the_same_setup_time():
    makefile = (ROOT / "Makefile").read_text()
    readme = (ROOT / "README.md").read_text()
    help_line = next(line for line in makefile.splitlines() if "make setup " in line and "echo" in line)
    readme_line = next(line for line in readme.splitlines() if line.startswith("make lab") and "first time" in line)
    minutes = re.compile(r"(\d+(?:[-–]\d+)?) min")
    assert minutes.findall(help_line) == minutes.findall(readme_line), \
        f"`make help` says {help_line.strip()!r} but the README says {readme_line.strip()!r}"
