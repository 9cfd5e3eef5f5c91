"""`make bench`: every benchmark in bench/, one after another (the foundation first).

Each bench/bench_<name>.py has a main() that measures the course's code against a baseline
side by side, prints a Markdown table and writes bench/results/<name>.json.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))


def main(names: list[str]) -> None:
    files = sorted(HERE.glob("bench_*.py"), key=lambda p: (p.stem != "bench_foundation", p.stem))
    for path in files:
        name = path.stem.removeprefix("bench_")
        if names and name not in names:
            continue
        print(f"\n## {name}\n", flush=True)
        spec = importlib.util.spec_from_file_location(path.stem, path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        sys.argv = [str(path)]  # each bench parses its own options: run it with its defaults
        module.main()


if __name__ == "__main__":
    main(sys.argv[1:])
