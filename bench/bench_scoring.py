"""Scoring benchmark: a synthetic 1,000,000-event, 500-pair, 10-year set scored to daily series.

Prints the time (median of ``--repeats`` runs, with their CPU seconds and the load average: the machine
is shared, and one run's wall time can double under load) and peak memory of ``score_dyads`` on the full
set (tension, then all three components and their ratio), and on a subset the ratio against a
straightforward per-event loop (every event's decayed push added day by day) computed in the same run;
both give the same numbers, which is checked.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
import tracemalloc

import numpy as np
import pandas as pd

from tensions.scoring import CONFIDENCE_WEIGHTS, score_dyads


def make_synthetic_events(n_events: int, n_pairs: int, years: int, seed: int = 0) -> pd.DataFrame:
    """Synthetic events: random pairs among made-up codes, dates over ``years`` years ending 2024-12-31."""
    rng = np.random.default_rng(seed)
    letters = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    codes = np.array([a + b + c for a in letters for b in letters for c in letters])[: 2 * n_pairs]
    pair_a, pair_b = codes[0::2][:n_pairs], codes[1::2][:n_pairs]
    which = rng.integers(0, n_pairs, n_events)
    flip = rng.random(n_events) < 0.5
    actor = np.where(flip, pair_a[which], pair_b[which])
    target = np.where(flip, pair_b[which], pair_a[which])
    end = np.datetime64("2024-12-31")
    days = rng.integers(0, 365 * years, n_events)
    dates = end - days.astype("timedelta64[D]")
    precision = rng.choice(["day", "month", "year"], n_events, p=[0.96, 0.035, 0.005])
    dates = pd.to_datetime(dates)
    dates = dates.where(precision != "month", dates.to_period("M").start_time)
    dates = dates.where(precision != "year", dates.to_period("Y").start_time)
    return pd.DataFrame(
        {
            "event_id": np.char.add("E", np.arange(n_events).astype(str)),
            "date": dates,
            "date_precision": precision,
            "end_date": pd.NaT,
            "actor": actor,
            "target": target,
            "goldstein": rng.choice([-10.0, -7.2, -5.0, -2.0, 0.0, 1.9, 3.4, 7.0], n_events),
            "confidence": rng.choice(list(CONFIDENCE_WEIGHTS), n_events),
        }
    )


def score_with_loop(events: pd.DataFrame, half_life: float, days: pd.DatetimeIndex) -> pd.DataFrame:
    """The straightforward method: for every day, for every event of the pair up to that day, add its push.

    Day-precision events only (the loop is the baseline, not a second implementation of spreading).
    """
    from tensions.data import canonical_pairs

    pairs = canonical_pairs(events["actor"], events["target"]).to_numpy()
    rows = []
    for pair in sorted(set(pairs)):
        mine = events[pairs == pair]
        for day in days:
            total = 0.0
            for ev_day, g, conf in zip(mine["date"], mine["goldstein"], mine["confidence"], strict=True):
                if ev_day <= day:
                    total += CONFIDENCE_WEIGHTS[conf] * (-g) * 2 ** (-((day - ev_day).days) / half_life)
            rows.append((pair, day, total))
    return pd.DataFrame(rows, columns=["pair", "date", "pressure"])


def _timed(fn, *args, **kwargs):
    """Run once under tracemalloc: (result, seconds, peak bytes). Tracing slows allocations down."""
    tracemalloc.start()
    started = time.perf_counter()
    result = fn(*args, **kwargs)
    elapsed = time.perf_counter() - started
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return result, elapsed, peak


def main(argv: list[str]) -> int:
    quick = os.environ.get("BENCH_QUICK") == "1"
    parser = argparse.ArgumentParser(prog="python -m bench.bench_scoring")
    parser.add_argument("--events", type=int, default=100_000 if quick else 1_000_000)
    parser.add_argument("--pairs", type=int, default=500)
    parser.add_argument("--years", type=int, default=10)
    parser.add_argument("--subset-events", type=int, default=300)
    parser.add_argument("--repeats", type=int, default=3, help="timed runs of the full set")
    args = parser.parse_args(argv)

    events = make_synthetic_events(args.events, args.pairs, args.years)
    today = pd.Timestamp("2025-01-01").date()
    walls, cpus = [], []
    for _ in range(args.repeats):  # the machine is shared: the median of a few runs, and CPU seconds
        started, cpu = time.perf_counter(), time.process_time()
        scores = score_dyads(events, freq="D", today=today)
        walls.append(time.perf_counter() - started)
        cpus.append(time.process_time() - cpu)
    elapsed = statistics.median(walls)
    _, _, peak = _timed(score_dyads, events, freq="D", today=today)  # one more run, traced, for memory only
    rate = args.events / elapsed
    print(
        f"score_dyads (tension), {args.events:,} events, {args.pairs} pairs, {args.years} years -> "
        f"{len(scores):,} daily rows: median of {args.repeats} {elapsed:.2f} s (fastest {min(walls):.2f} s; "
        f"CPU {statistics.median(cpus):.2f} s; load average {os.getloadavg()[0]:.1f}; {rate:,.0f} events/s), "
        f"peak traced memory {peak / 2**20:,.0f} MiB"
    )
    started = time.perf_counter()
    every = score_dyads(events, freq="D", today=today, component="all")
    t_all = time.perf_counter() - started
    print(
        f"score_dyads (all three components) -> {len(every):,} daily rows: {t_all:.2f} s -> ratio "
        f"all/one component {t_all / elapsed:.2f}x"
    )

    subset = make_synthetic_events(args.subset_events, 5, 1, seed=1).assign(date_precision="day")
    days = pd.date_range(subset["date"].min(), subset["date"].max(), freq="D")
    started = time.perf_counter()
    vec = score_dyads(subset, freq="D", today=today, component="net")  # the loop sums signed pushes
    t_vec = time.perf_counter() - started
    started = time.perf_counter()
    loop = score_with_loop(subset, 30.0, days)
    t_loop = time.perf_counter() - started
    merged = loop.merge(vec, on=["pair", "date"], suffixes=("_loop", ""))
    worst = float(np.max(np.abs(merged["pressure_loop"] - merged["pressure"])))
    print(
        f"subset of {len(subset)} events, 5 pairs, {len(days)} days: per-event loop {t_loop:.2f} s, "
        f"vectorised {t_vec:.4f} s -> ratio loop/vectorised {t_loop / t_vec:,.0f}x "
        f"(largest difference {worst:.2e})"
    )
    per_event_day = t_loop / (len(subset) * len(days))  # the loop visits every (event, day) once
    projected = per_event_day * args.events * 365 * args.years
    print(
        f"the loop's cost projected to the full set: about {projected / 3600:,.0f} h "
        f"(vs {elapsed:.1f} s) -> ratio {projected / elapsed:,.0f}x"
    )
    return 0 if worst < 1e-9 else 1


if __name__ == "__main__":
    import sys

    sys.exit(main(sys.argv[1:]))
