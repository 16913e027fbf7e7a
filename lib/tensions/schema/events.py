"""The event table in every engine's terms, and the checks of typed events.

Everything here is derived, when called, from the field lists of :mod:`tensions.schema.dictionary`
(:data:`~tensions.schema.dictionary.EVENT_FIELDS`, then
:data:`~tensions.schema.dictionary.EVENT_DERIVED_FIELDS`): the pandas dtypes (:func:`event_dtypes`), the
Arrow and Parquet schema (:func:`event_arrow_schema`), the DuckDB types, column list and casts
(:func:`event_duckdb_types`, :func:`event_duckdb_columns`, :func:`event_duckdb_casts`), the Spark schema
(:func:`event_spark_ddl`, :func:`event_spark_schema`), the typing of loaded events (:func:`coerce_events`)
and their checks (:func:`validate_events`).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

import pandas as pd
import pyarrow

from tensions.checks_library import import_pandera
from tensions.fields import (
    Field,
    arrow_schema,
    duckdb_casts,
    duckdb_columns,
    duckdb_types,
    spark_ddl,
    spark_schema,
)
from tensions.names import suggest
from tensions.schema import dictionary

if TYPE_CHECKING:
    from pyspark.sql.types import StructType

pa = import_pandera()  # without the PySpark and hypothesis it probes for (see checks_library)


class EventSchemaError(ValueError):
    """An event table does not have the columns, dtypes or values of the event schema."""


def field_dtype(f: Field) -> object:
    """Return the pandas dtype of one field (see :meth:`Field.pandas_dtype`).

    >>> field_dtype(dictionary.EVENT_FIELDS[1])
    dtype('<M8[us]')
    >>> list(field_dtype(dictionary.EVENT_DERIVED_FIELDS[1]).categories)
    ['curated', 'own', 'machine-coded']
    """
    return f.pandas_dtype()


def event_fields(names: Iterable[str] | None = None) -> tuple[Field, ...]:
    """Return the event table's fields: the file's (``dictionary.EVENT_FIELDS``), then the derived ones.

    The lists are read when called, so a field added to ``dictionary.EVENT_FIELDS`` is seen by every schema
    derived from them.

    Args:
        names: only these fields, in this order (default: every field, in table order).

    Returns:
        The fields.

    Raises:
        EventSchemaError: a name is not an event field (the message names the closest ones).

    >>> [f.dtype for f in event_fields(["date", "pair"])]
    ['date', 'string']
    """
    fields = (*dictionary.EVENT_FIELDS, *dictionary.EVENT_DERIVED_FIELDS)
    if names is None:
        return fields
    by_name = {f.name: f for f in fields}
    unknown = [name for name in names if name not in by_name]
    if unknown:
        raise EventSchemaError(f"no event field {unknown[0]!r}; {suggest(unknown[0], by_name)}")
    return tuple(by_name[name] for name in names)


def event_columns(names: Iterable[str] | None = None) -> tuple[str, ...]:
    """Return the names of the event fields, checked against the field list (see :func:`event_fields`).

    Modules that need some event columns name them through this, so a renamed field fails loudly.

    >>> event_columns(["actor", "target"])
    ('actor', 'target')
    """
    return tuple(f.name for f in event_fields(names))


def event_dtypes() -> dict[str, object]:
    """Return the pandas dtype of every event column, in table order: the file's fields, then the derived ones.

    Both :func:`tensions.data.load_events` and :func:`tensions.ingest.read_events` type their events with this.

    >>> dtypes = event_dtypes()
    >>> str(dtypes["date"]), str(dtypes["quad_class"]), list(dtypes)[-2:]
    ('datetime64[us]', 'int64', ['pair', 'origin'])
    """
    return {f.name: f.pandas_dtype() for f in event_fields()}


def event_arrow_schema(names: Iterable[str] | None = None) -> pyarrow.Schema:
    """Return the Arrow schema of the event table, the one its Parquet files are written with.

    Args:
        names: only these fields, in this order (default: every field).

    Returns:
        A ``pyarrow.Schema``: text, ``timestamp[us]`` dates, ``int64`` and ``double`` numbers.

    >>> event_arrow_schema(["event_id", "date", "quad_class"]).types
    [DataType(string), TimestampType(timestamp[us]), DataType(int64)]
    """
    return arrow_schema(event_fields(names))


def event_parquet_schema() -> pyarrow.Schema:
    """Return the Arrow schema of ingested events as stored in Parquet: the file's fields plus ``pair``.

    Read from the field list when called; ``origin`` is not stored (ingested events are machine-coded).

    >>> names = event_parquet_schema().names
    >>> names[0], names[-1], "origin" in names
    ('event_id', 'pair', False)
    """
    return event_arrow_schema([*(f.name for f in dictionary.EVENT_FIELDS), "pair"])


def event_duckdb_types(names: Iterable[str] | None = None) -> dict[str, str]:
    """Return the DuckDB SQL type of every event column (e.g. for ``read_csv(columns=...)`` or a cast).

    >>> event_duckdb_types(["date", "goldstein"])
    {'date': 'TIMESTAMP', 'goldstein': 'DOUBLE'}
    """
    return duckdb_types(event_fields(names))


def event_duckdb_columns(names: Iterable[str] | None = None) -> str:
    """Return the DuckDB column list of the event table, as in ``CREATE TABLE events (...)``.

    >>> event_duckdb_columns(["event_id", "date"])
    '"event_id" VARCHAR, "date" TIMESTAMP'
    """
    return duckdb_columns(event_fields(names))


def event_duckdb_casts(names: Iterable[str] | None = None, source: str = "") -> str:
    """Return a DuckDB select list casting the event columns to their types (an SQL view onto the events).

    Args:
        names: only these fields, in this order (default: every field).
        source: the relation or alias the columns come from, if any.

    >>> event_duckdb_casts(["date"])
    'CAST("date" AS TIMESTAMP) AS "date"'
    """
    return duckdb_casts(event_fields(names), source)


def event_spark_ddl(names: Iterable[str] | None = None) -> str:
    """Return the Spark schema of the event table as a DDL string (``spark.createDataFrame(..., schema=)``).

    >>> event_spark_ddl(["event_id", "date", "quad_class"])
    '`event_id` STRING, `date` DATE, `quad_class` BIGINT'
    """
    return spark_ddl(event_fields(names))


def event_spark_schema(names: Iterable[str] | None = None) -> StructType:
    """Return the Spark schema of the event table as a ``StructType`` (needs PySpark, not a running JVM).

    Fields are nullable: a required field is checked by the event schema, not by Spark.
    """
    return spark_schema(event_fields(names))


def require_columns(columns: Iterable[str], names: Iterable[str], prefix: str = "events lack") -> None:
    """Refuse a table that lacks some of the columns a function needs.

    Args:
        columns: the table's columns.
        names: the columns needed.
        prefix: the message's start, before ``the column(s) ...``.

    Raises:
        EventSchemaError: naming every missing column.

    >>> require_columns(["date"], ["date", "actor"])
    Traceback (most recent call last):
    ...
    tensions.schema.events.EventSchemaError: events lack the column(s) actor
    """
    present = set(columns)
    missing = [name for name in names if name not in present]
    if missing:
        raise EventSchemaError(f"{prefix} the column(s) {', '.join(missing)}")


def _coerce(series: pd.Series, f: Field) -> pd.Series:
    dtype = f.pandas_dtype()
    if f.dtype == "date":
        return pd.to_datetime(series, format="ISO8601").astype(dtype)
    if f.dtype in ("int", "float"):
        return pd.to_numeric(series).astype(dtype)
    if f.dtype == "category":
        unknown = sorted(set(series.dropna().astype(str)) - set(f.categories))
        if unknown:
            raise EventSchemaError(
                f"column {f.name!r} has value(s) {', '.join(map(repr, unknown[:5]))}: "
                f"must be one of {', '.join(f.categories)}"
            )
    return series.astype(dtype)


def coerce_events(frame: pd.DataFrame) -> pd.DataFrame:
    """Give an event table the columns, order and dtypes of :func:`event_dtypes`.

    The fields of ``dictionary.EVENT_FIELDS`` come first, in its order (an optional field the table lacks is added
    empty), then ``pair`` and ``origin`` when present, then any other column unchanged. Dates may be ISO text,
    :class:`datetime.date` objects or timestamps.

    Args:
        frame: the events, as text or already (partly) typed.

    Returns:
        A new frame; ``frame`` is not changed.

    Raises:
        EventSchemaError: a required field is missing, or a category column holds a value outside its categories.

    >>> raw = pd.DataFrame({"date": ["2024-05-01"], "confidence": ["reported"], "quad_class": ["4"]})
    >>> try:
    ...     coerce_events(raw)
    ... except EventSchemaError as exc:
    ...     print(str(exc).split(",")[0])
    events lack required column(s) event_id
    """
    missing = [f.name for f in dictionary.EVENT_FIELDS if f.required and f.name not in frame.columns]
    if missing:
        raise EventSchemaError(f"events lack required column(s) {', '.join(missing)}")
    columns: dict[str, pd.Series] = {}
    for f in event_fields():
        if f.name in frame.columns:
            columns[f.name] = _coerce(frame[f.name], f)
        elif f in dictionary.EVENT_FIELDS:
            columns[f.name] = _coerce(pd.Series([None] * len(frame), index=frame.index, dtype=object), f)
    rest = {c: frame[c] for c in frame.columns if c not in columns}
    return pd.DataFrame({**columns, **rest}, index=frame.index)


def build_typed_event_schema() -> pa.DataFrameSchema:
    """The pandera schema of typed events: required fields not empty, category values allowed.

    Column order and exact dtypes (pandera does not tell ``datetime64[ns]`` from ``datetime64[us]``) are checked
    by :func:`validate_events`.
    """
    columns = {
        f.name: pa.Column(
            checks=[pa.Check.isin(f.categories)] if f.categories else [],
            nullable=not f.required,
            required=False,
        )
        for f in event_fields()
    }
    return pa.DataFrameSchema(columns, name="events", strict=False)


def validate_events(frame: pd.DataFrame) -> pd.DataFrame:
    """Check typed events against the event schema and return them unchanged.

    Checks every column the schema knows: its dtype equals :func:`event_dtypes`, a required field has no empty
    cell, a category holds only its categories.

    Raises:
        EventSchemaError: listing every column that fails, with the reason.
    """
    expected = event_dtypes()
    problems = [
        f"column {name!r} has dtype {frame[name].dtype}, expected {dtype}"
        for name, dtype in expected.items()
        if name in frame.columns and frame[name].dtype != dtype
    ]
    try:
        build_typed_event_schema().validate(frame, lazy=True)
    except pa.errors.SchemaErrors as exc:
        cases = exc.failure_cases.drop_duplicates(["column", "check"])
        problems += [f"column {row.column!r}: {row.check}" for row in cases.itertuples(index=False)]
    if problems:
        raise EventSchemaError("events do not match the event schema:\n  - " + "\n  - ".join(problems))
    return frame
