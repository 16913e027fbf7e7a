"""Scores computed where the data lives: DuckDB aggregates pushes per pair and day, numpy decays them.

The result equals ``tensions.score_dyads`` on the same events (day-precision events, the machine-coded
case): the pushes ``c * (-g)`` are summed per pair and day in SQL, out of core, so only the small daily
table (pairs × days) reaches memory, and the same recursive filter as the pandas path decays it.
:func:`scores_from_daily` is that last step; ``tensions.ingest.spark`` shares it with a Spark aggregation.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

from tensions.scoring import CONFIDENCE_WEIGHTS, K_DEFAULT, SCORE_COLUMNS, decay_daily


def score_dyads_duckdb(
    source: str | Path | pd.DataFrame,
    half_life_days: float = 30.0,
    confidence_weights: Mapping[str, float] | None = None,
    k: float = K_DEFAULT,
    con: duckdb.DuckDBPyConnection | None = None,
) -> pd.DataFrame:
    """Daily pair scores from events in a Parquet file (or a DataFrame), aggregated by DuckDB.

    Args:
        source: a Parquet file written by ``python -m tensions ingest`` or an events DataFrame with ``date``,
            ``actor``, ``target``, ``goldstein`` and ``confidence``.
        half_life_days: the half-life.
        confidence_weights: overrides of the confidence weights.
        k: scale of the index.
        con: an open DuckDB connection (a new in-memory one by default).

    Returns:
        The same columns as ``score_dyads`` (undirected pairs, daily, from the first to the last event day).
    """
    weights = {**CONFIDENCE_WEIGHTS, **(confidence_weights or {})}
    own = con is None
    con = con or duckdb.connect()
    try:
        if isinstance(source, pd.DataFrame):
            frame = source[["date", "actor", "target", "goldstein", "confidence"]].assign(
                confidence=source["confidence"].astype(str), date=pd.to_datetime(source["date"])
            )
            con.register("events_src", frame)
            relation = "events_src"
        else:
            relation = f"read_parquet('{str(source).replace(chr(39), chr(39) * 2)}')"
        case = " ".join(f"WHEN '{name}' THEN {float(w)}" for name, w in weights.items())
        daily = con.execute(f"""
            SELECT least(actor, target) || '-' || greatest(actor, target) AS pair, CAST(date AS DATE) AS day,
                   sum((CASE CAST(confidence AS VARCHAR) {case} END) * (-goldstein)) AS push, count(*) AS n
            FROM {relation} GROUP BY 1, 2 ORDER BY 1, 2""").df()
    finally:
        if own:
            con.close()
    return scores_from_daily(daily, half_life_days=half_life_days, k=k)


def scores_from_daily(
    daily: pd.DataFrame, half_life_days: float = 30.0, k: float = K_DEFAULT
) -> pd.DataFrame:
    """Decay a daily table of pushes per pair into the daily scores of ``score_dyads``.

    This is the in-memory part shared by the DuckDB and Spark paths: the engine sums the pushes per pair
    and day, and this function fills the days without events with zeros and runs the recursive filter.

    Args:
        daily: one row per pair and day with events: ``pair`` (the label), ``day`` (a date), ``push`` (the
            sum of ``c * (-goldstein)`` of that day) and ``n`` (the number of events).
        half_life_days: the half-life.
        k: scale of the index.

    Returns:
        The columns of ``score_dyads`` for every pair and every day from the first to the last day of
        ``daily``, pair-major; an empty frame with these columns when ``daily`` is empty.

    >>> daily = pd.DataFrame({"pair": ["AZE-RUS"], "day": [pd.Timestamp("2024-12-25")], "push": [10.0], "n": [1]})
    >>> float(scores_from_daily(daily)["index"].iloc[0])
    75.0
    """
    if daily.empty:
        return _empty_scores()
    day = pd.to_datetime(daily["day"])
    first, last = day.min(), day.max()
    days = pd.date_range(first, last, freq="D")
    keys, key_pos = np.unique(daily["pair"].to_numpy(dtype=object), return_inverse=True)
    day_pos = (day - first).dt.days.to_numpy()
    pushes = np.zeros((len(days), len(keys)))
    counts = np.zeros((len(days), len(keys)), dtype="int64")
    pushes[day_pos, key_pos] = daily["push"].to_numpy(dtype="float64", na_value=np.nan)
    counts[day_pos, key_pos] = daily["n"].to_numpy(dtype="int64")
    pressure = decay_daily(pushes, 2.0 ** (-1.0 / half_life_days))
    flat = pressure.T.ravel()
    return pd.DataFrame(
        {
            "pair": pd.array(np.repeat(keys.astype(object), len(days)), dtype="string"),
            "date": np.tile(days.to_numpy().astype("datetime64[ns]"), len(keys)),
            "pressure": flat,
            "index": 50.0 + 50.0 * np.tanh(flat / k),
            "n_events": counts.T.ravel(),
        }
    )


def _empty_scores() -> pd.DataFrame:
    dtypes = ("string", "datetime64[ns]", "float64", "float64", "int64")
    return pd.DataFrame({c: pd.Series(dtype=t) for c, t in zip(SCORE_COLUMNS, dtypes, strict=True)})
