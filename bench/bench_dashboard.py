"""Dashboard benchmark: time from a control change to the views being updated.

Measured on the curated set and on a synthetic 100,000-event set, for the two kinds of change: a knob that
only moves the index lines (half-life: values pushed in one ``batch_update``), and a filter that changes the
selection (minimum confidence: views rebuilt). The baseline is building a fresh dashboard from scratch.
"""

from __future__ import annotations

import os
import statistics
import time

import numpy as np
import pandas as pd

import tensions
from bench.bench_scoring import make_synthetic_events
from tensions.widgets import Dashboard


def _synthetic(n: int) -> pd.DataFrame:
    events = make_synthetic_events(n, 40, 3, seed=2)
    events["pair"] = tensions.canonical_pairs(events["actor"], events["target"])
    rng = np.random.default_rng(3)
    events["themes"] = rng.choice(["security", "trade;energy", "diplomacy", "media"], n)
    events["quad_class"] = np.select(
        [events["goldstein"] >= 5, events["goldstein"] >= 0, events["goldstein"] >= -5], [2, 1, 3], 4
    )
    events["title"] = "synthetic event " + events["event_id"]
    events["cameo_code"] = "010"
    events["source_ids"] = "synthetic"
    events["date_precision"] = "day"
    return events


def _measure(board: Dashboard, control: str, values: list) -> list[float]:
    times = []
    for value in values:
        board.controls[control].value = value
        times.append(board.last_update_seconds)
    return times


def _report(label: str, times: list[float], baseline: float) -> None:
    median = statistics.median(times)
    p95 = sorted(times)[max(0, int(round(0.95 * len(times))) - 1)]
    print(
        f"{label}: median {median * 1000:,.0f} ms, p95 {p95 * 1000:,.0f} ms over {len(times)} changes "
        f"-> {baseline / median:,.1f}x faster than rebuilding the dashboard ({baseline * 1000:,.0f} ms)"
    )


def main(argv: list[str]) -> int:
    quick = os.environ.get("BENCH_QUICK") == "1"
    sets = {
        "curated": tensions.load_dataset()["events"],
        "synthetic": _synthetic(20_000 if quick else 100_000),
    }
    for name, events in sets.items():
        pairs = events["pair"].value_counts().index[:4].tolist()
        started = time.perf_counter()
        board = Dashboard(events, pairs=pairs)
        baseline = time.perf_counter() - started
        print(f"{name}: {len(events):,} events")
        _report(
            "  half-life change (lines only)",
            _measure(board, "half_life", [14, 45, 60, 90, 20, 7, 120, 30]),
            baseline,
        )
        _report(
            "  confidence filter (views rebuilt)",
            _measure(board, "confidence", ["confirmed", "reported", "alleged"] * 2),
            baseline,
        )
    print("target: under 150 ms per update")
    return 0


if __name__ == "__main__":
    import sys

    sys.exit(main(sys.argv[1:]))
