"""Parallel test runs (pytest-xdist, `make test`): the workers share the machine's cores.

Each worker's llama.cpp, torch and FAISS would otherwise start one thread per core, and N
workers on N cores would run N x N busy threads: llama.cpp and OpenMP spin while they wait,
so oversubscribed threads slow everything down instead of overlapping. `share_cores()` gives
each worker its share, before any of those libraries is imported; an explicit setting wins.
"""

from __future__ import annotations

import os


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
