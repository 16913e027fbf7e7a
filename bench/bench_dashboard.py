"""Dashboard benchmark: time from a control change to the views being updated.

A control value is set programmatically and the clock stops when its observer has returned (observers run
synchronously, so by then every trace, the table and the status are updated and the messages to the browser
are sent). Measured on the curated set and on a synthetic 100,000-event set, over a cycle of changes of every
kind: months, themes, quad classes, minimum confidence, half-life and Goldstein weights.

The baseline is the same changes handled by rebuilding the views from scratch with the chart builders
(``Dashboard.fast_updates = False``) instead of pushing the changed arrays in one ``batch_update``. Changes
of pairs and of score method always rebuild; they are reported apart.

Run: ``python -m bench dashboard`` (``BENCH_QUICK=1`` for a 20,000-event synthetic set and fewer changes).
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

TARGET_MS = 150


def make_synthetic_dashboard_events(n: int, seed: int = 2) -> pd.DataFrame:
    """Synthetic events with every column the dashboard uses (40 made-up countries over three years)."""
    events = make_synthetic_events(n, 40, 3, seed=seed)
    events["pair"] = tensions.canonical_pairs(events["actor"], events["target"])
    rng = np.random.default_rng(seed + 1)
    events["themes"] = rng.choice(["security", "trade;energy", "diplomacy", "media;security"], n)
    events["quad_class"] = np.select(
        [events["goldstein"] >= 5, events["goldstein"] >= 0, events["goldstein"] >= -5], [2, 1, 3], 4
    )
    events["title"] = "synthetic event " + events["event_id"].astype(str)
    events["cameo_code"] = "010"
    events["source_ids"] = "synthetic"
    events["date_precision"] = "day"
    return events


def change_cycle(board: Dashboard) -> list[tuple[str, object]]:
    """One change of each kind, then back, so the cycle can repeat (the first change is never a no-op)."""
    months = len(board.controls["dates"].options)
    wide, narrow = board.controls["dates"].index, (max(0, months - 13), months - 1)
    themes = board.controls["themes"].options
    return [
        ("half_life", 14.0),
        ("confidence", "confirmed"),
        ("half_life", 60.0),
        ("quads", (3, 4)),
        ("dates", narrow),
        ("goldstein", "GDELT"),
        ("themes", tuple(themes[: max(1, len(themes) // 2)])),
        ("confidence", "reported"),
        ("dates", wide),
        ("quads", (1, 2, 3, 4)),
        ("goldstein", "events' own weights"),
        ("themes", tuple(themes)),
        ("confidence", "alleged"),
        ("half_life", 30.0),
    ]


def set_control(board: Dashboard, name: str, value) -> float:
    """Seconds from setting the control to its observer having updated the views."""
    control = board.controls[name]
    started = time.perf_counter()
    if name == "dates":
        control.index = value
    else:
        control.value = value
    return time.perf_counter() - started


def measure(board: Dashboard, rounds: int) -> list[float]:
    cycle = change_cycle(board)
    return [set_control(board, name, value) for _ in range(rounds) for name, value in cycle]


def summarise(times: list[float]) -> tuple[float, float]:
    ordered = sorted(times)
    p95 = ordered[min(len(ordered) - 1, int(np.ceil(0.95 * len(ordered))) - 1)]
    return statistics.median(times), p95


def bench_set(name: str, events: pd.DataFrame, rounds: int, eras=None) -> dict:
    pairs = events["pair"].value_counts().index[:4].tolist()
    started = time.perf_counter()
    board = Dashboard(events, eras=eras, pairs=pairs)
    opened = time.perf_counter() - started
    set_control(board, "half_life", 20.0)  # warm-up
    fast = measure(board, rounds)
    board.fast_updates = False
    slow = measure(board, 1)
    board.fast_updates = True
    structural = [
        set_control(board, "pairs", tuple(pairs[:2])),
        set_control(board, "pairs", tuple(pairs)),
        set_control(board, "method", "gdelt"),
        set_control(board, "method", "index"),
    ]
    (f_med, f_p95), (s_med, s_p95) = summarise(fast), summarise(slow)
    print(
        f"{name}: {len(events):,} events, {len(board.context):,} in the 4 chosen pairs; opened in {opened:.2f} s"
    )
    print(
        f"  filter/knob change, batch update: median {f_med * 1000:6.0f} ms, p95 {f_p95 * 1000:6.0f} ms "
        f"over {len(fast)} changes (target < {TARGET_MS} ms: {'met' if f_p95 < TARGET_MS / 1000 else 'NOT met'})"
    )
    print(
        f"  same changes, views rebuilt:      median {s_med * 1000:6.0f} ms, p95 {s_p95 * 1000:6.0f} ms "
        f"over {len(slow)} changes -> batch update is {s_med / f_med:.1f}x faster (median)"
    )
    print(
        "  pairs / method change (rebuild):  "
        + ", ".join(f"{t * 1000:.0f}" for t in structural)
        + " ms (pairs -2, pairs +2, method gdelt, method index)"
    )
    return {"set": name, "events": len(events), "fast_median": f_med, "fast_p95": f_p95, "slow_median": s_med}


def main(argv: list[str]) -> int:
    quick = os.environ.get("BENCH_QUICK") == "1"
    rounds = 1 if quick else 3
    ds = tensions.load_dataset()
    results = [
        bench_set("curated", ds["events"], rounds, eras=ds["eras"]),
        bench_set("synthetic", make_synthetic_dashboard_events(20_000 if quick else 100_000), rounds),
    ]
    curated, synthetic = results
    print(
        f"100k vs curated (median batch update): {synthetic['fast_median'] / curated['fast_median']:.2f}x the time "
        f"for {synthetic['events'] / curated['events']:,.0f}x the events"
    )
    return 0


if __name__ == "__main__":
    import sys

    sys.exit(main(sys.argv[1:]))
