"""The source formats as objects: layout check, SQL onto the shared columns, country codes, key fields.

Each format owns its layout check, its SQL view onto the shared columns, its country codes and the key fields
that find a rejected record again.

The contract between a format and the classifier is :data:`SOURCE_COLUMNS`: a format's :meth:`SourceFormat.source_sql`
selects exactly these columns (as SQL over DuckDB's reader), with DuckDB parameters in a dict. Adding a format is
one class here (or in :mod:`tensions.ingest.csv_formats`) and one entry in :func:`get_format`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from pathlib import Path

import pandas as pd

from tensions import paths
from tensions.ingest.files import first_line
from tensions.ingest.report import IngestError
from tensions.ingest.sqltext import quote_identifier, quote_literal

FORMATS = ("gdelt1", "gdelt2", "acled", "icews", "csv")
#: The earliest date each format can hold: GDELT 1.0 back-files start in 1979, ICEWS in 1995, ACLED in 1997;
#: a mapped CSV (an analyst's own table) may reach back further.
FIRST_DATES = {
    "gdelt1": date(1979, 1, 1),
    "gdelt2": date(1979, 1, 1),
    "icews": date(1995, 1, 1),
    "acled": date(1997, 1, 1),
    "csv": date(1800, 1, 1),
}
#: The columns every format's source SQL provides to the classifier, in order.
SOURCE_COLUMNS = (
    "rec_id",  # the event id as kept (``gdelt:123``)
    "date",
    "date_precision",
    "end_date",
    "date_note",
    "a1_code",  # the actor's country code (in the format's code list), or text naming what is unknown
    "a2_code",
    "cameo_code",
    "goldstein",
    "goldstein_note",
    "count_ok",  # FALSE if the record has the wrong number of fields
    "extra_reject",  # a format's own reason to reject the record, or NULL
    "extra_filter",  # a format's own reason to filter the record, or NULL
    "actor_detail",
    "target_detail",
    "location",
    "latitude",
    "longitude",
    "confidence",
    "note_a",  # text for the format's notes (:meth:`SourceFormat.notes_sql`)
    "note_b",
    "note_c",
    "raw_id",  # the id as written in the file
    "key_b",  # key fields that find a rejected record's line again (tab-separated formats)
    "key_c",
    "key_d",
    "key_e",
    "key_f",
    "line_text",  # the record as text (formats whose records are numbered as read)
    "line_no",
    "filename",
)
#: The fields of ``source`` checked for NUL bytes (a record with one is rejected, never kept with it).
TEXT_FIELDS = (
    "rec_id",
    "a1_code",
    "a2_code",
    "cameo_code",
    "actor_detail",
    "target_detail",
    "location",
    "note_a",
    "note_b",
    "note_c",
    "confidence",
)


#: The fixed source columns of a format that dates events to the day and says no more about dates, weights or
#: confidence (GDELT, ICEWS).
NO_DETAILS = {
    "date_precision": "day",
    "end_date": None,
    "date_note": None,
    "goldstein_note": None,
    "confidence": None,
}


def source_select(columns: Mapping[str, str], scan: str, fixed: Mapping[str, object] | None = None) -> str:
    """``SELECT`` of every :data:`SOURCE_COLUMNS` ``FROM scan``: SQL in ``columns``, a ``fixed`` value, or NULL."""
    columns = {**{c: quote_literal(v) for c, v in (fixed or {}).items() if v is not None}, **columns}
    unknown = set(columns) - set(SOURCE_COLUMNS)
    if unknown:
        raise ValueError(f"not source columns: {', '.join(sorted(unknown))}")
    typed_null = {"date": "NULL::DATE", "end_date": "NULL::DATE", "goldstein": "NULL::DOUBLE"}
    typed_null.update({"count_ok": "TRUE", "line_no": "NULL::BIGINT"})
    select = [f"{columns.get(c, typed_null.get(c, 'NULL::VARCHAR'))} AS {c}" for c in SOURCE_COLUMNS]
    return "SELECT " + ",\n        ".join(select) + f"\n    FROM {scan}"


def varchar_columns(names: list[str] | tuple[str, ...]) -> str:
    """DuckDB's ``columns=`` struct for ``names``, every column as text."""
    return "{" + ", ".join(f"{quote_literal(n)}: 'VARCHAR'" for n in names) + "}"


def rejects_options(rejects: str) -> str:
    """The reader options that keep malformed records in the table ``rejects`` (and ``rejects_scan``)."""
    return (
        f"store_rejects=true, ignore_errors=true, rejects_table={quote_literal(rejects)}, "
        f"rejects_scan={quote_literal(rejects + '_scan')}"
    )


@dataclass(frozen=True)
class SourceFormat:
    """What every format has: a name, its first possible date, how it is read and how its countries are coded.

    Attributes:
        name: the name given by the user (``gdelt2``...).
        first_date: the earliest date a record can hold (earlier ones are rejected as impossible).
        tabs: tab-separated with no quoting: files scanned many at a time, rejects found again by key fields.
        countries: the code list of ``a1_code``/``a2_code``: ``cameo`` (GDELT) or ``iso``.
        fixed: source columns with one value in every record of the format (not handed over record by record).
    """

    name: str
    first_date: date
    tabs: bool = True
    countries: str = "iso"
    fixed: Mapping[str, object] = field(default_factory=dict)

    def check_layout(self, file: Path, origin: Path) -> None:
        """Raise :class:`IngestError` if the first line of ``file`` does not look like this format."""
        raise NotImplementedError

    def source_sql(self, files: list[Path], origin: Path, rejects: str) -> tuple[str, dict]:
        """SQL selecting :data:`SOURCE_COLUMNS` from ``files``, and its parameters."""
        raise NotImplementedError

    def notes_sql(self, origin: Path) -> str:
        """SQL of a kept record's ``notes``, over ``note_a``..``note_c``."""
        raise NotImplementedError

    def line_keys(self) -> tuple[tuple[str, ...], tuple[str, ...], bool]:
        """(column names, the key fields besides the id, header line?) that find a rejected record's line."""
        raise NotImplementedError


def tab_scan(files: list[Path], names: tuple[str, ...], rejects: str, header: bool, padded: bool) -> str:
    """DuckDB's parallel reader over ``$files``, tab-separated, no quoting; malformed lines go to ``rejects``."""
    return f"""read_csv($files, delim='\t', quote='', escape='', header={str(header).lower()}, filename=true,
        auto_detect=false, columns={varchar_columns(names)}, null_padding={str(padded).lower()},
        {rejects_options(rejects)})"""


def tab_source(
    columns: dict[str, str], source_format: Gdelt | Icews, scan: str, files: list[Path]
) -> tuple[str, dict]:
    """A tab-separated format's source SQL (its ``columns``, key fields and file name) and its parameters."""
    columns = {**columns, "filename": "filename"}
    columns.update(
        {f"key_{c}": quote_identifier(k) for c, k in zip("bcdef", source_format.keys, strict=True)}
    )
    return source_select(columns, scan, source_format.fixed), {"files": [str(f) for f in files]}


@cache
def gdelt_names(version: str) -> tuple[str, ...]:
    """The column names of a GDELT 1.0 (58) or 2.0 (61) events file, from ``data/reference/gdelt_columns.csv``."""
    columns = pd.read_csv(paths.GDELT_COLUMNS_CSV)
    table = "gdelt1_events" if version == "1.0" else "gdelt2_events"
    return tuple(columns[columns["table"] == table].sort_values("position")["name"])


@dataclass(frozen=True)
class Gdelt(SourceFormat):
    """GDELT events, tab-separated with no header (1.0: 57 or 58 fields, 2.0: 61); CAMEO country codes.

    Attributes:
        version: ``1.0`` or ``2.0``.
        field_counts: the numbers of fields a line may have.
    """

    version: str = "2.0"
    field_counts: tuple[int, ...] = (61,)
    countries: str = "cameo"
    fixed: Mapping[str, object] = field(default_factory=lambda: dict(NO_DETAILS))
    #: Besides the id, the fields that identify a rejected record when its line is looked up again.
    keys: tuple[str, ...] = (
        "SQLDATE",
        "Actor1CountryCode",
        "Actor2CountryCode",
        "EventCode",
        "GoldsteinScale",
    )

    def check_layout(self, file: Path, origin: Path) -> None:
        """Raise :class:`IngestError` unless line 1 has one of the format's field counts."""
        n = len(first_line(file, origin))
        if n not in self.field_counts:
            raise IngestError(
                f"{origin}: line 1 has {n} tab-separated fields; a {self.name} file has "
                f"{' or '.join(map(str, self.field_counts))} — is this the right format?"
            )

    def source_sql(self, files: list[Path], origin: Path, rejects: str) -> tuple[str, dict]:
        """The GDELT fields as source columns (the geography fields only give the location)."""
        names = gdelt_names(self.version)
        # GDELT 1.0 mixes 57-field back-file lines and 58-field daily lines: read 58, pad, and require DATEADDED
        padded = len(self.field_counts) > 1
        columns = {
            "rec_id": "'gdelt:' || \"GLOBALEVENTID\"",
            # eight characters, the first and last of them digits: strptime then reads eight digits or
            # nothing (it would take a 7-digit date, or one with a space before or after; a regular
            # expression over every record costs more)
            "date": 'CASE WHEN strlen("SQLDATE") = 8 AND "SQLDATE" >= \'0\' AND "SQLDATE" < \':\' '
            "AND substr(\"SQLDATE\", 8, 1) BETWEEN '0' AND '9' "
            "THEN TRY_CAST(try_strptime(\"SQLDATE\", '%Y%m%d') AS DATE) END",
            "a1_code": '"Actor1CountryCode"',
            "a2_code": '"Actor2CountryCode"',
            "cameo_code": '"EventCode"',
            "goldstein": 'TRY_CAST("GoldsteinScale" AS DOUBLE)',
            "count_ok": '"DATEADDED" IS NOT NULL' if padded else "TRUE",
            "actor_detail": '"Actor1Name"',
            "target_detail": '"Actor2Name"',
            "location": '"ActionGeo_FullName"',
            "latitude": '"ActionGeo_Lat"',
            "longitude": '"ActionGeo_Long"',
            "note_a": '"SOURCEURL"' if "SOURCEURL" in names else "NULL::VARCHAR",
            "raw_id": '"GLOBALEVENTID"',
        }
        return tab_source(columns, self, tab_scan(files, names, rejects, header=False, padded=padded), files)

    def notes_sql(self, origin: Path) -> str:
        """``GDELT 2.0; source article: <url>``."""
        return f"'GDELT {self.version}; source article: ' || coalesce(note_a, 'n/a')"

    def line_keys(self) -> tuple[tuple[str, ...], tuple[str, ...], bool]:
        """The GDELT columns, key fields, and no header."""
        return gdelt_names(self.version), self.keys, False


ICEWS_COLUMNS = (
    "Event ID",
    "Event Date",
    "Source Name",
    "Source Sectors",
    "Source Country",
    "Event Text",
    "CAMEO Code",
    "Intensity",
    "Target Name",
    "Target Sectors",
    "Target Country",
    "Story ID",
    "Sentence Number",
    "Publisher",
    "City",
    "District",
    "Province",
    "Country",
    "Latitude",
    "Longitude",
)


def _icews_field(name: str) -> str:
    return f"NULLIF({quote_identifier(name)}, 'NA')"


def _icews_side(name: str) -> str:
    """An ISO3 code, or the unknown name (rejected as an unknown country)."""
    return (
        f"CASE WHEN {_icews_field(name)} IS NULL THEN NULL ELSE coalesce((SELECT iso3 FROM country_names c "
        f"WHERE c.name = lower({_icews_field(name)})), 'name:' || {quote_identifier(name)}) END"
    )


@dataclass(frozen=True)
class Icews(SourceFormat):
    """ICEWS events: tab-separated with a header, ``NA`` for missing, countries as full names."""

    keys: tuple[str, ...] = ("Event Date", "Source Country", "CAMEO Code", "Intensity", "Target Country")
    fixed: Mapping[str, object] = field(
        default_factory=lambda: {**NO_DETAILS, "goldstein_note": "ICEWS Intensity"}
    )

    def check_layout(self, file: Path, origin: Path) -> None:
        """Raise :class:`IngestError` unless line 1 is the ICEWS header."""
        header = first_line(file, origin)
        if tuple(header) != ICEWS_COLUMNS:
            raise IngestError(
                f"{origin}: line 1 is not the ICEWS header ({len(header)} fields: {', '.join(header[:4])}...)"
            )

    def source_sql(self, files: list[Path], origin: Path, rejects: str) -> tuple[str, dict]:
        """The ICEWS fields as source columns (``Intensity`` is the Goldstein-like weight)."""
        f = _icews_field
        columns = {
            "rec_id": "'icews:' || \"Event ID\"",
            "date": "CASE WHEN regexp_full_match(\"Event Date\", '\\d{4}-\\d{2}-\\d{2}') "
            "THEN TRY_CAST(try_strptime(\"Event Date\", '%Y-%m-%d') AS DATE) END",
            "a1_code": _icews_side("Source Country"),
            "a2_code": _icews_side("Target Country"),
            "cameo_code": f("CAMEO Code"),
            "goldstein": f"TRY_CAST({f('Intensity')} AS DOUBLE)",
            "actor_detail": f("Source Name"),
            "target_detail": f("Target Name"),
            "location": f("City"),
            "latitude": f("Latitude"),
            "longitude": f("Longitude"),
            "note_a": f("Story ID"),
            "note_b": f("Publisher"),
            "raw_id": '"Event ID"',
        }
        return tab_source(
            columns, self, tab_scan(files, ICEWS_COLUMNS, rejects, header=True, padded=False), files
        )

    def notes_sql(self, origin: Path) -> str:
        """``ICEWS; story <id>, publisher <name>``."""
        return "'ICEWS; story ' || coalesce(note_a, '?') || ', publisher ' || coalesce(note_b, '?')"

    def line_keys(self) -> tuple[tuple[str, ...], tuple[str, ...], bool]:
        """The ICEWS columns, key fields, and a header line."""
        return ICEWS_COLUMNS, self.keys, True


def get_format(name: str, mapping: object = None) -> SourceFormat:
    """The format object of ``name`` (``csv`` needs its ``mapping``: a dict or a YAML/TOML file).

    Args:
        name: one of :data:`FORMATS`.
        mapping: for ``csv``: our field -> the file's column.

    Returns:
        The format.

    Raises:
        ValueError: for an unknown name.
        IngestError: for a missing or incomplete csv mapping.
    """
    from tensions.ingest.csv_formats import Acled, MappedCsv

    if name not in FORMATS:
        raise ValueError(f"format must be one of {', '.join(FORMATS)}, got {name!r}")
    if name == "csv":
        return MappedCsv.from_mapping(mapping)
    first = FIRST_DATES[name]
    return {
        "gdelt1": Gdelt("gdelt1", first, version="1.0", field_counts=(57, 58)),
        "gdelt2": Gdelt("gdelt2", first),
        "icews": Icews("icews", first),
        "acled": Acled("acled", first),
    }[name]
