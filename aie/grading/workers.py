"""Parallel test runs (pytest-xdist, `make test`): the workers share the machine's cores,
and the work is split so that none of them waits at the end.

Each worker's llama.cpp, torch and FAISS would otherwise start one thread per core, and N
workers on N cores would run N x N busy threads: llama.cpp and OpenMP spin while they wait,
so oversubscribed threads slow everything down instead of overlapping. `share_cores()` gives
each worker its share, before any of those libraries is imported; an explicit setting wins.

`--dist loadfile` sends each test file (each notebook) whole to one worker, so module
fixtures load once and a notebook's cells keep their order. It hands the files out largest
first by number of tests, which puts one long item late: the mutant check of every lab is
one file of a few items and about 1,100 s of CPU, so one worker ran it alone while the
other sat idle at the end. `FileScheduling` keeps files whole except the tests named in
`OWN_UNIT` (each of those items is a unit of its own: one lab's mutant check), and hands
those out first, so the short files fill the gaps at the end. tests/conftest.py installs it
with the `pytest_xdist_make_scheduler` hook, only under `--dist loadfile`.
"""

from __future__ import annotations

import os
from collections import Counter


def share_cores() -> int:
    """Threads per worker under pytest-xdist (all the cores outside it); sets AIE_LOCAL_THREADS
    and OMP_NUM_THREADS for this process and the notebook kernels it starts."""
    workers = int(os.environ.get("PYTEST_XDIST_WORKER_COUNT", "1") or 1)
    cores = os.cpu_count() or 2
    if workers <= 1:
        return cores
    share = max(1, cores // workers)
    os.environ.setdefault("AIE_LOCAL_THREADS", str(share))
    os.environ.setdefault("OMP_NUM_THREADS", str(share))
    return share


# Items that are units of their own: (file, test function) -> each parametrized case runs
# wherever a worker is free. They go first: each is minutes of CPU.
OWN_UNIT = {("tests/aie/test_mutants.py", "test_every_mutant_loses_points_and_the_solution_keeps_them")}


def unit_of(nodeid: str) -> str:
    """The work unit a test belongs to: its file, or the test itself if it is in OWN_UNIT.

        unit_of("tests/labs/test_rag.py::test_answer[q1]") -> "tests/labs/test_rag.py"
        unit_of("tests/aie/test_mutants.py::test_every_mutant_loses_points_and_the_solution_keeps_them[rag]")
        -> the same string (a unit of its own)
    """
    path, _, rest = nodeid.partition("::")
    function = rest.split("[", 1)[0].split("::")[-1]
    return nodeid if (path, function) in OWN_UNIT else path


def order_items(config, items: list) -> None:
    """Under `--dist loadfile`, sort the collected tests (in place) in the order their units
    are handed out: OWN_UNIT items first, then files with the most tests first (xdist's own
    order). Each file's tests stay together and in their order; every worker collects the
    same order, which the scheduler then follows."""
    if config.getoption("dist", default=None) != "loadfile":
        return
    units = [unit_of(item.nodeid) for item in items]
    size = Counter(units)
    keyed = sorted(zip(units, items), key=lambda pair: ("::" not in pair[0], -size[pair[0]]))
    items[:] = [item for _, item in keyed]


def make_scheduler(config, log):
    """The xdist scheduler under `--dist loadfile` (None otherwise: xdist picks its own):
    units from `unit_of`, handed out in collection order (see `order_items`)."""
    if config.getoption("dist", default=None) != "loadfile":
        return None
    from xdist.scheduler import LoadScopeScheduling

    class FileScheduling(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            return unit_of(nodeid)

    config.option.loadscopereorder = False  # order_items has ordered them
    return FileScheduling(config, log)
