"""Daily pair scores with Spark: the aggregation of ``score_dyads_duckdb`` on a cluster (or in local mode).

Spark sums the pushes ``c * (-g)`` and counts the events per undirected pair and day; only that daily
table (pairs × days with events) is collected to the driver, where
:func:`tensions.ingest.scale.scores_from_daily` decays it with the same numpy code as the DuckDB path. The
result equals ``tensions.score_dyads`` on day-precision events (to floating-point rounding).

PySpark is imported inside the functions, so importing this module needs neither PySpark nor Java.
Calendar days are taken in UTC: during a call the session time zone is set to UTC (and restored after).
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from tensions.ingest.scale import scores_from_daily
from tensions.scoring import CONFIDENCE_WEIGHTS, K_DEFAULT

if TYPE_CHECKING:
    from pyspark.sql import Column, DataFrame, SparkSession

#: Environment variable with the Spark master URL used when :func:`get_spark` gets none.
MASTER_ENV: str = "TENSIONS_SPARK_MASTER"
#: Master used when neither the argument nor :data:`MASTER_ENV` names one.
DEFAULT_MASTER: str = "local[2]"

_EVENT_COLUMNS = ("date", "actor", "target", "goldstein", "confidence")
_NS_PER_DAY = 86_400 * 10**9
# Settings for every master: days in UTC, Arrow for pandas <-> Spark transfers.
_COMMON_SETTINGS = {
    "spark.sql.session.timeZone": "UTC",
    "spark.sql.execution.arrow.pyspark.enabled": "true",
}
# Settings for local masters only: small, quiet, bound to the loopback interface (no network needed).
_LOCAL_SETTINGS = {
    "spark.ui.enabled": "false",
    "spark.ui.showConsoleProgress": "false",
    "spark.sql.shuffle.partitions": "4",
    "spark.driver.memory": "1g",
    "spark.driver.host": "127.0.0.1",
    "spark.driver.bindAddress": "127.0.0.1",
}
# Held while a score is computed: calendar days in UTC.
_CALL_SETTINGS = {"spark.sql.session.timeZone": "UTC"}
# Also held while Parquet is read: nanosecond timestamps (pandas' default, which Spark cannot read as
# timestamps) come as integers, converted to days in `_with_day`.
_PARQUET_SETTINGS = {"spark.sql.legacy.parquet.nanosAsLong": "true"}


def spark_settings(master: str | None = None) -> dict[str, str]:
    """The settings :func:`get_spark` builds a session with.

    Args:
        master: the Spark master URL (``local[4]``, ``spark://host:7077``, ``yarn``...); by default the
            environment variable ``TENSIONS_SPARK_MASTER``, else the ``--master`` of ``spark-submit`` when
            the script runs under it, else ``local[2]``.

    Returns:
        ``spark.*`` settings, with ``spark.master`` and ``spark.app.name`` unless ``spark-submit`` sets
        them. Local masters also get a small footprint: no web UI, 4 shuffle partitions, 1 GiB of driver
        memory, the driver bound to 127.0.0.1.

    >>> spark_settings("local[1]")["spark.sql.session.timeZone"]
    'UTC'
    >>> "spark.driver.memory" in spark_settings("spark://host:7077")
    False
    """
    master = master or os.environ.get(MASTER_ENV)
    if master is None and "PYSPARK_GATEWAY_PORT" in os.environ:  # under spark-submit: its options rule
        return dict(_COMMON_SETTINGS)
    master = master or DEFAULT_MASTER
    local = master.startswith("local")
    named = {"spark.master": master, "spark.app.name": "tensions"}
    return {**named, **_COMMON_SETTINGS, **(_LOCAL_SETTINGS if local else {})}


def get_spark(master: str | None = None) -> SparkSession:
    """The active Spark session, or a new one built with :func:`spark_settings`.

    An active session (the ``spark`` of a Databricks notebook, one started by ``spark-submit`` or
    ``pyspark``) is returned as it is, whatever ``master`` says.

    Args:
        master: the master URL of a new session (see :func:`spark_settings`).

    Returns:
        A ``pyspark.sql.SparkSession``.
    """
    from pyspark.sql import SparkSession

    active = SparkSession.getActiveSession()
    if active is not None:
        return active
    return SparkSession.builder.config(map=spark_settings(master)).getOrCreate()


def score_dyads_spark(
    source: str | Path | pd.DataFrame | DataFrame,
    half_life_days: float = 30.0,
    confidence_weights: Mapping[str, float] | None = None,
    k: float = K_DEFAULT,
    spark: SparkSession | None = None,
) -> pd.DataFrame:
    """Daily pair scores from events in Parquet (or a DataFrame), aggregated by Spark.

    Args:
        source: a Parquet file, folder or glob (local, ``hdfs://``, ``s3://``...) written by
            ``python -m tensions ingest``, a pandas events DataFrame, or a Spark DataFrame; it needs
            ``date``, ``actor``, ``target``, ``goldstein`` and ``confidence``.
        half_life_days: the half-life.
        confidence_weights: overrides of the confidence weights.
        k: scale of the index.
        spark: the session to use (by default the Spark DataFrame's own, else :func:`get_spark`).

    Returns:
        The same columns as ``score_dyads`` (undirected pairs, daily, from the first to the last event day).
    """
    weights = {**CONFIDENCE_WEIGHTS, **(confidence_weights or {})}
    session = _session_for(source, spark)
    parquet = isinstance(source, (str, os.PathLike))
    with _session_conf(session, {**_CALL_SETTINGS, **(_PARQUET_SETTINGS if parquet else {})}):
        events = _load_events(source, session)
        daily = _collect(_daily_sums(events, weights))
    daily["day"] = pd.to_datetime(daily["day"].astype("int64"), unit="D")
    return scores_from_daily(daily, half_life_days=half_life_days, k=k)


def _session_for(source: object, spark: SparkSession | None) -> SparkSession:
    if isinstance(source, (pd.DataFrame, str, os.PathLike)):
        return spark or get_spark()
    if hasattr(source, "sparkSession"):
        return source.sparkSession
    raise TypeError(
        f"source must be a Parquet path, a pandas or a Spark DataFrame, got {type(source).__name__}"
    )


@contextmanager
def _session_conf(spark: SparkSession, settings: Mapping[str, str]) -> Iterator[None]:
    """Set runtime settings of ``spark`` for the duration of a block, then restore them."""
    before = {key: spark.conf.get(key, None) for key in settings}
    for key, value in settings.items():
        spark.conf.set(key, value)
    try:
        yield
    finally:
        for key, value in before.items():
            if value is None:
                spark.conf.unset(key)
            else:
                spark.conf.set(key, value)


def _load_events(source: str | Path | pd.DataFrame | DataFrame, spark: SparkSession) -> DataFrame:
    """The events as a Spark DataFrame with ``day`` (days since 1970-01-01) and the columns scored."""
    if isinstance(source, pd.DataFrame):
        return _with_day(_from_pandas(source, spark), nanos=False)
    if isinstance(source, (str, os.PathLike)):
        return _with_day(spark.read.parquet(os.fspath(source)), nanos=True)
    return _with_day(source, nanos=False)


def _from_pandas(events: pd.DataFrame, spark: SparkSession) -> DataFrame:
    """A Spark DataFrame of the events, with the dates as calendar days (no time zone involved)."""
    _check_columns(events.columns)
    frame = pd.DataFrame(
        {
            "date": pd.to_datetime(events["date"]).dt.date,
            "actor": events["actor"].astype(object),
            "target": events["target"].astype(object),
            "goldstein": pd.to_numeric(events["goldstein"]).astype("float64"),
            "confidence": events["confidence"].astype(str).astype(object),
        }
    )
    schema = "date DATE, actor STRING, target STRING, goldstein DOUBLE, confidence STRING"
    return spark.createDataFrame(frame, schema=schema)


def _check_columns(columns: list[str] | pd.Index) -> None:
    missing = [c for c in _EVENT_COLUMNS if c not in set(columns)]
    if missing:
        raise ValueError(f"events lack the column(s) {', '.join(missing)}")


def _daily_sums(events: DataFrame, weights: Mapping[str, float]) -> DataFrame:
    """Per pair and day: ``push`` (sum of ``c * (-goldstein)``) and ``n`` (the number of events)."""
    from pyspark.sql import functions as F

    actor, target = F.col("actor").cast("string"), F.col("target").cast("string")
    pair = F.concat(F.least(actor, target), F.lit("-"), F.greatest(actor, target))
    push = _confidence_weight(weights) * -F.col("goldstein").cast("double")
    return (
        events.select(pair.alias("pair"), "day", push.alias("push"))
        .groupBy("pair", "day")
        .agg(F.sum("push").alias("push"), F.count(F.lit(1)).alias("n"))
    )


def _collect(frame: DataFrame) -> pd.DataFrame:
    """Bring a small Spark DataFrame to the driver as pandas, through Arrow when the Spark version has it."""
    if hasattr(frame, "toArrow"):  # Spark 4: no pandas conversion inside PySpark
        return frame.toArrow().to_pandas()
    return frame.toPandas()


def _confidence_weight(weights: Mapping[str, float]) -> Column:
    """``CASE confidence WHEN level THEN weight ... END``: NULL for an unknown level, as in DuckDB."""
    from pyspark.sql import functions as F

    confidence = F.col("confidence").cast("string")
    items = iter(weights.items())
    name, weight = next(items)
    column = F.when(confidence == name, F.lit(float(weight)))
    for name, weight in items:
        column = column.when(confidence == name, F.lit(float(weight)))
    return column


def _with_day(events: DataFrame, nanos: bool) -> DataFrame:
    """Add ``day``, the days since 1970-01-01 of ``date`` (a date, a timestamp or an ISO date string).

    With ``nanos``, an integer ``date`` holds nanoseconds since the epoch: a Parquet timestamp in
    nanoseconds read with ``spark.sql.legacy.parquet.nanosAsLong``.
    """
    from pyspark.sql import functions as F
    from pyspark.sql.types import IntegralType, LongType

    _check_columns(events.columns)
    kind = events.schema["date"].dataType
    if nanos and isinstance(kind, LongType):
        day = F.expr(f"(`date` - pmod(`date`, {_NS_PER_DAY})) div {_NS_PER_DAY}")
    elif isinstance(kind, IntegralType):
        raise TypeError(f"the date column must be a date, a timestamp or an ISO date string, not {kind}")
    else:
        day = F.unix_date(F.to_date(F.col("date")))
    return events.select(day.alias("day"), *_EVENT_COLUMNS[1:])
