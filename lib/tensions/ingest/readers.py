"""Readers of GDELT 1.0, GDELT 2.0, ACLED, ICEWS and mapped CSV files, built on DuckDB.

How each format becomes our events:

* **GDELT** (tab-separated, no header; 1.0 daily files have 58 columns, back-files 57, 2.0 exports 61; names
  from ``data/reference/gdelt_columns.csv``). ``actor`` and ``target`` come from
  ``Actor1CountryCode``/``Actor2CountryCode`` (CAMEO codes, mapped to ISO3 through ``cameo_country_codes.tsv``),
  never from the noisy geography fields; the geography fields, which are FIPS 10-4 (``RS`` is Russia, not
  Serbia), only give the location. ``SQLDATE`` is a calendar date with no time zone and is parsed as such.
  ``EventCode`` stays a zero-padded string; Goldstein is read whether written ``-4`` or ``7.0``.
* **ICEWS** (tab-separated with a header, ``NA`` for missing): ``Source Country``/``Target Country`` are full
  names mapped to ISO3 (pycountry's names plus a short alias table); ``Intensity`` is the Goldstein-like weight.
* **ACLED** (CSV exports with ACLED's column names). ACLED's actors are armed groups, forces, protesters or
  civilians, not states, so the pair is derived, one side at a time:

  1. an actor named as a state's organ, ``Military Forces of Russia (2000-)``, ``Police Forces of ...``,
     ``Government of ...``, belongs to that state;
  2. otherwise an actor whose name ends with a country in brackets, ``Protesters (Azerbaijan)``,
     ``Civilians (Ukraine)``, belongs to that country;
  3. otherwise (``Wagner Group``, an unnamed armed group) the actor belongs to the country where the event
     happened (``iso``, ISO 3166 numeric).

  ``actor1`` is the actor and ``actor2`` the target; an event without ``actor2`` has no target and is filtered as
  "not a country pair", and so is one whose two sides fall in the same country (most protests, riots and
  domestic fighting). ``event_type``/``sub_event_type`` map to a CAMEO code through
  ``data/reference/acled_cameo_map.csv`` (e.g. *Air/drone strike* → 195), whose GDELT Goldstein weight is used.
  ``time_precision`` 1 is a day; 2 (the source gives a week or a few days) is kept on ACLED's date with a note;
  3 (a month or longer) becomes month precision. ``fatalities``, ``interaction`` and ``source`` go to ``notes``.
* **CSV**: any file with a header, given a mapping from our fields to its columns.

Records with no state on either side, or the same state on both, are *filtered* (not country-pair events), and
so are records outside the requested countries, pairs, dates or codes; records whose fields cannot be read (bad
date, non-numeric weight, unknown country code, wrong field count, malformed CSV) are *rejected* with their
reason, file and line. Machine-coded events get the confidence ``reported``.

Impossible values are rejected too: a date before the format's first (GDELT 1979, ICEWS 1995, ACLED 1997, a
mapped CSV 1800) or more than a week after today, and a NUL byte in a field. A record whose id was already kept
(GDELT republishes events across files) is *filtered* as a duplicate, the first one kept. CSV formats are read
with a fixed dialect (comma, ``"`` quotes): a stray quote costs its record (and at most the next one); if it
swallowed lines, they are read again.

How the work is done: DuckDB's parallel CSV reader scans the files in one pass (tab-separated files many at a
time, in chunks of a few GB); every record is classified in SQL and the result streams to Python in Arrow batches,
where the outcomes are counted and the kept rows collected, so memory holds the kept events, not the files.
Line numbers are needed only for rejects: a tab-separated file with rejected records is read a second time,
numbering its lines, to find them by their id (CSV formats number their records as they are read).
"""

from __future__ import annotations

import csv
import glob
import gzip
import itertools
import os
import tempfile
import zipfile
import zlib
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import cache
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pycountry
from tqdm.auto import tqdm

from tensions import outputs, paths, reference
from tensions.schema import EVENT_FIELDS, coerce_events, validate_events

FORMATS = ("gdelt1", "gdelt2", "acled", "icews", "csv")
CSV_REQUIRED = ("event_id", "date", "actor", "target", "cameo_code", "goldstein")
GDELT_FIELD_COUNTS = {"gdelt1": (57, 58), "gdelt2": (61,)}
#: The columns of an ACLED export the reader needs (exports carry more: see the module docstring).
ACLED_REQUIRED = (
    "event_id_cnty",
    "event_date",
    "time_precision",
    "event_type",
    "sub_event_type",
    "actor1",
    "actor2",
    "interaction",
    "iso",
    "country",
    "admin1",
    "location",
    "latitude",
    "longitude",
    "source",
    "fatalities",
)
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
#: ICEWS country names that pycountry does not resolve by itself.
COUNTRY_ALIASES = {
    "Russia": "RUS",
    "Russian Federation": "RUS",
    "Iran": "IRN",
    "Syria": "SYR",
    "South Korea": "KOR",
    "North Korea": "PRK",
    "Moldova": "MDA",
    "Vietnam": "VNM",
    "Laos": "LAO",
    "Bolivia": "BOL",
    "Venezuela": "VEN",
    "Tanzania": "TZA",
    "Macedonia": "MKD",
    "Kosovo": "XKX",
    "Taiwan": "TWN",
    "Occupied Palestinian Territory": "PSE",
    "Turkey": "TUR",
    "Congo, Democratic Republic of": "COD",
    "Democratic Republic of Congo": "COD",
    "Czech Republic": "CZE",
    "Ivory Coast": "CIV",
    "Cote d'Ivoire": "CIV",
    "Cape Verde": "CPV",
    "Swaziland": "SWZ",
    "Burma": "MMR",
    "Myanmar": "MMR",
    "East Timor": "TLS",
    "the former Yugoslav Republic of Macedonia": "MKD",
}
#: The curated event columns, in order (the SQL of ``_KEPT_SQL`` yields them, plus ``pair``).
EVENT_COLUMNS = [f.name for f in EVENT_FIELDS]


class IngestError(ValueError):
    """A file cannot be read at all (missing, empty, not a zip, another format)."""


@dataclass
class IngestReport:
    """Row accounting of one ingest: ``read == kept + filtered + rejected`` always holds."""

    format: str
    files: list[str]
    read: int = 0
    kept: int = 0
    filtered: int = 0
    rejected: int = 0
    reasons: dict[str, int] = field(default_factory=dict)
    file_errors: list[str] = field(default_factory=list)
    rejects_path: Path | None = None

    def check(self) -> None:
        """Raise if a record went missing in the accounting."""
        if self.read != self.kept + self.filtered + self.rejected:
            raise AssertionError(
                f"row accounting broken: read {self.read} != kept {self.kept} + filtered "
                f"{self.filtered} + rejected {self.rejected}"
            )

    def __str__(self) -> str:
        lines = [
            f"{self.format}: {len(self.files)} file(s), read {self.read:,} = kept {self.kept:,} + filtered "
            f"{self.filtered:,} + rejected {self.rejected:,}"
        ]
        lines += [
            f"  {count:,} {reason}" for reason, count in sorted(self.reasons.items(), key=lambda x: -x[1])
        ]
        lines += [f"  file error: {e}" for e in self.file_errors]
        if self.rejects_path:
            lines.append(f"  rejects written to {self.rejects_path}")
        return "\n".join(lines)


# ------------------------------------------------------------------------------------------------ files


def expand_paths(
    paths_or_globs: str | Path | Iterable[str | Path], problems: list[str] | None = None
) -> list[Path]:
    """One path, a list, or glob patterns -> paths, each file once, in the order given (patterns sorted).

    A name that exists is taken as it is, even with ``[`` or ``*`` in it. A pattern that matches nothing, or a
    file named twice, is reported in ``problems`` (if given); if nothing at all is found, :class:`IngestError`.
    """
    items = [paths_or_globs] if isinstance(paths_or_globs, (str, Path)) else list(paths_or_globs)
    found: list[Path] = []
    seen: set[Path] = set()
    notes = [] if problems is None else problems
    for item in items:
        text = str(item)
        if not Path(text).exists() and any(ch in text for ch in "*?["):
            matches = [Path(m) for m in sorted(glob.glob(text))]
            if not matches:
                notes.append(f"{text}: no file matches this pattern")
        else:
            matches = [Path(text)]
        for path in matches:
            try:
                key = path.resolve()
            except (OSError, RuntimeError):  # RuntimeError: a symbolic link loop (Python < 3.13)
                notes.append(f"{path}: a symbolic link loop (or a path that cannot be resolved); not read")
                continue
            if key in seen:
                notes.append(f"{path}: named more than once; read once")
                continue
            seen.add(key)
            found.append(path)
    if not found:
        raise IngestError("; ".join(notes) or "no file given")
    return found


def _unzipped(path: Path, workdir: Path) -> list[tuple[Path, Path]]:
    """(extracted file, ``zip!member`` name) for each member of a zip (a damaged zip gives a clear error)."""
    try:
        with zipfile.ZipFile(path) as archive:
            members = [m for m in archive.namelist() if not m.endswith("/")]
            if not members:
                raise IngestError(f"{path}: the zip holds no file")
            out = []
            for member in members:
                target = workdir / f"{next(_MEMBERS)}-{Path(member).name}"
                with archive.open(member) as src, target.open("wb") as dst:
                    while chunk := src.read(1 << 20):
                        dst.write(chunk)
                out.append((target, Path(f"{path}!{member}")))
            return out
    except (zipfile.BadZipFile, EOFError, zipfile.LargeZipFile, zlib.error, OSError) as exc:
        raise IngestError(f"{path}: not a readable zip file (truncated or corrupt): {exc}") from exc


# ------------------------------------------------------------------------------------------------ lookups


@cache
def _cameo_countries() -> pd.DataFrame:
    """CAMEO actor country codes -> ISO3, and whether the code is a state (regions are not)."""
    codes = reference.load_cameo_country_codes()
    codes = codes[codes["cameo_code"].str.len() == 3].copy()
    codes["iso3"] = codes["iso3_equivalent"].where(codes["iso3_equivalent"] != "", None)
    codes["is_state"] = codes["kind"].isin(["state", "historical_state"]) & codes["iso3"].notna()
    return codes[["cameo_code", "iso3", "is_state"]].rename(columns={"cameo_code": "code"})


@cache
def _iso_countries() -> pd.DataFrame:
    """ISO3 codes mapping to themselves (user CSVs and the derived ACLED and ICEWS sides)."""
    iso = pd.DataFrame({"code": [c.alpha_3 for c in pycountry.countries] + ["XKX"]})
    iso["iso3"], iso["is_state"] = iso["code"], True
    return iso


@cache
def _country_names() -> pd.DataFrame:
    """Lower-cased country names (pycountry's names, official and common names, and aliases) -> ISO3."""
    rows = {name.lower(): iso for name, iso in COUNTRY_ALIASES.items()}
    for country in pycountry.countries:
        for attr in ("name", "official_name", "common_name"):
            name = getattr(country, attr, None)
            if name:
                rows.setdefault(name.lower(), country.alpha_3)
    return pd.DataFrame({"name": list(rows), "iso3": list(rows.values())})


@cache
def _numeric_countries() -> pd.DataFrame:
    """ISO 3166 numeric codes (zero-padded) -> ISO3, for ACLED's ``iso`` column."""
    return pd.DataFrame(
        {
            "numeric": [c.numeric for c in pycountry.countries],
            "iso3": [c.alpha_3 for c in pycountry.countries],
        }
    )


@cache
def _acled_cameo() -> pd.DataFrame:
    """ACLED event and sub-event type -> CAMEO code and its GDELT Goldstein weight (None: no equivalent)."""
    table = pd.read_csv(paths.ACLED_CAMEO_MAP_CSV, dtype=str, keep_default_na=False)
    weights = reference.load_goldstein_weights("gdelt")
    table["cameo_code"] = table["cameo_code"].replace("", None)
    table["goldstein"] = table["cameo_code"].map(weights)
    return table[["event_type", "sub_event_type", "cameo_code", "goldstein"]]


def country_name_to_iso3(name: str | None) -> str | None:
    """ISO3 code of a country name as ICEWS or ACLED write it, or None.

    >>> country_name_to_iso3("Russian Federation"), country_name_to_iso3("Azerbaijan"), country_name_to_iso3("NA")
    ('RUS', 'AZE', None)
    """
    if name is None or name in ("", "NA"):
        return None
    return _country_lookup().get(name.strip().lower())


@cache
def _country_lookup() -> dict[str, str]:
    names = _country_names()  # the same table the readers join in SQL
    return dict(zip(names["name"], names["iso3"], strict=True))


# ------------------------------------------------------------------------------------------------ SQL pieces


def _sql_path(path: Path) -> str:
    return str(path).replace("'", "''")


def _sql_list(values: Iterable[str]) -> str:
    return ", ".join("'" + str(v).replace("'", "''") + "'" for v in values)


def _scan_tsv(
    files: Sequence[Path], names: Sequence[str], rejects: str, header: bool, null_padding: bool
) -> str:
    """DuckDB's parallel reader over tab-separated files with no quoting; malformed lines go to ``rejects``."""
    columns = ", ".join(f"'{n}': 'VARCHAR'" for n in names)
    listed = ", ".join(f"'{_sql_path(f)}'" for f in files)
    return f"""read_csv([{listed}], delim='\t', quote='', escape='', header={str(header).lower()}, filename=true,
        auto_detect=false, columns={{{columns}}}, null_padding={str(null_padding).lower()},
        store_rejects=true, ignore_errors=true, rejects_table='{rejects}', rejects_scan='{rejects}_scan')"""


def _scan_csv(file: Path, rejects: str, delimiter: str = ",") -> str:
    """DuckDB's reader over a CSV file with a header, every column as text; malformed records go to ``rejects``.

    The dialect is given, not sniffed (comma, double quotes doubled inside quotes): a sniffer misled by one stray
    quote would misread every record, whereas with the dialect fixed such a quote costs its own record (and at
    most the next one, which the open quote runs into).
    """
    names = _header_fields(file, file, delimiter)
    columns = ", ".join("'" + n.replace("'", "''") + "': 'VARCHAR'" for n in names)
    delim = delimiter.replace("'", "''")
    return f"""read_csv('{_sql_path(file)}', header=true, auto_detect=false, columns={{{columns}}}, delim='{delim}',
        quote='"', escape='"', store_rejects=true, ignore_errors=true,
        rejects_table='{rejects}', rejects_scan='{rejects}_scan')"""


#: The columns every format's ``source`` view provides to the classifier.
SOURCE_COLUMNS = (
    "rec_id, date, date_precision, end_date, date_note, a1_code, a2_code, cameo_code, goldstein, "
    "goldstein_note, count_ok, extra_reject, extra_filter, actor_detail, target_detail, location, latitude, "
    "longitude, confidence, note_a, note_b, note_c, raw_id, key_b, key_c, key_d, key_e, key_f, line_text, line_no, "
    "filename"
)


def date_range(format: str, today: date | None = None) -> tuple[date, date]:
    """The dates an event of ``format`` can have: from the start of the source to today plus a small margin.

    >>> date_range("gdelt2", today=date(2025, 1, 1))
    (datetime.date(1979, 1, 1), datetime.date(2025, 1, 8))
    """
    return FIRST_DATES[format], (today or date.today()) + timedelta(days=FUTURE_MARGIN_DAYS)


def _classify_sql(filters: str, format: str, countries: str) -> str:
    """SQL of the ``classified`` view: the converted fields, ``actor``/``target`` and the outcome ``code``.

    ``code`` indexes :func:`outcomes` (kept, or the first reason that filters or rejects the record); the
    conditions run in that order. Country codes (``countries``: ``cameo`` or ``iso``) are looked up by a cast to
    an ENUM of the known codes, states first (see :func:`_lookup_sql`), which costs far less than a join.
    """
    first, last = date_range(format)
    nul = " OR ".join(f"contains({c}, chr(0))" for c in TEXT_FIELDS)
    return f"""
        SELECT *, CASE
            WHEN NOT count_ok THEN 1
            WHEN {nul} THEN 2
            WHEN extra_reject IS NOT NULL THEN 3
            WHEN date IS NULL THEN 4
            WHEN date < DATE '{first}' OR date > DATE '{last}' THEN 5
            WHEN extra_filter IS NOT NULL THEN 6
            WHEN goldstein IS NULL THEN 7
            WHEN isnan(goldstein) OR goldstein < -10 OR goldstein > 10 THEN 8
            WHEN cameo_code IS NULL OR NOT regexp_full_match(cameo_code, '(0[1-9]|1\\d|20)\\d{{0,2}}') THEN 9
            WHEN a1_code IS NOT NULL AND a1 IS NULL THEN 10
            WHEN a2_code IS NOT NULL AND a2 IS NULL THEN 11
            WHEN actor IS NULL OR target IS NULL THEN 12
            WHEN actor = target THEN 13
            WHEN NOT ({filters}) THEN 14
            ELSE 0 END::UTINYINT AS code
        FROM (SELECT *, state_iso3_{countries}(a1, a1_code) AS actor, state_iso3_{countries}(a2, a2_code) AS target
              FROM (SELECT {SOURCE_COLUMNS}, TRY_CAST(a1_code AS country_code_{countries}) AS a1,
                           TRY_CAST(a2_code AS country_code_{countries}) AS a2 FROM source))"""


def outcomes(format: str) -> dict[int, str | None]:
    """The outcome of each ``code`` of :func:`_classify_sql` (``None``: the text depends on the record)."""
    first, last = date_range(format)
    return {
        0: "kept",
        1: "rejected: wrong number of fields",
        2: "rejected: NUL byte in a field",
        3: None,
        4: "rejected: invalid date",
        5: f"rejected: date outside {first:%Y-%m-%d}..{last:%Y-%m-%d} (impossible for {format})",
        6: None,
        7: "rejected: non-numeric Goldstein",
        8: "rejected: Goldstein outside -10..10",
        9: "rejected: invalid CAMEO code",
        10: None,
        11: None,
        12: "filtered: not a country pair",
        13: "filtered: domestic (same country on both sides)",
        14: "filtered: outside the requested countries, pairs, dates or codes",
    }


#: The codes of rejected records (the others are kept, 0, or filtered).
REJECTED_CODES = (1, 2, 3, 4, 5, 7, 8, 9, 10, 11)


def _filters_sql(
    countries: Sequence[str] | None, pairs: Sequence[str] | None, start, end, root_codes: Sequence[str] | None
) -> str:
    """The user's filters as SQL over the classified record (``actor``, ``target``, ``date``...).

    Countries are ISO3 codes in any case; pairs are two ISO3 codes in either order (``RUS-AZE`` = ``AZE-RUS``);
    root codes are CAMEO roots ``01``..``20`` (``1`` = ``01``). Anything else raises ``ValueError`` rather than
    filtering every record out.

    >>> _filters_sql(["rus"], ["RUS-AZE"], None, None, ["19"])
    "TRUE AND (actor IN ('RUS') OR target IN ('RUS')) AND (least(actor, target) || '-' || greatest(actor, target)) IN ('AZE-RUS') AND substr(cameo_code, 1, 2) IN ('19')"
    """
    countries = [_iso3(c) for c in countries or []]
    pairs = ["-".join(sorted(_iso3(c) for c in str(p).split("-"))) for p in pairs or []]
    if any(len(p.split("-")) != 2 for p in pairs):
        raise ValueError(f"a pair is two ISO3 codes joined by '-', e.g. AZE-RUS: {pairs}")
    roots = [str(c).strip().zfill(2) for c in root_codes or []]
    bad_roots = [c for c in roots if not (c.isdigit() and 1 <= int(c) <= 20 and len(c) == 2)]
    if bad_roots:
        raise ValueError(f"CAMEO root codes are 01..20 (two digits), not {', '.join(bad_roots)}")
    parts = ["TRUE"]
    if countries:
        listed = _sql_list(countries)
        parts.append(f"(actor IN ({listed}) OR target IN ({listed}))")
    if pairs:
        parts.append(f"(least(actor, target) || '-' || greatest(actor, target)) IN ({_sql_list(pairs)})")
    if start is not None:
        parts.append(f"date >= DATE '{pd.Timestamp(start).date()}'")
    if end is not None:
        parts.append(f"date <= DATE '{pd.Timestamp(end).date()}'")
    if roots:
        parts.append(f"substr(cameo_code, 1, 2) IN ({_sql_list(roots)})")
    return " AND ".join(parts)


def _iso3(code: str) -> str:
    code = str(code).strip().upper()
    if not (len(code) == 3 and code.isalpha()):
        raise ValueError(f"countries are ISO 3166 alpha-3 codes such as RUS or AZE, not {code!r}")
    return code


#: The earliest date each format can hold: GDELT 1.0 back-files start in 1979, ICEWS in 1995, ACLED in 1997;
#: a mapped CSV (an analyst's own table) may reach back further.
FIRST_DATES = {
    "gdelt1": date(1979, 1, 1),
    "gdelt2": date(1979, 1, 1),
    "icews": date(1995, 1, 1),
    "acled": date(1997, 1, 1),
    "csv": date(1800, 1, 1),
}
#: Days after today an event date may lie (time zones, files published ahead): later dates are rejected.
FUTURE_MARGIN_DAYS = 7
#: The text fields of ``source`` checked for NUL bytes (a record with one is rejected, never kept with it).
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

#: The fields of a kept record handed over by DuckDB, by name: SQL over a ``classified`` record. ``{notes}`` is
#: the format's notes expression over ``note_a``..``note_c``. The other event columns are derived from these in
#: Arrow (:func:`_derive_columns`), which costs less than building them in SQL for every record.
KEPT_COLUMNS = {
    "event_id": "rec_id",
    "date": "date",
    "date_precision": "coalesce(date_precision, 'day')",
    "end_date": "end_date",
    "actor": "actor",
    "target": "target",
    "actor_detail": "actor_detail",
    "target_detail": "target_detail",
    "cameo_code": "cameo_code",
    "goldstein": "goldstein",
    "goldstein_note": "goldstein_note",
    "location": "location",
    "latitude": "TRY_CAST(latitude AS DOUBLE)",
    "longitude": "TRY_CAST(longitude AS DOUBLE)",
    "confidence": "coalesce(confidence, 'reported')",
    "date_note": "date_note",
    "notes": "{notes}",
}


@cache
def _cameo_lookups() -> tuple[pa.Array, pa.Array, pa.Array, pa.Array]:
    """CAMEO codes and their descriptions, CAMEO root codes and their quad classes, as Arrow arrays."""
    codes = reference.load_cameo_codes().drop_duplicates("cameo_code")
    quad = reference.load_quad_class_map("cameo")
    return (
        pa.array(codes["cameo_code"].astype(str).tolist(), pa.string()),
        pa.array(codes["description"].astype(str).tolist(), pa.string()),
        pa.array([str(k) for k in quad.index], pa.string()),
        pa.array([int(v) for v in quad.to_numpy()], pa.int64()),
    )


def _derive_columns(kept: pa.Table) -> pa.Table:
    """The kept fields -> the event columns (plus ``pair``): CAMEO description and quad class, title, themes."""
    codes, descriptions, roots, quads = _cameo_lookups()
    cameo, actor, target = kept.column("cameo_code"), kept.column("actor"), kept.column("target")
    what = pc.fill_null(pc.take(descriptions, pc.index_in(cameo, value_set=codes)), "event")
    quad = pc.fill_null(pc.take(quads, pc.index_in(pc.utf8_slice_codeunits(cameo, 0, 2), value_set=roots)), 0)
    title = pc.utf8_slice_codeunits(pc.binary_join_element_wise(actor, " → ", target, ": ", what, ""), 0, 80)
    details = [pc.fill_null(kept.column(c), "") for c in ("actor_detail", "target_detail")]
    derived = {
        "quad_class": quad,
        "title": title,
        "description": pc.binary_join_element_wise(what, " (", details[0], " → ", details[1], ")", ""),
        "themes": pc.if_else(pc.less(quad, 3), "diplomacy", "security"),
        "source_ids": kept.column("event_id"),
        "evidence": pa.nulls(kept.num_rows, pa.string()),
        "group_id": pa.nulls(kept.num_rows, pa.string()),
        "pair": pc.binary_join_element_wise(
            pc.min_element_wise(actor, target), pc.max_element_wise(actor, target), "-"
        ),
    }
    columns = {**{c: kept.column(c) for c in KEPT_COLUMNS}, **derived}
    return pa.table({c: columns[c] for c in [*EVENT_COLUMNS, "pair"]})


def _stream_sql(notes: str) -> str:
    """One pass over ``classified``: every record's ``code``, the text of record-specific outcomes, the rejected
    records' keys, and the kept records in the event columns (NULL in the other records' rows)."""
    kept = ",\n        ".join(
        f"CASE WHEN code = 0 THEN {sql.format(notes=notes)} END AS {name}"
        for name, sql in KEPT_COLUMNS.items()
    )
    rejected = ", ".join(map(str, REJECTED_CODES))
    return f"""SELECT code,
        CASE code WHEN 3 THEN 'rejected: ' || extra_reject WHEN 6 THEN 'filtered: ' || extra_filter
            WHEN 10 THEN 'rejected: unknown country code ' || a1_code
            WHEN 11 THEN 'rejected: unknown country code ' || a2_code END AS reason,
        CASE WHEN code IN ({rejected}) THEN struct_pack(filename, raw_id, key_b, key_c, key_d, key_e, key_f,
            line_text, line_no) END AS rejected,
        {kept}
    FROM classified"""


# ------------------------------------------------------------------------------------------------ readers


#: Besides the id (first field), the fields that identify a rejected record when its line is looked up again.
GDELT_KEYS = ("SQLDATE", "Actor1CountryCode", "Actor2CountryCode", "EventCode", "GoldsteinScale")
ICEWS_KEYS = ("Event Date", "Source Country", "CAMEO Code", "Intensity", "Target Country")
#: Formats read as tab-separated text with no quoting (scanned many files at a time).
TAB_FORMATS = ("gdelt1", "gdelt2", "icews")
#: Rows per Arrow batch handed over by DuckDB.
BATCH_ROWS = 250_000
#: Files scanned together at most (bytes on disk, after unzipping).
CHUNK_BYTES = 4 * 2**30
_SCANS = itertools.count()
_MEMBERS = itertools.count()


def read_events(
    files: str | Path | Iterable[str | Path],
    format: str = "gdelt2",
    countries: Sequence[str] | None = None,
    start: str | pd.Timestamp | None = None,
    end: str | pd.Timestamp | None = None,
    pairs: Sequence[str] | None = None,
    root_codes: Sequence[str] | None = None,
    mapping: Mapping[str, str] | str | Path | None = None,
    rejects_dir: str | Path | None = None,
    progress: bool = False,
    memory_limit: str | None = None,
) -> tuple[pd.DataFrame, IngestReport]:
    """Read event files into the workbook's event schema, filtering while reading.

    Args:
        files: a path, a list of paths, or glob patterns; ``.zip`` and ``.gz`` files are read too.
        format: ``gdelt1``, ``gdelt2``, ``acled``, ``icews`` or ``csv``.
        countries: keep events where actor or target is one of these ISO3 codes.
        start, end: keep events dated within [start, end].
        pairs: keep these canonical pairs (``AZE-RUS``).
        root_codes: keep these CAMEO root codes (``"19"``...).
        mapping: for ``csv``: our field -> the file's column (``event_id``, ``date``, ``actor``, ``target``,
            ``cameo_code``, ``goldstein``; optional ``date_format`` (strptime, default ``%Y-%m-%d``), ``title``,
            ``confidence``; ``delimiter``, default ``,``), as a dict or a YAML or TOML file.
        rejects_dir: where the rejects CSV goes (default ``reports/rejects/``).
        progress: show a progress bar (records read, kept, rejected) on standard error.
        memory_limit: DuckDB's memory cap (default ``256MB``, or the environment variable
            ``TENSIONS_DUCKDB_MEMORY``); beyond it DuckDB spills to a temporary folder.

    Returns:
        ``(events, report)``: events with the curated columns plus ``pair`` (accepted by ``score_dyads`` and
        the chart builders), sorted by date and id, and the :class:`IngestReport` (``read``, ``kept``,
        ``filtered``, ``rejected``, ``rejects_path``).
    """
    batches = iter_event_batches(
        files,
        format,
        countries=countries,
        start=start,
        end=end,
        pairs=pairs,
        root_codes=root_codes,
        mapping=mapping,
        rejects_dir=rejects_dir,
        progress=progress,
        memory_limit=memory_limit,
    )
    tables = list(batches)
    report = batches.report
    if not tables or not sum(t.num_rows for t in tables):
        return _to_schema(None), report
    table = pa.concat_tables(tables).sort_by([("date", "ascending"), ("event_id", "ascending")])
    return _to_schema(_arrow_to_pandas(table)), report


class iter_event_batches:  # noqa: N801 - used like a generator function
    """The kept events of ``files`` as Arrow tables of at most ``batch_rows`` rows, read in one pass.

    Same arguments as :func:`read_events` (plus ``batch_rows``). Iterate to read; ``report`` holds the row
    accounting, complete (rejects file written, ``check`` passed) once the iteration ends. This is how
    ``python -m tensions ingest`` writes Parquet without holding the events in memory.
    """

    def __init__(
        self,
        files: str | Path | Iterable[str | Path],
        format: str = "gdelt2",
        countries: Sequence[str] | None = None,
        start: str | pd.Timestamp | None = None,
        end: str | pd.Timestamp | None = None,
        pairs: Sequence[str] | None = None,
        root_codes: Sequence[str] | None = None,
        mapping: Mapping[str, str] | str | Path | None = None,
        rejects_dir: str | Path | None = None,
        progress: bool = False,
        memory_limit: str | None = None,
        batch_rows: int = BATCH_ROWS,
    ) -> None:
        if format not in FORMATS:
            raise ValueError(f"format must be one of {', '.join(FORMATS)}, got {format!r}")
        problems: list[str] = []
        self.listed = expand_paths(files, problems)
        if format == "csv":  # a wrong mapping concerns every file: say so at once
            missing = [k for k in CSV_REQUIRED if k not in _load_mapping(mapping)]
            if missing:
                raise IngestError(f"the csv mapping lacks {', '.join(missing)} (our field -> your column)")
        self.format, self.mapping, self.rejects_dir = format, mapping, rejects_dir
        self.filters = _filters_sql(countries, pairs, start, end, root_codes)
        self.progress, self.memory_limit, self.batch_rows = progress, memory_limit, batch_rows
        self.report = IngestReport(format=format, files=[str(p) for p in self.listed], file_errors=problems)
        self.rejects: list[pd.DataFrame] = []
        # ids of the events kept so far: a repeated id is filtered as a duplicate
        self.seen_ids: set[str] = set()

    def __iter__(self) -> Iterator[pa.Table]:
        bar = tqdm(unit=" records", unit_scale=True, desc=f"ingest {self.format}", disable=not self.progress)
        with tempfile.TemporaryDirectory() as tmp, _connect(Path(tmp), self.memory_limit) as con, bar:
            self.workdir = Path(tmp)
            for chunk in _chunks(self.listed):
                members = self._members(chunk, Path(tmp))
                # tab-separated files are scanned together (in parallel); CSV files number their records one by one
                groups = [members] if self.format in TAB_FORMATS else [[m] for m in members]
                for group in (g for g in groups if g):
                    yield from self._scan(con, group, bar)
                for member, origin in members:
                    if member != origin:
                        member.unlink(missing_ok=True)
        self._finish()

    def _members(self, chunk: list[Path], tmp: Path) -> list[tuple[Path, Path]]:
        """(file to read, file named by the user) for every readable file of ``chunk``; the others reported."""
        members = []
        for path in chunk:
            try:
                prepared = _prepare(path, tmp)
            except IngestError as exc:
                self.report.file_errors.append(str(exc))
                continue
            for member, shown in prepared:
                try:
                    if member.stat().st_size == 0:
                        raise IngestError(f"{shown}: empty file (no records)")
                    _check_layout(member, shown, self.format, self.mapping)
                    members.append((member, shown))
                except IngestError as exc:
                    self.report.file_errors.append(str(exc))
                    if member != shown:
                        member.unlink(missing_ok=True)
        return members

    def _scan(
        self, con, group: list[tuple[Path, Path]], bar, line_map: np.ndarray | None = None
    ) -> Iterator[pa.Table]:
        """One pass over ``group``: count every outcome, yield the kept rows, keep the rejected records aside.

        If DuckDB cannot read a file (a stray carriage return in a file with ``\\n`` line ends, for one), the
        group is read again file by file when nothing has been handed over yet, so that only the faulty file is
        reported (in ``file_errors``); otherwise the records read before the error stay counted and reported.

        A CSV record that the parser rejected after it ran over several lines (a stray quote opens a field that
        the next quote closes) has the lines after its first read again, as a file of their own whose line
        numbers map back through ``line_map``: one stray quote costs its record, not the records it swallowed.
        An id kept before (GDELT republishes events) is counted as a filtered duplicate.
        """
        format = self.format
        rejects_table = f"rejects_{next(_SCANS)}"
        counts: dict[str, int] = {}
        rejected: list[dict] = []
        yielded = False
        try:
            notes = _source(con, [m for m, _ in group], group[0][1], format, self.mapping, rejects_table)
            countries = "cameo" if format.startswith("gdelt") else "iso"
            con.execute(
                f"CREATE OR REPLACE TEMP VIEW classified AS {_classify_sql(self.filters, format, countries)}"
            )
            texts = outcomes(format)
            reader = con.sql(_stream_sql(notes)).to_arrow_reader(self.batch_rows)
            for batch in reader:
                _count_batch(batch, texts, counts, rejected)
                bar.update(batch.num_rows)
                kept = self._first_seen(_kept_rows(batch), counts)
                if kept.num_rows:
                    kept = _derive_columns(kept)
                    self.report.kept += kept.num_rows
                    bar.set_postfix(kept=f"{self.report.kept:,}", rejected=f"{self.report.rejected:,}")
                    yielded = True
                    yield kept
        except duckdb.InterruptException:
            raise KeyboardInterrupt from None  # Ctrl-C while DuckDB was reading: the run stops, no file error
        except duckdb.Error as exc:
            if not yielded and len(group) > 1:
                for member in group:
                    yield from self._scan(con, [member], bar)
                return
            names = ", ".join(str(shown) for _, shown in group)
            message = str(exc).splitlines()[0]
            self.report.file_errors.append(
                f"{names}: reading stopped with an error after {sum(counts.values()):,} records: {message}"
            )
        for status, n in counts.items():
            _count(self.report, status, n)
        origins = {str(member): shown for member, shown in group}
        parsed = _parse_rejects(con, rejects_table, origins, self.report, tabs=format in TAB_FORMATS)
        located = (
            _locate_rejects(con, pd.DataFrame(rejected), parsed, origins, format, self.report)
            if rejected
            else None
        )
        swallowed = None if format in TAB_FORMATS else _swallowed_lines(group[0][0], parsed, self.workdir)
        if swallowed is not None:  # the record as shown: its first line (the others are read again below)
            parsed["record"] = parsed["record"].str.split("\n").str[0].str.rstrip("\r")
        for frame in (parsed.drop(columns=["member", "extra"], errors="ignore"), located):
            if frame is not None:
                lines = (
                    frame["line"] if line_map is None else line_map[frame["line"].to_numpy(dtype=np.int64)]
                )
                self.rejects.append(frame.assign(line=pd.array(lines, dtype="Int64")))
        if swallowed is not None:
            copy, lines = swallowed
            try:
                yield from self._scan(
                    con, [(copy, group[0][1])], bar, lines if line_map is None else line_map[lines]
                )
            finally:
                copy.unlink(missing_ok=True)

    def _first_seen(self, kept: pa.Table, counts: dict[str, int]) -> pa.Table:
        """The rows of ``kept`` whose id was not kept before; the others counted as filtered duplicates."""
        if not kept.num_rows:
            return kept
        ids = kept.column("event_id").to_pylist()
        unique = set(ids)
        if len(unique) == len(ids) and self.seen_ids.isdisjoint(unique):  # the usual case, without a loop
            self.seen_ids |= unique
            return kept
        fresh = []
        for rec_id in ids:
            fresh.append(rec_id not in self.seen_ids)
            self.seen_ids.add(rec_id)
        repeated = len(ids) - sum(fresh)
        counts["kept"] -= repeated
        key = "filtered: duplicate event id (the first record kept)"
        counts[key] = counts.get(key, 0) + repeated
        return kept.filter(pa.array(fresh))

    def _finish(self) -> None:
        rejects = pd.concat(self.rejects, ignore_index=True) if self.rejects else pd.DataFrame()
        if len(rejects):
            folder = Path(self.rejects_dir) if self.rejects_dir else paths.REJECTS_DIR
            path = folder / f"rejects-{self.format}-{pd.Timestamp.now():%Y%m%d-%H%M%S-%f}.csv"
            outputs.write_csv(
                rejects.sort_values(["file", "line"], kind="stable"), path, quoting=csv.QUOTE_ALL
            )
            self.report.rejects_path = path
        self.report.check()


def _chunks(listed: list[Path]) -> Iterator[list[Path]]:
    """The files in groups of at most ``CHUNK_BYTES`` (a zip counted at 5x its size): bounded temporary disk use."""
    chunk, size = [], 0
    for path in listed:
        weight = path.stat().st_size * (5 if path.suffix.lower() == ".zip" else 1) if path.exists() else 0
        if chunk and size + weight > CHUNK_BYTES:
            yield chunk
            chunk, size = [], 0
        chunk.append(path)
        size += weight
    if chunk:
        yield chunk


def _count(report: IngestReport, status: str, n: int) -> None:
    """Add ``n`` records of outcome ``status`` (kept / filtered: reason / rejected: reason) to ``report``."""
    report.read += n
    if status == "kept":
        return
    kind, reason = status.split(": ", 1)
    if kind == "filtered":
        report.filtered += n
    else:
        report.rejected += n
    key = f"{kind}: {reason}"
    report.reasons[key] = report.reasons.get(key, 0) + n


def _count_batch(
    batch: pa.RecordBatch, texts: dict[int, str | None], counts: dict[str, int], rejected: list
) -> None:
    """Count the outcomes of a batch into ``counts``; append its rejected records (keys and reason) to ``rejected``."""
    for item in pc.value_counts(batch.column("code")).to_pylist():
        text = texts[item["values"]]
        if text is not None:
            counts[text] = counts.get(text, 0) + item["counts"]
    reasons = batch.column("reason")
    if reasons.null_count < len(reasons):
        for item in pc.value_counts(reasons.drop_null()).to_pylist():
            counts[item["values"]] = counts.get(item["values"], 0) + item["counts"]
    keys = batch.column("rejected")
    if keys.null_count < len(keys):
        mask = pc.is_valid(keys)
        codes = pc.filter(batch.column("code"), mask).to_pylist()
        for code, reason, row in zip(
            codes, pc.filter(reasons, mask).to_pylist(), pc.filter(keys, mask).to_pylist(), strict=True
        ):
            text = texts[code] if reason is None else reason
            rejected.append({**row, "reason": text.removeprefix("rejected: ")})


def _kept_rows(batch: pa.RecordBatch) -> pa.Table:
    """The kept records of a batch, in the fields of :data:`KEPT_COLUMNS`."""
    table = pa.Table.from_batches([batch])
    return table.select(list(KEPT_COLUMNS)).filter(pc.equal(table.column("code"), 0))


def _lookup_sql() -> list[str]:
    """SQL defining the lookups the classifier uses, as ENUM types and macros (casts and list look-ups).

    ``country_code_cameo``/``country_code_iso``: the known country codes, states first; ``state_iso3_*(e, code)``:
    the ISO3 code of a state (NULL for a region or an unknown code); ``cameo_description(code)`` and
    ``quad_class(code)``: a CAMEO code's description (``event`` if unknown) and its root's quad class (0 if none).
    """
    out = []
    for kind, table in (("cameo", _cameo_countries()), ("iso", _iso_countries())):
        states, others = table[table["is_state"]], table[~table["is_state"]]
        codes = [*states["code"], *others["code"]]
        out.append(f"CREATE TYPE country_code_{kind} AS ENUM ({_sql_list(codes)})")
        renamed = " ".join(
            f"WHEN {_sql_list([c])} THEN {_sql_list([i])}"
            for c, i in zip(states["code"], states["iso3"], strict=True)
            if c != i
        )
        iso3 = f"CASE code {renamed} ELSE code END" if renamed else "code"
        out.append(
            f"CREATE MACRO state_iso3_{kind}(e, code) AS "
            f"CASE WHEN enum_code(e::country_code_{kind}) < {len(states)} THEN {iso3} END"
        )
    codes = reference.load_cameo_codes().drop_duplicates("cameo_code")
    out.append(f"CREATE TYPE cameo_code_known AS ENUM ({_sql_list(codes['cameo_code'])})")
    out.append(
        f"CREATE MACRO cameo_description(c) AS coalesce([{_sql_list(codes['description'])}]"
        "[enum_code(TRY_CAST(c AS cameo_code_known)) + 1], 'event')"
    )
    quad = reference.load_quad_class_map("cameo")
    by_root = [int(quad.get(f"{i:02d}", 0)) for i in range(1, 21)]
    root = "TRY_CAST(substr(c, 1, 2) AS INTEGER)"
    out.append(
        f"CREATE MACRO quad_class(c) AS coalesce(CASE WHEN {root} BETWEEN 1 AND 20 THEN "
        f"{by_root}[{root}] END, 0)"
    )
    return out


class _connect:
    """A DuckDB connection with the lookup tables registered, closed on exit.

    DuckDB's memory is capped (``memory_limit``); past it, it spills to ``tmp``, so a large file costs disk,
    not memory.
    """

    def __init__(self, tmp: Path | None = None, memory_limit: str | None = None) -> None:
        self.tmp, self.memory_limit = tmp, memory_limit or os.environ.get("TENSIONS_DUCKDB_MEMORY", "256MB")

    def __enter__(self) -> duckdb.DuckDBPyConnection:
        self.con = duckdb.connect()
        try:
            return self._set_up()
        except (duckdb.InterruptException, RuntimeError) as exc:
            self.con.close()
            if isinstance(exc, duckdb.InterruptException) or "interrupted" in str(exc).lower():
                raise KeyboardInterrupt from None  # Ctrl-C while the connection was set up
            raise
        except BaseException:
            self.con.close()
            raise

    def _set_up(self) -> duckdb.DuckDBPyConnection:
        """Limit memory and spill to ``tmp``; load the lookup tables the classifier joins."""
        self.con.execute("SET enable_progress_bar = false")
        self.con.execute(f"SET memory_limit = '{self.memory_limit}'")
        if self.tmp is not None:
            self.con.execute(f"SET temp_directory = '{_sql_path(self.tmp)}'")
        for statement in _lookup_sql():
            self.con.execute(statement)
        tables = {  # the name tables some formats join (ICEWS and ACLED country names, ACLED's event types)
            "country_names": _country_names(),
            "numeric_countries": _numeric_countries(),
            "acled_cameo": _acled_cameo(),
        }
        for name, frame in tables.items():
            self.con.register("lookup_frame", frame)
            self.con.execute(f"CREATE TABLE {name} AS SELECT * FROM lookup_frame")
            self.con.unregister("lookup_frame")
        return self.con

    def __exit__(self, *exc) -> None:
        self.con.close()


def _prepare(path: Path, tmp: Path) -> list[tuple[Path, Path]]:
    """(file to read, name to show) for ``path``: itself, or the members of a zip."""
    if not path.exists():
        raise IngestError(f"{path}: file not found")
    if path.is_dir():
        raise IngestError(f"{path}: a folder, not a file")
    if path.stat().st_size == 0:
        raise IngestError(f"{path}: empty file (no records)")
    if path.suffix.lower() == ".zip":
        return _unzipped(path, tmp)
    return [(path, path)]


def _check_layout(file: Path, origin: Path, format: str, mapping) -> None:
    """Raise :class:`IngestError` if the first line of ``file`` does not look like ``format``."""
    if format in GDELT_FIELD_COUNTS:
        counts, n = GDELT_FIELD_COUNTS[format], len(_first_line(file, origin))
        if n not in counts:
            raise IngestError(
                f"{origin}: line 1 has {n} tab-separated fields; a {format} file has "
                f"{' or '.join(map(str, counts))} — is this the right format?"
            )
    elif format == "icews":
        header = _first_line(file, origin)
        if tuple(header) != ICEWS_COLUMNS:
            raise IngestError(
                f"{origin}: line 1 is not the ICEWS header ({len(header)} fields: {', '.join(header[:4])}...)"
            )
    elif format == "acled":
        _csv_header(file, origin, ACLED_REQUIRED, "ACLED")
    else:
        spec = _load_mapping(mapping)
        _csv_header(file, origin, [spec[k] for k in CSV_REQUIRED], "mapped", spec.get("delimiter", ","))


def _source(con, files: list[Path], origin: Path, format: str, mapping, rejects: str) -> str:
    """Create the ``source`` view over ``files``; return the format's notes expression."""
    if format in ("gdelt1", "gdelt2"):
        return _source_gdelt(con, files, format, rejects)
    if format == "icews":
        return _source_icews(con, files, rejects)
    if format == "acled":
        return _source_acled(con, files[0], rejects)
    return _source_csv(con, files[0], origin, mapping, rejects)


def _arrow_to_pandas(table) -> pd.DataFrame:
    """An Arrow table as pandas with text as ``string`` columns (no copy of the text)."""
    text = {
        pa.string(): pd.StringDtype(),
        pa.large_string(): pd.StringDtype(),
        pa.string_view(): pd.StringDtype(),
    }
    return table.to_pandas(types_mapper=text.get)


def _parse_rejects(
    con, table: str, origins: dict[str, Path], report: IngestReport, tabs: bool
) -> pd.DataFrame:
    """Records DuckDB's reader could not parse (wrong field count, bad quoting, bad encoding), one per line."""
    record = "ltrim(any_value(e.csv_line), chr(10) || chr(13))"
    found = (  # a tab-separated line's own field count; DuckDB's message for CSV records
        f"len(string_split({record}, chr(9)))"
        if tabs
        else "max(TRY_CAST(regexp_extract(e.error_message, 'Found: (\\d+)', 1) AS INTEGER))"
    )
    try:
        errors = con.execute(f"""
            SELECT s.file_path AS member, e.line, CASE WHEN any_value(e.error_type) IN ('TOO MANY COLUMNS',
                'MISSING COLUMNS') THEN 'wrong number of fields (' || {found} || ')'
                ELSE 'malformed record: ' || lower(any_value(e.error_type)::VARCHAR) END AS reason,
                {record} AS record
            FROM {table} e JOIN {table}_scan s USING (scan_id, file_id)
            GROUP BY s.file_path, e.line ORDER BY 1, 2""").df()
    except duckdb.CatalogException:  # nothing was rejected: DuckDB made no table
        return _rejects_frame([], [], [], []).assign(
            member=pd.Series(dtype=str), extra=pd.Series(dtype="int64")
        )
    for reason in errors["reason"]:
        key = f"rejected: {reason.split(' (')[0]}"
        report.reasons[key] = report.reasons.get(key, 0) + 1
    report.read += len(errors)
    report.rejected += len(errors)
    files = [str(origins.get(m, m)) for m in errors["member"]]
    extra = errors["record"].fillna("").str.rstrip("\r\n").str.count("\n").to_numpy(dtype=np.int64)
    lines = errors["line"].to_numpy(dtype=np.int64)
    if not tabs:  # the reader numbers records: a record over several lines moves the next ones down
        before = errors.assign(extra=extra).groupby("member", sort=False)["extra"].cumsum().to_numpy() - extra
        lines = lines + before
    frame = _rejects_frame(files, lines, errors["reason"], errors["record"])
    frame["member"] = errors["member"].to_numpy()
    frame["extra"] = extra
    return frame


def _locate_rejects(
    con,
    rejected: pd.DataFrame,
    parsed: pd.DataFrame,
    origins: dict[str, Path],
    format: str,
    report: IngestReport,
) -> pd.DataFrame:
    """File, line, reason and text of the records the classifier rejected."""
    frames = []
    for member, rows in rejected.groupby("filename", sort=True):
        origin = origins.get(member, Path(member))
        if (
            format not in TAB_FORMATS
        ):  # the reader numbered its records: count back the lines it could not parse
            skipped = parsed[parsed.get("member", pd.Series(dtype=str)) == member]
            lines = _shift_lines(rows["line_no"], skipped["line"], skipped["extra"])
            frames.append(_rejects_frame([str(origin)] * len(rows), lines, rows["reason"], rows["line_text"]))
            continue
        keys = ["raw_id", "key_b", "key_c", "key_d", "key_e", "key_f"]
        found = _find_lines(con, Path(member), rows[[*keys, "reason"]].drop_duplicates(), format)
        if len(found) != len(rows):  # an id shared by several lines, or a line the reader read differently
            report.file_errors.append(
                f"{origin}: {len(rows)} record(s) rejected, {len(found)} line(s) found for them in the rejects file"
            )
        frames.append(
            _rejects_frame([str(origin)] * len(found), found["line"], found["reason"], found["record"])
        )
    return pd.concat(frames, ignore_index=True) if frames else _rejects_frame([], [], [], [])


def _find_lines(con, file: Path, wanted: pd.DataFrame, format: str) -> pd.DataFrame:
    """Read a tab-separated file again, numbering its lines, and find the rejected records by their id and key fields.

    The file is read as bytes, line by line, so that no encoding (Cyrillic or Turkish names in UTF-8, a stray
    Latin-1 byte) can stop the count of lines; only the lines whose first field is a wanted id are decoded (as
    UTF-8, as DuckDB read them). A "wrong number of fields" reason is completed with the line's own field count.
    """
    del con  # the lookup needs no SQL: one sequential read of the file
    header = format == "icews"
    keys = ICEWS_KEYS if header else GDELT_KEYS
    names = ICEWS_COLUMNS if header else _gdelt_names(format)
    positions = [names.index(k) for k in keys]
    wanted_keys: dict[tuple, list[str]] = {}
    for row in wanted.itertuples(index=False):
        key = tuple(
            None if pd.isna(v) else str(v)
            for v in (row.raw_id, row.key_b, row.key_c, row.key_d, row.key_e, row.key_f)
        )
        wanted_keys.setdefault(key, []).append(row.reason)
    ids = {k[0].encode("utf-8") if k[0] is not None else b"" for k in wanted_keys}
    found: list[tuple[int, str, str]] = []
    with file.open("rb") as handle:
        for line_no, raw in enumerate(handle, start=1):
            if line_no == 1:
                raw = raw.removeprefix(b"\xef\xbb\xbf")
                if header:
                    continue
            if raw.split(b"\t", 1)[0].rstrip(b"\r\n") not in ids:
                continue
            text = raw.decode("utf-8", errors="replace").rstrip("\r\n")
            fields = text.split("\t")
            key = tuple((fields[i] if i < len(fields) else "") or None for i in (0, *positions))
            for reason in wanted_keys.get(key, ()):
                if reason == "wrong number of fields":
                    reason = f"{reason} ({len(fields)})"
                found.append((line_no, reason, text))
    return pd.DataFrame(found, columns=["line", "reason", "record"])


def _swallowed_lines(file: Path, parsed: pd.DataFrame, workdir: Path) -> tuple[Path, np.ndarray] | None:
    """The lines that rejected multi-line CSV records ran over, as a new file (header + those lines), and its lines.

    Only a record rejected for its quoting counts (a quote opened by mistake). Returns ``None`` when there is
    none. The array gives, for each line of the new file (index = line number), its line in ``file``; every
    rejected record's lines after its first are there, in order, so that one pass reads all of them again.
    """
    quoting = ("malformed record: unquoted value", "malformed record: unterminated quote")
    spans = [
        (int(line), record.rstrip("\r\n").count("\n"))
        for line, record, reason in zip(parsed["line"], parsed["record"], parsed["reason"], strict=True)
        if reason in quoting and isinstance(record, str) and "\n" in record.rstrip("\r\n")
    ]
    if not spans:
        return None
    with file.open("rb") as handle:
        lines = handle.readlines()
    wanted = sorted(
        {n for first, extra in spans for n in range(first + 1, first + extra + 1) if n <= len(lines)}
    )
    copy = workdir / f"{next(_MEMBERS)}-reread-{file.name}"
    copy.write_bytes(b"".join([lines[0], *(lines[n - 1] for n in wanted)]))
    return copy, np.array([0, 1, *wanted], dtype=np.int64)


def _shift_lines(record_lines: pd.Series, skipped: pd.Series, extra: pd.Series | None = None) -> pd.Series:
    """Line numbers of records numbered as read, given the lines where the reader skipped unparsable records.

    A skipped record on line ``h_j`` (the ``j``-th, from 0) takes ``1 + extra_j`` lines. The record numbered
    ``r`` lies after every skipped record whose count of readable lines before it, ``h_j`` minus the lines the
    earlier skipped records took, is at most ``r``: one sorted search per record, however many were skipped.

    >>> _shift_lines(pd.Series([2, 4]), pd.Series([3])).tolist()  # line 3 was skipped: record 4 is on line 5
    [2, 5]
    >>> _shift_lines(pd.Series([2, 3, 4]), pd.Series([3, 4])).tolist()
    [2, 5, 6]
    >>> _shift_lines(pd.Series([2, 3]), pd.Series([2]), pd.Series([2])).tolist()  # lines 2-4: one record
    [5, 6]
    """
    holes = np.asarray(skipped, dtype=np.int64)
    taken = 1 + (np.zeros(len(holes), np.int64) if extra is None else np.asarray(extra, dtype=np.int64))
    order = np.argsort(holes, kind="stable")
    holes, taken = holes[order], taken[order]
    through = np.cumsum(taken)
    readable = holes - (through - taken)
    lines = np.asarray(record_lines, dtype=np.int64)
    passed = np.searchsorted(readable, lines, side="right")
    shift = np.where(passed > 0, through[np.maximum(passed - 1, 0)], 0) if len(holes) else 0
    return pd.Series(pd.array(lines + shift, dtype="Int64"), index=record_lines.index)


def _rejects_frame(files, lines, reasons, records) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "file": pd.array(list(files), dtype="string"),
            "line": pd.array(np.asarray(lines, dtype=np.int64), dtype="Int64"),
            "reason": pd.array(list(reasons), dtype="string"),
            "record": pd.array(list(records), dtype="string"),
        }
    )


def _first_line(file: Path, shown: Path | None = None) -> list[str]:
    """The fields of the first non-blank line (``.gz`` files decompressed, a byte-order mark dropped)."""
    opener = gzip.open if file.suffix.lower() == ".gz" else open
    try:
        with opener(file, "rb") as handle:
            for raw in handle:
                line = raw.decode("utf-8", errors="replace").lstrip("\ufeff").rstrip("\r\n")
                if line:
                    return line.split("\t")
    except (OSError, EOFError) as exc:
        raise IngestError(f"{shown or file}: cannot be read: {exc}") from exc
    raise IngestError(f"{shown or file}: no record (blank lines only)")


@cache
def _gdelt_names(format: str) -> tuple[str, ...]:
    """The column names of a GDELT 1.0 (58) or 2.0 (61) events file, from ``data/reference/gdelt_columns.csv``."""
    table = "gdelt1_events" if format == "gdelt1" else "gdelt2_events"
    columns = pd.read_csv(paths.GDELT_COLUMNS_CSV)
    return tuple(columns[columns["table"] == table].sort_values("position")["name"])


def _source_gdelt(con, files: list[Path], format: str, rejects: str) -> str:
    names = list(_gdelt_names(format))
    counts = GDELT_FIELD_COUNTS[format]
    # GDELT 1.0 mixes 57-field back-file lines and 58-field daily lines: read 58, pad, and require DATEADDED
    padded = len(counts) > 1
    version = "1.0" if format == "gdelt1" else "2.0"
    url = '"SOURCEURL"' if "SOURCEURL" in names else "NULL"
    con.execute(f"""CREATE OR REPLACE TEMP VIEW source AS SELECT
        'gdelt:' || "GLOBALEVENTID" AS rec_id,
        CASE WHEN regexp_full_match("SQLDATE", '\\d{{8}}') THEN TRY_CAST(try_strptime("SQLDATE", '%Y%m%d') AS DATE)
            END AS date,
        'day' AS date_precision, NULL::DATE AS end_date, NULL::VARCHAR AS date_note,
        "Actor1CountryCode" AS a1_code, "Actor2CountryCode" AS a2_code, "EventCode" AS cameo_code,
        TRY_CAST("GoldsteinScale" AS DOUBLE) AS goldstein, NULL::VARCHAR AS goldstein_note,
        {'"DATEADDED" IS NOT NULL' if padded else "TRUE"} AS count_ok,
        NULL::VARCHAR AS extra_reject, NULL::VARCHAR AS extra_filter,
        "Actor1Name" AS actor_detail, "Actor2Name" AS target_detail, "ActionGeo_FullName" AS location,
        "ActionGeo_Lat" AS latitude, "ActionGeo_Long" AS longitude, NULL::VARCHAR AS confidence,
        {url} AS note_a, NULL::VARCHAR AS note_b, NULL::VARCHAR AS note_c,
        "GLOBALEVENTID" AS raw_id, {", ".join(f'"{k}" AS key_{c}' for c, k in zip("bcdef", GDELT_KEYS, strict=True))},
        NULL::VARCHAR AS line_text, NULL::BIGINT AS line_no, filename
        FROM {_scan_tsv(files, names, rejects, header=False, null_padding=padded)}""")
    return f"'GDELT {version}; source article: ' || coalesce(note_a, 'n/a')"


def _source_icews(con, files: list[Path], rejects: str) -> str:
    def field(name: str) -> str:
        return f"NULLIF(\"{name}\", 'NA')"

    def side(name: str) -> str:  # an ISO3 code, or the unknown name (rejected as an unknown country)
        return (
            f"CASE WHEN {field(name)} IS NULL THEN NULL ELSE coalesce((SELECT iso3 FROM country_names c "
            f"WHERE c.name = lower({field(name)})), 'name:' || \"{name}\") END"
        )

    con.execute(f"""CREATE OR REPLACE TEMP VIEW source AS SELECT
        'icews:' || "Event ID" AS rec_id,
        CASE WHEN regexp_full_match("Event Date", '\\d{{4}}-\\d{{2}}-\\d{{2}}')
            THEN TRY_CAST(try_strptime("Event Date", '%Y-%m-%d') AS DATE) END AS date,
        'day' AS date_precision, NULL::DATE AS end_date, NULL::VARCHAR AS date_note,
        {side("Source Country")} AS a1_code, {side("Target Country")} AS a2_code,
        {field("CAMEO Code")} AS cameo_code, TRY_CAST({field("Intensity")} AS DOUBLE) AS goldstein,
        'ICEWS Intensity' AS goldstein_note, TRUE AS count_ok,
        NULL::VARCHAR AS extra_reject, NULL::VARCHAR AS extra_filter,
        {field("Source Name")} AS actor_detail, {field("Target Name")} AS target_detail, {field("City")} AS location,
        {field("Latitude")} AS latitude, {field("Longitude")} AS longitude, NULL::VARCHAR AS confidence,
        {field("Story ID")} AS note_a, {field("Publisher")} AS note_b, NULL::VARCHAR AS note_c,
        "Event ID" AS raw_id, {", ".join(f'"{k}" AS key_{c}' for c, k in zip("bcdef", ICEWS_KEYS, strict=True))},
        NULL::VARCHAR AS line_text, NULL::BIGINT AS line_no, filename
        FROM {_scan_tsv(files, ICEWS_COLUMNS, rejects, header=True, null_padding=False)}""")
    return "'ICEWS; story ' || coalesce(note_a, '?') || ', publisher ' || coalesce(note_b, '?')"


def _csv_header(
    file: Path, origin: Path, required: Sequence[str], what: str, delimiter: str = ","
) -> list[str]:
    header = _header_fields(file, origin, delimiter)
    absent = [c for c in required if c not in header]
    if absent:
        raise IngestError(f"{origin}: line 1 lacks the {what} column(s) {', '.join(absent)}")
    return header


def _header_fields(file: Path, origin: Path, delimiter: str = ",") -> list[str]:
    """The column names on line 1 of a CSV file (``.gz`` decompressed, a byte-order mark dropped).

    Only line 1 is parsed, so that a stray quote further down cannot make the header unreadable.
    """
    opener = gzip.open if file.suffix.lower() == ".gz" else open
    try:
        with opener(file, "rt", encoding="utf-8-sig", errors="replace", newline="") as handle:
            line = handle.readline()
    except (OSError, EOFError) as exc:
        raise IngestError(f"{origin}: cannot be read: {exc}") from exc
    if not line.strip():
        raise IngestError(f"{origin}: line 1 is not a CSV header (it is empty)")
    try:
        return next(csv.reader([line], delimiter=delimiter, strict=True))
    except csv.Error as exc:
        raise IngestError(f"{origin}: line 1 is not a CSV header: {exc}") from exc


def _source_acled(con, file: Path, rejects: str) -> str:
    def country_of(actor: str) -> str:  # rules 1-3 of the module docstring
        organ = f"nullif(regexp_extract({actor}, '(?:Forces|Government) of (?:the )?(.+?)(?: \\(|$)', 1), '')"
        bracket = f"nullif(regexp_extract({actor}, '\\(([^()]+)\\)\\s*$', 1), '')"
        named = (
            f"coalesce((SELECT iso3 FROM country_names c WHERE c.name = lower({organ})), "
            f"(SELECT iso3 FROM country_names c WHERE c.name = lower({bracket})))"
        )
        return f"CASE WHEN nullif({actor}, '') IS NULL THEN NULL ELSE coalesce({named}, event_iso3, 'iso:' || iso) END"

    con.execute(f"""CREATE OR REPLACE TEMP VIEW source AS SELECT
        'acled:' || event_id_cnty AS rec_id,
        CASE WHEN time_precision = '3' THEN date_trunc('month', day)::DATE ELSE day END AS date,
        CASE WHEN time_precision = '3' THEN 'month' ELSE 'day' END AS date_precision,
        NULL::DATE AS end_date,
        CASE time_precision WHEN '2' THEN 'ACLED time_precision 2: the source dates it within a week or a few days'
            WHEN '3' THEN 'ACLED time_precision 3: month or longer; ACLED date ' || event_date END AS date_note,
        {country_of("actor1")} AS a1_code, {country_of("actor2")} AS a2_code,
        m.cameo_code, m.goldstein,
        'GDELT weight of CAMEO ' || m.cameo_code || ', mapped from ACLED ' || s.sub_event_type AS goldstein_note,
        TRUE AS count_ok,
        CASE WHEN m.sub_event_type IS NULL THEN 'unknown ACLED event type ' || coalesce(s.event_type, '') || ' / '
            || coalesce(s.sub_event_type, '') END AS extra_reject,
        CASE WHEN m.sub_event_type IS NOT NULL AND m.cameo_code IS NULL
            THEN 'ACLED sub-event type without a CAMEO equivalent' END AS extra_filter,
        actor1 AS actor_detail, actor2 AS target_detail,
        concat_ws(', ', nullif(location, ''), nullif(admin1, ''), nullif(country, '')) AS location,
        latitude, longitude, NULL::VARCHAR AS confidence,
        fatalities AS note_a, interaction AS note_b, s.source AS note_c,
        event_id_cnty AS raw_id, NULL AS key_b, NULL AS key_c, NULL AS key_d, NULL AS key_e, NULL AS key_f,
        concat_ws(',', event_id_cnty, event_date, s.event_type, s.sub_event_type, actor1, actor2, iso) AS line_text,
        line_no, '{_sql_path(file)}' AS filename
        FROM (SELECT row_number() OVER () + 1 AS line_no, *,
                     coalesce(try_strptime(event_date, '%Y-%m-%d'), try_strptime(event_date, '%d %B %Y'))::DATE AS day,
                     (SELECT iso3 FROM numeric_countries n
                      WHERE n.numeric = lpad(CAST(TRY_CAST(iso AS DOUBLE) AS INTEGER)::VARCHAR, 3, '0')) AS event_iso3
              FROM {_scan_csv(file, rejects)}) s
        LEFT JOIN acled_cameo m ON m.event_type = s.event_type AND m.sub_event_type = s.sub_event_type""")
    return (
        "'ACLED; ' || coalesce(note_a, '?') || ' fatalities; interaction ' || coalesce(note_b, '?') "
        "|| '; source: ' || coalesce(note_c, '?')"
    )


def _source_csv(con, file: Path, origin: Path, mapping, rejects: str) -> str:
    spec = _load_mapping(mapping)
    delimiter = spec.get("delimiter", ",")
    header = _csv_header(file, origin, [spec[k] for k in CSV_REQUIRED], "mapped", delimiter)
    date_format = spec.get("date_format", "%Y-%m-%d").replace("'", "''")

    def q(key: str) -> str:
        return '"' + spec[key].replace('"', '""') + '"'

    def optional(key: str) -> str:
        return q(key) if key in spec and spec[key] in header else "NULL::VARCHAR"

    con.execute(f"""CREATE OR REPLACE TEMP VIEW source AS SELECT
        {q("event_id")} AS rec_id, TRY_CAST(try_strptime({q("date")}, '{date_format}') AS DATE) AS date,
        'day' AS date_precision, NULL::DATE AS end_date, NULL::VARCHAR AS date_note,
        upper({q("actor")}) AS a1_code, upper({q("target")}) AS a2_code, lpad({q("cameo_code")}, 3, '0') AS cameo_code,
        TRY_CAST({q("goldstein")} AS DOUBLE) AS goldstein, NULL::VARCHAR AS goldstein_note, TRUE AS count_ok,
        CASE WHEN {optional("confidence")} IS NOT NULL AND lower({optional("confidence")}) NOT IN
            ('confirmed', 'reported', 'alleged') THEN 'unknown confidence ' || {optional("confidence")} END
            AS extra_reject, NULL::VARCHAR AS extra_filter,
        NULL::VARCHAR AS actor_detail, NULL::VARCHAR AS target_detail, NULL::VARCHAR AS location,
        NULL::VARCHAR AS latitude, NULL::VARCHAR AS longitude, lower({optional("confidence")}) AS confidence,
        NULL::VARCHAR AS note_a, NULL::VARCHAR AS note_b, NULL::VARCHAR AS note_c,
        {q("event_id")} AS raw_id, NULL AS key_b, NULL AS key_c, NULL AS key_d, NULL AS key_e, NULL AS key_f,
        concat_ws(',', {", ".join(q(k) for k in CSV_REQUIRED)}) AS line_text, line_no,
        '{_sql_path(file)}' AS filename
        FROM (SELECT row_number() OVER () + 1 AS line_no, * FROM {_scan_csv(file, rejects, delimiter)})""")
    return "'CSV " + origin.name.replace("'", "''") + "'"


def _load_mapping(mapping) -> dict[str, str]:
    """The csv mapping (our field -> the file's column) from a dict, a YAML file or a TOML file (``.toml``)."""
    if mapping is None:
        raise IngestError(
            "format 'csv' needs a mapping (our field -> your column), as a dict or a YAML/TOML file"
        )
    if isinstance(mapping, Mapping):
        return dict(mapping)
    path = Path(mapping)
    if not path.exists():
        raise IngestError(f"{path}: mapping file not found")
    if path.suffix.lower() == ".toml":
        import tomllib

        return dict(tomllib.loads(path.read_text(encoding="utf-8")))
    import yaml

    return dict(yaml.safe_load(path.read_text(encoding="utf-8")))


def _to_schema(kept: pd.DataFrame | None) -> pd.DataFrame:
    """Kept rows (in the event columns, from SQL and Arrow) typed like ``load_events`` and checked by its schema.

    Types, order and checks come from :mod:`tensions.schema` (``coerce_events``, ``validate_events``); ``origin``
    is added by :func:`tensions.ingest.read_events`.
    """
    if kept is None or kept.empty:
        kept = pd.DataFrame({c: pd.Series(dtype="string") for c in [*EVENT_COLUMNS, "pair"]})
    out = coerce_events(kept[[*EVENT_COLUMNS, "pair"]])
    return validate_events(out).reset_index(drop=True)
