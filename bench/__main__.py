"""Run every benchmark in turn: ``python -m bench [name ...]`` (names: scoring, export, ingest, dashboard, coder).

Set ``BENCH_QUICK=1`` for smaller inputs (a smoke run of every benchmark).
"""

from __future__ import annotations

import importlib
import sys
import time

BENCHES = ("scoring", "export", "ingest", "dashboard", "coder")


def main(argv: list[str]) -> int:
    names = argv or list(BENCHES)
    failed = []
    for name in names:
        try:
            module = importlib.import_module(f"bench.bench_{name}")
        except ModuleNotFoundError as exc:
            if exc.name == f"bench.bench_{name}":
                print(f"== {name}: no benchmark yet")
                continue
            raise
        print(f"\n== {name} " + "=" * 60, flush=True)
        started = time.perf_counter()
        code = module.main([])
        print(f"== {name} finished in {time.perf_counter() - started:.1f} s (exit {code})", flush=True)
        if code:
            failed.append(name)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
