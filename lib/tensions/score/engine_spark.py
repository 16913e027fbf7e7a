"""Pair scores with Spark: the sums table of ``score_dyads_duckdb`` built on a cluster (or in local mode).

Spark sums each pair's ``m * max(-g, 0)`` and ``m * max(g, 0)`` per day, precision, end day and confidence
level (the SQL expressions of :mod:`tensions.score.sql`); only that small table is collected to the driver,
where :func:`tensions.score.kernel.score_pushes` weighs, places, decays and indexes it with the same code
as the pandas and DuckDB engines. The result equals ``tensions.score_dyads`` with the same settings.

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

from tensions import reference
from tensions.schema import event_columns, event_fields, event_spark_ddl, require_columns
from tensions.score.kernel import score_sums
from tensions.score.settings import ScoreRequest, ScoreSettings, resolve_call
from tensions.score.sql import column_name, key_sql, sides_sql

if TYPE_CHECKING:
    from pyspark.sql import Column, DataFrame, SparkSession

#: Environment variable with the Spark master URL used when :func:`get_spark` gets none.
MASTER_ENV: str = "TENSIONS_SPARK_MASTER"
#: Master used when neither the argument nor :data:`MASTER_ENV` names one.
DEFAULT_MASTER: str = "local[2]"

#: The event columns the engine needs, and those it uses when present (with ``goldstein`` or ``cameo_code``).
_EVENT_COLUMNS = event_columns(["date", "actor", "target", "confidence"])
_OPTIONAL_COLUMNS = event_columns(["goldstein", "end_date", "date_precision", "cameo_code"])
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
    *,
    request: ScoreRequest | None = None,
    settings: ScoreSettings | None = None,
    spark: SparkSession | None = None,
    **options,
) -> pd.DataFrame:
    """Pair scores from events in Parquet (or a DataFrame), aggregated by Spark.

    Args:
        source: a Parquet file, folder or glob (local, ``hdfs://``, ``s3://``...) written by
            ``python -m tensions ingest``, a pandas events DataFrame, or a Spark DataFrame; it needs
            ``date``, ``actor``, ``target``, ``confidence`` and ``goldstein`` (or ``cameo_code`` with a
            ``goldstein_table``); ``date_precision`` and ``end_date`` are used when present.
        request: what is reported, as for ``score_dyads_duckdb``.
        settings: the ``ScoreSettings`` to start from; all of them are honoured.
        spark: the session to use (by default the Spark DataFrame's own, else :func:`get_spark`).
        **options: request fields or setting overrides, as for ``score_dyads_duckdb``.

    Returns:
        The same table as ``score_dyads`` with the same settings, ``attrs["settings"]`` included.
    """
    s, asked = resolve_call(settings, request, **options)
    session = _session_for(source, spark)
    parquet = isinstance(source, (str, os.PathLike))
    with _session_conf(session, {**_CALL_SETTINGS, **(_PARQUET_SETTINGS if parquet else {})}):
        events = _load_events(source, session, s)
        sums = _collect(_daily_sums(events, s, session))
    sums["date"] = pd.to_datetime(sums["day"].astype("int64"), unit="D")
    sums["end_date"] = pd.to_datetime(sums["end_day"].astype("Int64"), unit="D")
    return score_sums(sums, s, asked)


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


def _load_events(
    source: str | Path | pd.DataFrame | DataFrame, spark: SparkSession, s: ScoreSettings
) -> DataFrame:
    """Return the events as a Spark DataFrame of the columns the sums need.

    The columns: ``key``, ``day`` and ``end_day`` (days since 1970-01-01), ``date_precision``,
    ``confidence``, ``g`` (the Goldstein weight) and ``m`` (the importance).
    """
    if isinstance(source, pd.DataFrame):
        return _scored_columns(_from_pandas(source, spark, s), False, s, spark)
    if isinstance(source, (str, os.PathLike)):
        return _scored_columns(spark.read.parquet(os.fspath(source)), True, s, spark)
    return _scored_columns(source, False, s, spark)


def _from_pandas(events: pd.DataFrame, spark: SparkSession, s: ScoreSettings) -> DataFrame:
    """Return a Spark DataFrame of the events, with the dates as calendar days (no time zone involved)."""
    frame, ddl = spark_frame(events, s)
    return spark.createDataFrame(frame, schema=ddl)


def spark_frame(events: pd.DataFrame, s: ScoreSettings) -> tuple[pd.DataFrame, str]:
    """Return the columns of ``events`` the Spark engine reads, as plain Python values, and their Spark schema.

    The schema is the event table's (:func:`tensions.schema.event_spark_ddl`) restricted to these columns,
    plus the importance column (``DOUBLE``) when the settings name one.

    >>> ev = pd.DataFrame({"date": pd.to_datetime(["2024-05-01"]), "actor": ["RUS"], "target": ["AZE"],
    ...                    "confidence": ["confirmed"], "goldstein": [-2.0]})
    >>> spark_frame(ev, ScoreSettings())[1]
    '`date` DATE, `actor` STRING, `target` STRING, `confidence` STRING, `goldstein` DOUBLE'
    """
    _check_columns(events.columns, s)
    names = [*_EVENT_COLUMNS, *(name for name in _OPTIONAL_COLUMNS if name in events)]
    frame = {f.name: _plain_values(events[f.name], f.dtype) for f in event_fields(names)}
    ddl = event_spark_ddl(names)
    if s.importance_column:
        frame[s.importance_column] = _plain_values(
            pd.to_numeric(events[s.importance_column], errors="coerce"), "float"
        )
        ddl += f", {column_name(s.importance_column)} DOUBLE"
    return pd.DataFrame(frame), ddl


def _plain_values(values: pd.Series, kind: str) -> pd.Series:
    """Return a column as Spark's Arrow-less conversion wants it: dates as ``datetime.date``, gaps as None."""
    if kind == "date":
        days = pd.to_datetime(values)
        return days.dt.date.where(days.notna(), None).astype(object)
    if kind in ("int", "float"):
        return pd.to_numeric(values).astype("float64" if kind == "float" else "int64")
    text = values.astype("string")
    return text.astype(object).where(text.notna(), None)


def _check_columns(columns: list[str] | pd.Index, s: ScoreSettings) -> None:
    wanted = [*_EVENT_COLUMNS, *(["goldstein"] if s.goldstein_table is None else ["cameo_code"])]
    if s.importance_column:
        wanted.append(column_name(s.importance_column))
    require_columns(columns, wanted)


def _scored_columns(events: DataFrame, nanos: bool, s: ScoreSettings, spark: SparkSession) -> DataFrame:
    from pyspark.sql import functions as sf

    _check_columns(events.columns, s)
    columns = set(events.columns)
    precision = sf.col("date_precision").cast("string") if "date_precision" in columns else sf.lit("day")
    end_day = _days(events, "end_date", nanos) if "end_date" in columns else sf.lit(None).cast("int")
    importance = sf.col(s.importance_column).cast("double") if s.importance_column else sf.lit(1.0)
    frame = events.select(
        sf.expr(key_sql(s)).alias("key"),
        _days(events, "date", nanos).alias("day"),
        end_day.alias("end_day"),
        sf.coalesce(precision, sf.lit("day")).alias("date_precision"),
        sf.col("confidence").cast("string").alias("confidence"),
        importance.alias("m"),
        *(
            [sf.col("goldstein").cast("double").alias("g")]
            if s.goldstein_table is None
            else [sf.col("cameo_code").cast("string").alias("cameo_code")]
        ),
    )
    if s.goldstein_table is not None:
        frame = _looked_up(frame, s, spark)
    if frame.filter(sf.col("g").isNull()).limit(1).count():
        raise ValueError("missing Goldstein weight for some event(s)")
    if s.importance_column and frame.filter(sf.col("m").isNull() | (sf.col("m") < 0)).limit(1).count():
        raise ValueError("importance must be a non-negative number for every event")
    return frame


def _looked_up(frame: DataFrame, s: ScoreSettings, spark: SparkSession) -> DataFrame:
    """Add ``g``, the chosen table's weight of each event's CAMEO code (or its root's, with the fallback)."""
    from pyspark.sql import functions as sf

    table = reference.load_goldstein_weights(s.goldstein_table)
    weights = spark.createDataFrame(
        pd.DataFrame({"code": table.index.astype(str), "weight": table.to_numpy("float64")}),
        schema="code STRING, weight DOUBLE",
    )
    exact = sf.broadcast(weights.withColumnRenamed("code", "cameo_code"))
    frame = frame.join(exact, on="cameo_code", how="left")
    if s.fallback_to_root:
        root = sf.broadcast(
            weights.select(sf.col("code").alias("root"), sf.col("weight").alias("root_weight"))
        )
        frame = frame.withColumn("root", sf.substring("cameo_code", 1, 2)).join(root, on="root", how="left")
        frame = frame.withColumn("weight", sf.coalesce("weight", "root_weight"))
    missing = [
        r[0]
        for r in frame.filter(sf.col("weight").isNull()).select("cameo_code").distinct().limit(10).collect()
    ]
    if missing:
        raise ValueError(
            f"the {s.goldstein_table} Goldstein table has no weight for code(s) {', '.join(map(str, missing))}; "
            "pass fallback_to_root=True to use the root code's weight"
        )
    return frame.withColumnRenamed("weight", "g")


def _daily_sums(events: DataFrame, s: ScoreSettings, spark: SparkSession) -> DataFrame:
    """The kernel's sums table: per pair, day, precision, end day and confidence level."""
    from pyspark.sql import functions as sf

    conflict, cooperative = sides_sql("g", "m")
    return events.groupBy("key", "day", "date_precision", "end_day", "confidence").agg(
        sf.sum(sf.expr(conflict)).alias("conflict"),
        sf.sum(sf.expr(cooperative)).alias("cooperative"),
        sf.count(sf.lit(1)).alias("n"),
    )


def _collect(frame: DataFrame) -> pd.DataFrame:
    """Bring a small Spark DataFrame to the driver as pandas, through Arrow when the Spark version has it."""
    if hasattr(frame, "toArrow"):  # Spark 4: no pandas conversion inside PySpark
        return frame.toArrow().to_pandas()
    return frame.toPandas()


def _days(events: DataFrame, name: str, nanos: bool) -> Column:
    """The days since 1970-01-01 of a column (a date, a timestamp or an ISO date string).

    With ``nanos``, an integer column holds nanoseconds since the epoch: a Parquet timestamp in
    nanoseconds read with ``spark.sql.legacy.parquet.nanosAsLong``.
    """
    from pyspark.sql import functions as sf
    from pyspark.sql.types import IntegralType, LongType

    kind = events.schema[name].dataType
    if nanos and isinstance(kind, LongType):
        return sf.expr(f"(`{name}` - pmod(`{name}`, {_NS_PER_DAY})) div {_NS_PER_DAY}")
    if isinstance(kind, IntegralType):
        raise TypeError(f"the {name} column must be a date, a timestamp or an ISO date string, not {kind}")
    return sf.unix_date(sf.to_date(sf.col(name)))
