"""The data dictionary: the field lists of every curated table, and the text checks built from them.

The dictionary lives in code, next to the checks, so the two cannot drift apart: the README's data
dictionary is generated from :data:`EVENT_FIELDS` and friends (``make docs``).

The event table's columns are written once, in :data:`EVENT_FIELDS` (the file's) and
:data:`EVENT_DERIVED_FIELDS` (added by the loaders); :mod:`tensions.schema.events` derives the pandas,
Arrow, DuckDB and Spark forms of the event table from them when called. Adding a column is one
:class:`~tensions.fields.Field` in the list.
"""

from __future__ import annotations

import pandas as pd

from tensions.checks_library import import_pandera
from tensions.fields import (
    DATE_CHECKS,
    Field,
    between,
    list_of,
    listed_in,
    matches,
)
from tensions.vocabulary import CONFIDENCE_LEVELS, DATE_PRECISIONS, MEMBERSHIPS, ORIGINS, THEMES

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


#: A source id: ``S001`` (the curated sources) or ``OWN-S0001`` (the analyst's own).
_SOURCE_ID = r"(S\d{3}|OWN-S\d{4})"


def _country_code_field(name: str, meaning: str) -> Field:
    """A required column holding an ISO 3166 alpha-3 country code; ``meaning`` ends its description."""
    check = matches(r"^[A-Z]{3}$", "must be an ISO 3166 alpha-3 code")
    return Field(name, "string", True, f"ISO 3166 alpha-3 code {meaning}.", check)


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
    _country_code_field("actor", "of the state that acts (ISO 3166-3 `SUN` for the USSR)"),
    _country_code_field("target", "of the state acted upon"),
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
        listed_in(THEMES, f"has a theme outside the vocabulary ({', '.join(THEMES)})"),
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
        list_of(_SOURCE_ID, "must be ;-separated source ids like S001 (or OWN-S0001)"),
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
        matches(rf"^{_SOURCE_ID}$", "must look like S001 (or OWN-S0001)"),
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
    _country_code_field("iso3", "(ISO 3166-3 for former states)"),
    Field("name", "string", True, "Short name."),
    Field("capital", "string", True, "Capital city."),
    *_coordinate_fields("capital_lat", "capital_lon", "the capital", required=True),
    Field(
        "memberships",
        "string",
        False,
        "`;`-separated memberships: " + ", ".join(MEMBERSHIPS) + ".",
        listed_in(MEMBERSHIPS, "has an unknown membership"),
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
        list_of("[A-Z]{3}-[A-Z]{3}", "must be pairs like AZE-RUS"),
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
        "Generated from `lib/tensions/schema/dictionary.py` by `make docs`; do not edit by hand.",
        "",
    ]
    for table, fields in TABLES.items():
        parts += [f"## `data/{table}.csv`", "", "| column | type | required | meaning |", "|---|---|---|---|"]
        for f in fields:
            desc = f.description.replace("|", "\\|")
            parts.append(f"| `{f.name}` | {f.dtype} | {'yes' if f.required else 'no'} | {desc} |")
        parts.append("")
    return "\n".join(parts)
