"""The data dictionary and the schemas of every curated table.

The dictionary lives here, next to the checks, so the two cannot drift apart: the README's data
dictionary is generated from :data:`EVENT_FIELDS` and friends (``make docs``).

Validation works in two stages. First every file is read as text and checked column by column with
pandera (format, allowed values, ranges), then cross-table rules are checked (country codes that exist,
sources that exist, CAMEO codes and Goldstein weights that agree with the reference tables). Every
problem is reported with its file, line, column and reason; nothing is dropped.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field

import pandas as pd

with warnings.catch_warnings():  # pandera probes optional backends; PySpark warns about pandas 3 on import
    warnings.filterwarnings("ignore", message="PySpark does not yet fully support", category=FutureWarning)
    import pandera.pandas as pa

#: Controlled vocabulary for ``events.themes``.
THEMES: tuple[str, ...] = (
    "aviation",
    "culture",
    "diplomacy",
    "economy",
    "energy",
    "history",
    "humanitarian",
    "integration",
    "justice",
    "media",
    "migration",
    "military",
    "politics",
    "security",
    "trade",
    "transport",
)

DATE_PRECISIONS: tuple[str, ...] = ("day", "month", "year")
CONFIDENCE_LEVELS: tuple[str, ...] = ("confirmed", "reported", "alleged")
#: Where an event comes from: the curated dataset, the analyst's own events, or machine-coded data.
ORIGINS: tuple[str, ...] = ("curated", "own", "machine-coded")
MEMBERSHIPS: tuple[str, ...] = ("CSTO", "EAEU", "CIS", "OTS", "OTS-observer", "SCO", "NATO", "EU", "GUAM")

#: Longest evidence quote accepted, in words ("at most ~15 words").
MAX_EVIDENCE_WORDS = 18
MAX_TITLE_CHARS = 80

_ISO_DATE = r"^\d{4}-\d{2}-\d{2}$"


@dataclass(frozen=True)
class Field:
    """One column of a curated table: its name, type, whether it may be empty, its meaning and checks.

    ``dtype`` is one of ``string``, ``date``, ``int``, ``float`` or ``category``; a ``category`` field lists its
    allowed values, in order, in ``categories``.
    """

    name: str
    dtype: str
    required: bool
    description: str
    checks: tuple[pa.Check, ...] = field(default_factory=tuple)
    categories: tuple[str, ...] = ()


def _valid_iso_date(series: pd.Series) -> pd.Series:
    parsed = pd.to_datetime(series, format="%Y-%m-%d", errors="coerce")
    return parsed.notna()


def _split_ok(allowed: tuple[str, ...]):
    def check(series: pd.Series) -> pd.Series:
        return series.map(lambda s: all(part.strip() in allowed for part in str(s).split(";")))

    return check


_DATE_CHECKS = (
    pa.Check.str_matches(_ISO_DATE, error="must be an ISO date YYYY-MM-DD"),
    pa.Check(_valid_iso_date, element_wise=False, error="is not a calendar date"),
)

EVENT_FIELDS: tuple[Field, ...] = (
    Field(
        "event_id",
        "string",
        True,
        "Stable unique id of the event, `EV-NNNN` (the analyst's own events: `OWN-NNNN`).",
        (pa.Check.str_matches(r"^(EV|OWN)-\d{4}$", error="must look like EV-0001 (or OWN-0001)"),),
    ),
    Field(
        "date",
        "date",
        True,
        "ISO date `YYYY-MM-DD`; the first day of the period when the date is imprecise.",
        _DATE_CHECKS,
    ),
    Field(
        "date_precision",
        "category",
        True,
        "How precise `date` is: `day`, `month` or `year`.",
        (pa.Check.isin(DATE_PRECISIONS, error=f"must be one of {', '.join(DATE_PRECISIONS)}"),),
        categories=DATE_PRECISIONS,
    ),
    Field(
        "end_date",
        "date",
        False,
        "Last day of a multi-day event; for a month/year-precision date, the last day of the window the "
        "event happened in, which may narrow or extend the period (optional).",
        _DATE_CHECKS,
    ),
    Field(
        "actor",
        "string",
        True,
        "ISO 3166 alpha-3 code of the state that acts (ISO 3166-3 `SUN` for the USSR).",
        (pa.Check.str_matches(r"^[A-Z]{3}$", error="must be an ISO 3166 alpha-3 code"),),
    ),
    Field(
        "target",
        "string",
        True,
        "ISO 3166 alpha-3 code of the state acted upon.",
        (pa.Check.str_matches(r"^[A-Z]{3}$", error="must be an ISO 3166 alpha-3 code"),),
    ),
    Field("actor_detail", "string", False, "Who exactly acts, e.g. `Russian air defence (Pantsir-S1)`."),
    Field("target_detail", "string", False, "Who exactly is acted upon, e.g. `Azerbaijan Airlines`."),
    Field(
        "cameo_code",
        "string",
        True,
        "CAMEO event code as a zero-padded string (`036`, `0874`).",
        (pa.Check.str_matches(r"^\d{2,4}$", error="must be a CAMEO code of 2 to 4 digits"),),
    ),
    Field(
        "quad_class",
        "int",
        True,
        "Quad class 1-4 (verbal/material cooperation/conflict), CAMEO convention.",
        (pa.Check.str_matches(r"^[1-4]$", error="must be 1, 2, 3 or 4"),),
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
                _split_ok(THEMES),
                element_wise=False,
                error=f"has a theme outside the vocabulary ({', '.join(THEMES)})",
            ),
        ),
    ),
    Field("location", "string", False, "Where the event happened (place, country)."),
    Field(
        "latitude",
        "float",
        False,
        "Latitude of `location` in decimal degrees.",
        (
            pa.Check(
                lambda s: pd.to_numeric(s, errors="coerce").between(-90, 90),
                error="must be a number in [-90, 90]",
            ),
        ),
    ),
    Field(
        "longitude",
        "float",
        False,
        "Longitude of `location` in decimal degrees.",
        (
            pa.Check(
                lambda s: pd.to_numeric(s, errors="coerce").between(-180, 180),
                error="must be a number in [-180, 180]",
            ),
        ),
    ),
    Field(
        "confidence",
        "category",
        True,
        "`confirmed`, `reported` or `alleged`.",
        (pa.Check.isin(CONFIDENCE_LEVELS, error=f"must be one of {', '.join(CONFIDENCE_LEVELS)}"),),
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
        (pa.Check.str_matches(r"^GR-\d{2,}$", error="must look like GR-01"),),
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
        (pa.Check.str_matches(r"^(S\d{3}|OWN-S\d{4})$", error="must look like S001 (or OWN-S0001)"),),
    ),
    Field("file", "string", True, "File name of the article in the seed collection."),
    Field("title", "string", True, "Title of the article."),
    Field("publisher", "string", True, "Publisher (or `unknown`)."),
    Field("author", "string", False, "Author(s), when stated."),
    Field("published", "date", False, "Publication date, when known.", _DATE_CHECKS),
    Field(
        "url",
        "string",
        False,
        "Address of the article, when known.",
        (pa.Check.str_matches(r"^https?://", error="must be an http(s) address"),),
    ),
    Field("notes", "string", False, "Licence, known date mistakes and other caveats."),
)

COUNTRY_FIELDS: tuple[Field, ...] = (
    Field(
        "iso3",
        "string",
        True,
        "ISO 3166 alpha-3 code (ISO 3166-3 for former states).",
        (pa.Check.str_matches(r"^[A-Z]{3}$", error="must be an ISO 3166 alpha-3 code"),),
    ),
    Field("name", "string", True, "Short name."),
    Field("capital", "string", True, "Capital city."),
    Field(
        "capital_lat",
        "float",
        True,
        "Latitude of the capital.",
        (
            pa.Check(
                lambda s: pd.to_numeric(s, errors="coerce").between(-90, 90),
                error="must be a number in [-90, 90]",
            ),
        ),
    ),
    Field(
        "capital_lon",
        "float",
        True,
        "Longitude of the capital.",
        (
            pa.Check(
                lambda s: pd.to_numeric(s, errors="coerce").between(-180, 180),
                error="must be a number in [-180, 180]",
            ),
        ),
    ),
    Field(
        "memberships",
        "string",
        False,
        "`;`-separated memberships: " + ", ".join(MEMBERSHIPS) + ".",
        (pa.Check(_split_ok(MEMBERSHIPS), element_wise=False, error="has an unknown membership"),),
    ),
    Field("notes", "string", False, "Caveats (e.g. frozen or partial membership)."),
)

ERA_FIELDS: tuple[Field, ...] = (
    Field(
        "era_id",
        "string",
        True,
        "Stable id in kebab case.",
        (pa.Check.str_matches(r"^[a-z0-9-]+$", error="must be kebab-case"),),
    ),
    Field("name", "string", True, "Name shown on charts."),
    Field("start", "date", True, "First day of the era.", _DATE_CHECKS),
    Field("end", "date", True, "Last day of the era.", _DATE_CHECKS),
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
        f.name: pa.Column(str, checks=list(f.checks), nullable=not f.required, required=True) for f in fields
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

#: The pandas dtype of each field type. Dates are calendar days held as microsecond timestamps with no time
#: zone: the resolution pandas gives parsed ISO dates, and the one the ingested Parquet files are written in.
_PANDAS_TYPES = {"string": "string", "date": "datetime64[us]", "int": "int64", "float": "float64"}


class EventSchemaError(ValueError):
    """An event table does not have the columns, dtypes or values of the event schema."""


def field_dtype(f: Field) -> object:
    """The pandas dtype of one field.

    >>> field_dtype(EVENT_FIELDS[1])
    dtype('<M8[us]')
    >>> list(field_dtype(EVENT_DERIVED_FIELDS[1]).categories)
    ['curated', 'own', 'machine-coded']
    """
    if f.dtype == "category":
        return pd.CategoricalDtype(list(f.categories))
    return pd.api.types.pandas_dtype(_PANDAS_TYPES[f.dtype])


def _event_fields() -> tuple[Field, ...]:
    """The event table's fields, read when called (so a field added to :data:`EVENT_FIELDS` is seen)."""
    return (*EVENT_FIELDS, *EVENT_DERIVED_FIELDS)


def event_dtypes() -> dict[str, object]:
    """The pandas dtype of every event column, in table order: the file's fields, then ``pair`` and ``origin``.

    Both :func:`tensions.data.load_events` and :func:`tensions.ingest.read_events` type their events with this.

    >>> dtypes = event_dtypes()
    >>> str(dtypes["date"]), str(dtypes["quad_class"]), list(dtypes)[-2:]
    ('datetime64[us]', 'int64', ['pair', 'origin'])
    """
    return {f.name: field_dtype(f) for f in _event_fields()}


def _coerce(series: pd.Series, f: Field) -> pd.Series:
    dtype = field_dtype(f)
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
    for f in _event_fields():
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
        for f in _event_fields()
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
