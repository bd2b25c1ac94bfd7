"""Benchmarks, run with `make bench` (`python -m benchmarks [name ...]`).

A benchmark is a module in this package with a `main(argv=None)` (or a `run()`) function;
it writes its figures to `benchmarks/results/<name>.json`. Modules with neither, such as
`bench_app` (the app the throughput benchmark serves), are helpers.
"""

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = Path(__file__).resolve().parent / "results"
