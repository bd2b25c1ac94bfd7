"""Run every benchmark in this package, or only those named: `python -m benchmarks [name ...]`."""

import argparse
import importlib
import pkgutil
import sys
import time

import benchmarks


def entry_point(module):
    """The function that runs a benchmark module, or None for a helper module."""
    main = getattr(module, "main", None)
    if callable(main):
        return lambda: main([])
    run = getattr(module, "run", None)
    return run if callable(run) else None


def available() -> dict:
    """Benchmarks by module name, in alphabetical order."""
    found = {}
    for info in sorted(pkgutil.iter_modules(benchmarks.__path__), key=lambda i: i.name):
        if info.name.startswith("_") or info.ispkg:
            continue
        module = importlib.import_module(f"benchmarks.{info.name}")
        start = entry_point(module)
        if start is not None:
            found[info.name] = (module, start)
    return found


def main(argv: list[str] | None = None) -> int:
    modules = available()
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument("names", nargs="*", metavar="name", help=f"any of: {', '.join(modules)}")
    parser.add_argument("--list", action="store_true", help="list the benchmarks and stop")
    args = parser.parse_args(argv)
    if args.list:
        for name, (module, _) in modules.items():
            lines = (module.__doc__ or "").strip().splitlines()
            print(f"{name}: {lines[0] if lines else ''}")
        return 0
    unknown = [n for n in args.names if n not in modules]
    if unknown:
        parser.error(f"unknown benchmark(s): {', '.join(unknown)}; known: {', '.join(modules)}")
    failed = []
    for name in args.names or list(modules):
        print(f"== {name}", flush=True)
        began = time.perf_counter()
        try:
            modules[name][1]()
        except (Exception, SystemExit) as error:  # run the others, then report the failure
            print(f"{name} failed: {error!r}", file=sys.stderr, flush=True)
            failed.append(name)
        print(f"== {name}: {time.perf_counter() - began:.1f}s", flush=True)
    if failed:
        print(f"Failed: {', '.join(failed)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
