"""Scores computed where the data lives: DuckDB builds the kernel's sums table, the kernel does the rest.

The result equals ``tensions.score_dyads`` on the same events with the same settings: DuckDB sums each
pair's ``m * max(-g, 0)`` and ``m * max(g, 0)`` per day, precision, end date and confidence level, out of
core, so only that small table reaches memory; :func:`tensions.score.kernel.score_pushes` then weighs,
places, decays and indexes it exactly as for the pandas engine.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pandas as pd

from tensions import reference
from tensions.schema import event_columns, require_columns
from tensions.score.kernel import score_sums
from tensions.score.settings import ScoreRequest, ScoreSettings, resolve_call
from tensions.score.sql import column_name, key_sql, sides_sql

#: The event columns every source needs.
_SOURCE_COLUMNS = event_columns(["date", "actor", "target", "confidence"])


def score_dyads_duckdb(
    source: str | Path | pd.DataFrame,
    *,
    request: ScoreRequest | None = None,
    settings: ScoreSettings | None = None,
    con: duckdb.DuckDBPyConnection | None = None,
    **options,
) -> pd.DataFrame:
    """Pair scores from events in a Parquet file (or a DataFrame), aggregated by DuckDB.

    Args:
        source: a Parquet file (or glob) written by ``python -m tensions ingest`` or an events DataFrame
            with ``date``, ``actor``, ``target``, ``confidence`` and ``goldstein`` (or ``cameo_code`` with a
            ``goldstein_table``); ``date_precision`` and ``end_date`` are used when present.
        request: what is reported (a ``ScoreRequest``: period, first and last day, summary, pairs).
        settings: a ``ScoreSettings`` (every setting is honoured).
        con: an open DuckDB connection (a new in-memory one by default).
        **options: fields of ``request`` (``freq="W"``, ``pairs=[...]``) or of ``settings``
            (``half_life_days=20``) that replace the ones given (see ``resolve_call``).

    Returns:
        The same table as ``score_dyads`` with the same settings, ``attrs["settings"]`` included.
    """
    s, asked = resolve_call(settings, request, **options)
    own = con is None
    con = con or duckdb.connect()
    try:
        relation = _relation(source, con)
        columns = {row[0] for row in con.execute(f"DESCRIBE SELECT * FROM {relation}").fetchall()}
        require_columns(columns, _SOURCE_COLUMNS)
        sums = con.execute(_sums_sql(relation, columns, s, con)).df()
    finally:
        if own:
            con.close()
    return score_sums(sums, s, asked)


def _relation(source: str | Path | pd.DataFrame, con: duckdb.DuckDBPyConnection) -> str:
    if isinstance(source, pd.DataFrame):
        frame = source.copy()
        for name in ("confidence", "date_precision", "cameo_code", "actor", "target"):
            if name in frame:
                frame[name] = frame[name].astype("string").astype(object)
        con.register("events_src", frame)
        return "events_src"
    return f"read_parquet('{str(source).replace(chr(39), chr(39) * 2)}')"


def _sums_sql(relation: str, columns: set[str], s: ScoreSettings, con: duckdb.DuckDBPyConnection) -> str:
    goldstein = _goldstein_sql(relation, columns, s, con)
    importance = "1.0"
    if s.importance_column:
        name = column_name(s.importance_column)
        if name not in columns:
            raise ValueError(f"events lack the importance column {name!r}")
        bad = con.execute(f"SELECT count(*) FROM {relation} WHERE {name} IS NULL OR {name} < 0").fetchone()[0]
        if bad:
            raise ValueError(f"importance must be a non-negative number; {bad} event(s) are not")
        importance = f"CAST({name} AS DOUBLE)"
    conflict, cooperative = sides_sql("g", importance)
    precision = "CAST(date_precision AS VARCHAR)" if "date_precision" in columns else "'day'"
    end_date = "CAST(end_date AS DATE)" if "end_date" in columns else "CAST(NULL AS DATE)"
    return f"""
        SELECT {key_sql(s)} AS key, CAST(date AS DATE) AS date, coalesce({precision}, 'day') AS date_precision,
               {end_date} AS end_date, CAST(confidence AS VARCHAR) AS confidence,
               sum({conflict}) AS conflict, sum({cooperative}) AS cooperative, count(*) AS n
        FROM (SELECT *, {goldstein} AS g FROM {relation} {_joins(s)})
        GROUP BY ALL ORDER BY ALL"""


def _goldstein_sql(relation: str, columns: set[str], s: ScoreSettings, con: duckdb.DuckDBPyConnection) -> str:
    if s.goldstein_table is None:
        if "goldstein" not in columns:
            raise ValueError("events lack a goldstein column; choose a goldstein_table")
        bad = con.execute(f"SELECT count(*) FROM {relation} WHERE goldstein IS NULL").fetchone()[0]
        if bad:
            raise ValueError(f"missing Goldstein weight for {bad} event(s)")
        return "CAST(goldstein AS DOUBLE)"
    if "cameo_code" not in columns:
        raise ValueError("events lack a cameo_code column, needed to look weights up")
    table = reference.load_goldstein_weights(s.goldstein_table)
    con.register(
        "gold_table", pd.DataFrame({"code": table.index.astype(str), "weight": table.to_numpy("float64")})
    )
    weight = "coalesce(gold.weight, gold_root.weight)" if s.fallback_to_root else "gold.weight"
    missing = con.execute(
        f"SELECT DISTINCT CAST(cameo_code AS VARCHAR) FROM {relation} {_joins(s)} WHERE {weight} IS NULL LIMIT 10"
    ).fetchall()
    if missing:
        raise ValueError(
            f"the {s.goldstein_table} Goldstein table has no weight for code(s) "
            f"{', '.join(str(m[0]) for m in missing)}; pass fallback_to_root=True to use the root code's weight"
        )
    return weight


def _joins(s: ScoreSettings) -> str:
    if s.goldstein_table is None:
        return ""
    code = "CAST(cameo_code AS VARCHAR)"
    out = f"LEFT JOIN gold_table AS gold ON gold.code = {code}"
    if s.fallback_to_root:
        out += f" LEFT JOIN gold_table AS gold_root ON gold_root.code = substr({code}, 1, 2)"
    return out
