"""The data dictionary and the schemas of every curated table.

The dictionary lives here, next to the checks, so the two cannot drift apart: the README's data
dictionary is generated from :data:`EVENT_FIELDS` and friends (``make docs``).

Validation works in two stages. First every file is read as text and checked column by column with
pandera (format, allowed values, ranges), then cross-table rules are checked (country codes that exist,
sources that exist, CAMEO codes and Goldstein weights that agree with the reference tables). Every
problem is reported with its file, line, column and reason; nothing is dropped.

The event table's columns are written once, in :data:`EVENT_FIELDS` (the file's) and
:data:`EVENT_DERIVED_FIELDS` (added by the loaders). Everything else is derived from them when called:
the pandas dtypes (:func:`event_dtypes`), the typed-event checks (:func:`validate_events`), the Arrow and
Parquet schema (:func:`event_arrow_schema`), the DuckDB types, column list and casts
(:func:`event_duckdb_types`, :func:`event_duckdb_columns`, :func:`event_duckdb_casts`) and the Spark
schema (:func:`event_spark_ddl`, :func:`event_spark_schema`).
Adding a column is one :class:`~tensions.fields.Field` in the list.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

import pandas as pd
import pyarrow

from tensions.checks_library import import_pandera
from tensions.fields import (
    DATE_CHECKS,
    Field,
    arrow_schema,
    between,
    duckdb_casts,
    duckdb_columns,
    duckdb_types,
    matches,
    spark_ddl,
    spark_schema,
    split_ok,
)
from tensions.names import suggest
from tensions.vocabulary import CONFIDENCE_LEVELS, DATE_PRECISIONS, MEMBERSHIPS, ORIGINS, THEMES

if TYPE_CHECKING:
    from pyspark.sql.types import StructType

pa = import_pandera()  # without the PySpark and hypothesis it probes for (see checks_library)

#: Longest evidence quote accepted, in words ("at most ~15 words").
MAX_EVIDENCE_WORDS = 18
MAX_TITLE_CHARS = 80


def _coordinate_fields(latitude: str, longitude: str, place: str, required: bool) -> tuple[Field, Field]:
    """The latitude and longitude fields of a place, in decimal degrees."""
    return (
        Field(latitude, "float", required, f"Latitude of {place} in decimal degrees.", between(-90, 90)),
        Field(longitude, "float", required, f"Longitude of {place} in decimal degrees.", between(-180, 180)),
    )


_ISO3 = matches(r"^[A-Z]{3}$", "must be an ISO 3166 alpha-3 code")

EVENT_FIELDS: tuple[Field, ...] = (
    Field(
        "event_id",
        "string",
        True,
        "Stable unique id of the event, `EV-NNNN` (the analyst's own events: `OWN-NNNN`).",
        matches(r"^(EV|OWN)-\d{4}$", "must look like EV-0001 (or OWN-0001)"),
    ),
    Field(
        "date",
        "date",
        True,
        "ISO date `YYYY-MM-DD`; the first day of the period when the date is imprecise.",
        DATE_CHECKS,
    ),
    Field(
        "date_precision",
        "category",
        True,
        "How precise `date` is: `day`, `month` or `year`.",
        categories=DATE_PRECISIONS,
    ),
    Field(
        "end_date",
        "date",
        False,
        "Last day of a multi-day event; for a month/year-precision date, the last day of the window the "
        "event happened in, which may narrow or extend the period (optional).",
        DATE_CHECKS,
    ),
    Field(
        "actor",
        "string",
        True,
        "ISO 3166 alpha-3 code of the state that acts (ISO 3166-3 `SUN` for the USSR).",
        _ISO3,
    ),
    Field("target", "string", True, "ISO 3166 alpha-3 code of the state acted upon.", _ISO3),
    Field("actor_detail", "string", False, "Who exactly acts, e.g. `Russian air defence (Pantsir-S1)`."),
    Field("target_detail", "string", False, "Who exactly is acted upon, e.g. `Azerbaijan Airlines`."),
    Field(
        "cameo_code",
        "string",
        True,
        "CAMEO event code as a zero-padded string (`036`, `0874`).",
        matches(r"^\d{2,4}$", "must be a CAMEO code of 2 to 4 digits"),
    ),
    Field(
        "quad_class",
        "int",
        True,
        "Quad class 1-4 (verbal/material cooperation/conflict), CAMEO convention.",
        matches(r"^[1-4]$", "must be 1, 2, 3 or 4"),
    ),
    Field(
        "goldstein",
        "float",
        True,
        "Goldstein weight (-10 conflict to +10 cooperation) from the GDELT table.",
        (
            pa.Check.str_matches(r"^-?\d+(\.\d+)?$", error="must be a number"),
            pa.Check(lambda s: pd.to_numeric(s, errors="coerce").abs() <= 10, error="must lie in [-10, 10]"),
        ),
    ),
    Field(
        "goldstein_note",
        "string",
        False,
        "Why `goldstein` differs from the reference weight (required then).",
    ),
    Field(
        "title",
        "string",
        True,
        f"Short title in our own words (at most {MAX_TITLE_CHARS} characters).",
        (pa.Check.str_length(1, MAX_TITLE_CHARS, error=f"must be 1 to {MAX_TITLE_CHARS} characters"),),
    ),
    Field("description", "string", True, "One to three sentences in our own words."),
    Field(
        "themes",
        "string",
        True,
        "`;`-separated themes from the controlled vocabulary `tensions.schema.THEMES`.",
        (
            pa.Check(
                split_ok(THEMES),
                element_wise=False,
                error=f"has a theme outside the vocabulary ({', '.join(THEMES)})",
            ),
        ),
    ),
    Field("location", "string", False, "Where the event happened (place, country)."),
    *_coordinate_fields("latitude", "longitude", "`location`", required=False),
    Field(
        "confidence",
        "category",
        True,
        "How sure the sources are: `confirmed`, `reported` or `alleged`.",
        categories=CONFIDENCE_LEVELS,
    ),
    Field(
        "source_ids",
        "string",
        True,
        "`;`-separated ids of `sources.csv` (the analyst's own sources: `OWN-SNNNN`).",
        (
            pa.Check.str_matches(
                r"^(S\d{3}|OWN-S\d{4})(;(S\d{3}|OWN-S\d{4}))*$",
                error="must be ;-separated source ids like S001 (or OWN-S0001)",
            ),
        ),
    ),
    Field(
        "evidence",
        "string",
        False,
        "Short quote from the first source (at most ~15 words) supporting the event.",
        (
            pa.Check(
                lambda s: s.str.split().str.len() <= MAX_EVIDENCE_WORDS,
                error=f"quote is longer than {MAX_EVIDENCE_WORDS} words",
            ),
        ),
    ),
    Field(
        "date_note",
        "string",
        False,
        "When the date is not stated exactly by the source: what it says and why "
        "the value differs (wrong date corrected, year inferred, day from public record).",
    ),
    Field(
        "group_id",
        "string",
        False,
        "Shared by the rows of one multilateral event split into pairs (`GR-NN`).",
        matches(r"^GR-\d{2,}$", "must look like GR-01"),
    ),
    Field(
        "notes", "string", False, "Anything else an analyst should know (e.g. a discrepancy between sources)."
    ),
)

#: Columns the loaders add after the file's columns (not stored in ``events.csv``).
EVENT_DERIVED_FIELDS: tuple[Field, ...] = (
    Field("pair", "string", True, "Canonical, alphabetical country pair of actor and target (`AZE-RUS`)."),
    Field(
        "origin",
        "category",
        True,
        "Where the event comes from: `curated`, `own` or `machine-coded`.",
        categories=ORIGINS,
    ),
)

SOURCE_FIELDS: tuple[Field, ...] = (
    Field(
        "source_id",
        "string",
        True,
        "Stable id `SNNN` (the analyst's own sources: `OWN-SNNNN`).",
        matches(r"^(S\d{3}|OWN-S\d{4})$", "must look like S001 (or OWN-S0001)"),
    ),
    Field("file", "string", True, "File name of the article in the seed collection."),
    Field("title", "string", True, "Title of the article."),
    Field("publisher", "string", True, "Publisher (or `unknown`)."),
    Field("author", "string", False, "Author(s), when stated."),
    Field("published", "date", False, "Publication date, when known.", DATE_CHECKS),
    Field(
        "url",
        "string",
        False,
        "Address of the article, when known.",
        matches(r"^https?://", "must be an http(s) address"),
    ),
    Field("notes", "string", False, "Licence, known date mistakes and other caveats."),
)

COUNTRY_FIELDS: tuple[Field, ...] = (
    Field("iso3", "string", True, "ISO 3166 alpha-3 code (ISO 3166-3 for former states).", _ISO3),
    Field("name", "string", True, "Short name."),
    Field("capital", "string", True, "Capital city."),
    *_coordinate_fields("capital_lat", "capital_lon", "the capital", required=True),
    Field(
        "memberships",
        "string",
        False,
        "`;`-separated memberships: " + ", ".join(MEMBERSHIPS) + ".",
        (pa.Check(split_ok(MEMBERSHIPS), element_wise=False, error="has an unknown membership"),),
    ),
    Field("notes", "string", False, "Caveats (e.g. frozen or partial membership)."),
)

ERA_FIELDS: tuple[Field, ...] = (
    Field(
        "era_id", "string", True, "Stable id in kebab case.", matches(r"^[a-z0-9-]+$", "must be kebab-case")
    ),
    Field("name", "string", True, "Name shown on charts."),
    Field("start", "date", True, "First day of the era.", DATE_CHECKS),
    Field("end", "date", True, "Last day of the era.", DATE_CHECKS),
    Field("description", "string", True, "One line in our own words."),
    Field(
        "pairs",
        "string",
        False,
        "`;`-separated canonical pairs (`AZE-RUS`) the era is about.",
        (
            pa.Check.str_matches(
                r"^[A-Z]{3}-[A-Z]{3}(;[A-Z]{3}-[A-Z]{3})*$", error="must be pairs like AZE-RUS"
            ),
        ),
    ),
)

TABLES: dict[str, tuple[Field, ...]] = {
    "events": EVENT_FIELDS,
    "sources": SOURCE_FIELDS,
    "countries": COUNTRY_FIELDS,
    "eras": ERA_FIELDS,
}


def build_text_schema(fields: tuple[Field, ...], name: str) -> pa.DataFrameSchema:
    """Build the pandera schema that checks a table read as text (before type conversion).

    Args:
        fields: the table's fields.
        name: table name used in error messages.

    Returns:
        A schema with one nullable string column per field; required fields may not be empty.

    >>> schema = build_text_schema(ERA_FIELDS, "eras")
    >>> list(schema.columns)[:3]
    ['era_id', 'name', 'start']
    """
    columns = {
        f.name: pa.Column(str, checks=list(f.text_checks()), nullable=not f.required, required=True)
        for f in fields
    }
    return pa.DataFrameSchema(columns, name=name, strict=False, ordered=False)


def data_dictionary() -> pd.DataFrame:
    """Return the data dictionary of every curated table as one DataFrame.

    >>> dd = data_dictionary()
    >>> dd.loc[dd["column"] == "cameo_code", "table"].item()
    'events'
    """
    rows = [
        {
            "table": table,
            "column": f.name,
            "type": f.dtype,
            "required": f.required,
            "description": f.description,
        }
        for table, fields in TABLES.items()
        for f in fields
    ]
    return pd.DataFrame(rows)


def render_data_dictionary_markdown() -> str:
    """Render the data dictionary as Markdown (one table per file), for ``docs/data-dictionary.md``."""
    parts = [
        "# Data dictionary",
        "",
        "Generated from `lib/tensions/schema.py` by `make docs`; do not edit by hand.",
        "",
    ]
    for table, fields in TABLES.items():
        parts += [f"## `data/{table}.csv`", "", "| column | type | required | meaning |", "|---|---|---|---|"]
        for f in fields:
            desc = f.description.replace("|", "\\|")
            parts.append(f"| `{f.name}` | {f.dtype} | {'yes' if f.required else 'no'} | {desc} |")
        parts.append("")
    return "\n".join(parts)


# ------------------------------------------------------------------------------------------ typed events


class EventSchemaError(ValueError):
    """An event table does not have the columns, dtypes or values of the event schema."""


def field_dtype(f: Field) -> object:
    """Return the pandas dtype of one field (see :meth:`Field.pandas_dtype`).

    >>> field_dtype(EVENT_FIELDS[1])
    dtype('<M8[us]')
    >>> list(field_dtype(EVENT_DERIVED_FIELDS[1]).categories)
    ['curated', 'own', 'machine-coded']
    """
    return f.pandas_dtype()


def event_fields(names: Iterable[str] | None = None) -> tuple[Field, ...]:
    """Return the event table's fields: the file's (:data:`EVENT_FIELDS`), then the derived ones.

    The lists are read when called, so a field added to :data:`EVENT_FIELDS` is seen by every schema
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
    fields = (*EVENT_FIELDS, *EVENT_DERIVED_FIELDS)
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
    tensions.schema.EventSchemaError: events lack the column(s) actor
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

    The fields of :data:`EVENT_FIELDS` come first, in its order (an optional field the table lacks is added
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
    missing = [f.name for f in EVENT_FIELDS if f.required and f.name not in frame.columns]
    if missing:
        raise EventSchemaError(f"events lack required column(s) {', '.join(missing)}")
    columns: dict[str, pd.Series] = {}
    for f in event_fields():
        if f.name in frame.columns:
            columns[f.name] = _coerce(frame[f.name], f)
        elif f in EVENT_FIELDS:
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
