"""nbval runs of the notebooks (`make notebooks`): after the last cell of each notebook, one
more item, `<notebook>::claims`, checks that every number its markdown states is printed by
one of its cells, set by one, or cited to a bench file (`aie.grading.claims`). It reads the
outputs nbval has just collected, so it costs no extra execution. Under pytest-xdist the
item shares its notebook's file group (`--dist loadfile`), so it runs in the same worker,
after the cells.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from aie.grading.claims import output_text, unsupported
from aie.grading.workers import share_cores

share_cores()  # under pytest-xdist, each worker (and the kernels it starts) gets its share of the cores
ROOT = Path(__file__).resolve().parent.parent


class NotebookClaims(pytest.Item):
    def runtest(self):
        cells = [item for item in self.session.items if item.parent is self.parent and item is not self]
        unrun = [item.name for item in cells if getattr(item, "test_outputs", None) is None]
        if unrun:
            raise AssertionError(f"cannot check the claims: {', '.join(unrun)} did not run")
        markdown = [cell.source for cell in self.parent.nb.cells if cell.cell_type == "markdown"]
        code = [cell.source for cell in self.parent.nb.cells if cell.cell_type == "code"]
        outputs = [output_text(item.test_outputs) for item in cells]
        problems = unsupported(markdown, code, outputs, root=ROOT)
        if problems:
            raise AssertionError(
                "the markdown states numbers its cells do not show — print them, cite the bench file, "
                "or reword:\n  " + "\n  ".join(problems)
            )

    def reportinfo(self):
        return self.path, None, f"{self.parent.name}::claims"


def pytest_collection_modifyitems(session, config, items):
    last: dict = {}
    for index, item in enumerate(items):
        if type(item).__name__ == "IPyNbCell":
            last[item.parent] = index
    for parent, index in sorted(last.items(), key=lambda pair: -pair[1]):
        items.insert(index + 1, NotebookClaims.from_parent(parent, name="claims"))
