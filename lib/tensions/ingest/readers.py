"""Readers of GDELT 1.0, GDELT 2.0, ICEWS and mapped CSV files, built on DuckDB.

How each format becomes our events:

* **GDELT** (tab-separated, no header; 1.0 daily files have 58 columns, back-files 57, 2.0 exports 61; names
  from ``data/reference/gdelt_columns.csv``). Every line is read as text and split in SQL, so a line with the
  wrong number of fields is rejected with its line number instead of being padded or dropped. ``actor`` and
  ``target`` come from ``Actor1CountryCode``/``Actor2CountryCode`` (CAMEO codes, mapped to ISO3 through
  ``cameo_country_codes.tsv``), never from the noisy geography fields; the geography fields, which are FIPS 10-4
  (``RS`` is Russia, not Serbia), only give the location. ``SQLDATE`` is a calendar date with no time zone and is
  parsed as such. ``EventCode`` stays a zero-padded string; Goldstein is read whether written ``-4`` or ``7.0``.
* **ICEWS** (tab-separated with a header, ``NA`` for missing): ``Source Country``/``Target Country`` are full
  names mapped to ISO3 with pycountry plus a short alias table; ``Intensity`` is the Goldstein-like weight.
* **CSV**: any file with a header, given a mapping from our fields to its columns.

Records with no state on either side, or the same state on both, are *filtered* (not country-pair events);
records whose fields cannot be read (bad date, non-numeric weight, unknown country code, wrong field count) are
*rejected* with their reason. Machine-coded events get the confidence ``reported``.
"""

from __future__ import annotations

import csv
import glob
import tempfile
import zipfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import duckdb
import pandas as pd
import pycountry

from tensions import paths, reference
from tensions.data import canonical_pairs

FORMATS = ("gdelt1", "gdelt2", "icews", "csv")
CSV_REQUIRED = ("event_id", "date", "actor", "target", "cameo_code", "goldstein")
GDELT_FIELD_COUNTS = {"gdelt1": (57, 58), "gdelt2": (61,)}
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
EVENT_COLUMNS = [
    "event_id",
    "date",
    "date_precision",
    "end_date",
    "actor",
    "target",
    "actor_detail",
    "target_detail",
    "cameo_code",
    "quad_class",
    "goldstein",
    "goldstein_note",
    "title",
    "description",
    "themes",
    "location",
    "latitude",
    "longitude",
    "confidence",
    "source_ids",
    "evidence",
    "date_note",
    "group_id",
    "notes",
]


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


def expand_paths(paths_or_globs: str | Path | Iterable[str | Path]) -> list[Path]:
    """One path, a list, or glob patterns -> sorted existing paths (a pattern that matches nothing is an error)."""
    items = [paths_or_globs] if isinstance(paths_or_globs, (str, Path)) else list(paths_or_globs)
    found: list[Path] = []
    for item in items:
        text = str(item)
        if any(ch in text for ch in "*?["):
            matches = sorted(glob.glob(text))
            if not matches:
                raise IngestError(f"{text}: no file matches this pattern")
            found += [Path(m) for m in matches]
        else:
            found.append(Path(text))
    return found


def _unzipped(path: Path, workdir: Path) -> list[Path]:
    """The member files of a zip, extracted to ``workdir`` (a truncated zip gives a clear error)."""
    try:
        with zipfile.ZipFile(path) as archive:
            members = [m for m in archive.namelist() if not m.endswith("/")]
            out = []
            for member in members:
                target = workdir / f"{path.stem}-{Path(member).name}"
                with archive.open(member) as src, target.open("wb") as dst:
                    while chunk := src.read(1 << 20):
                        dst.write(chunk)
                out.append(target)
            return out
    except (zipfile.BadZipFile, EOFError, zipfile.LargeZipFile) as exc:
        raise IngestError(f"{path}: not a readable zip file (truncated or corrupt): {exc}") from exc


# ------------------------------------------------------------------------------------------------ lookups


@cache
def _cameo_countries() -> pd.DataFrame:
    codes = reference.load_cameo_country_codes()
    codes = codes[codes["cameo_code"].str.len() == 3].copy()
    codes["iso3"] = codes["iso3_equivalent"].where(codes["iso3_equivalent"] != "", None)
    codes["is_state"] = codes["kind"].isin(["state", "historical_state"]) & codes["iso3"].notna()
    return codes[["cameo_code", "iso3", "is_state"]]


def country_name_to_iso3(name: str | None) -> str | None:
    """ISO3 code of a country name as ICEWS writes it, or None.

    >>> country_name_to_iso3("Russian Federation"), country_name_to_iso3("Azerbaijan"), country_name_to_iso3("NA")
    ('RUS', 'AZE', None)
    """
    if name is None or name in ("", "NA"):
        return None
    if name in COUNTRY_ALIASES:
        return COUNTRY_ALIASES[name]
    try:
        return pycountry.countries.lookup(name).alpha_3
    except LookupError:
        return None


# ------------------------------------------------------------------------------------------------ SQL pieces


def _lines_relation(con: duckdb.DuckDBPyConnection, file: Path, name: str) -> None:
    """Register ``name`` as the file's lines: (line_no, line). No quoting: GDELT and ICEWS have none."""
    con.execute(f"""
        CREATE OR REPLACE TEMP VIEW {name} AS
        SELECT row_number() OVER () AS line_no, line FROM read_csv(
            '{_sql_path(file)}', columns={{'line': 'VARCHAR'}}, delim='\x1f', quote='', escape='',
            header=false, auto_detect=false, new_line='\\n', strict_mode=false, null_padding=false)""")


def _sql_path(path: Path) -> str:
    return str(path).replace("'", "''")


def _gdelt_select(names: list[str], counts: tuple[int, ...]) -> str:
    def col(name: str) -> str:
        return f"NULLIF(f[{names.index(name) + 1}], '')"

    return f"""
        SELECT line_no, line, len(f) AS n_fields, {
        ", ".join(
            f'{col(n)} AS "{n}"'
            for n in (
                "GLOBALEVENTID",
                "SQLDATE",
                "Actor1Name",
                "Actor1CountryCode",
                "Actor2Name",
                "Actor2CountryCode",
                "EventCode",
                "GoldsteinScale",
                "QuadClass",
                "ActionGeo_FullName",
                "ActionGeo_CountryCode",
                "ActionGeo_Lat",
                "ActionGeo_Long",
            )
        )
    },
            {
        f"NULLIF(f[{names.index('SOURCEURL') + 1}], '')" if "SOURCEURL" in names else "NULL"
    } AS source_url,
            len(f) IN ({", ".join(map(str, counts))}) AS count_ok
        FROM (SELECT line_no, line, string_split(line, chr(9)) AS f FROM lines WHERE line IS NOT NULL AND line <> '')"""


def _classify(
    record_id: str, date_sql: str, a1: str, a2: str, code: str, goldstein: str, filters: str
) -> str:
    """SQL computing ``status`` (kept / filtered: reason / rejected: reason) and the converted fields."""
    return f"""
        SELECT r.*, x.actor, x.target, CASE
            WHEN NOT count_ok THEN 'rejected: wrong number of fields (' || n_fields || ')'
            WHEN r.date IS NULL THEN 'rejected: invalid date'
            WHEN r.goldstein IS NULL THEN 'rejected: non-numeric Goldstein'
            WHEN r.cameo_code IS NULL OR NOT regexp_full_match(r.cameo_code, '\\d{{2,4}}')
                THEN 'rejected: invalid CAMEO code'
            WHEN r.a1_code IS NOT NULL AND a1.cameo_code IS NULL THEN 'rejected: unknown country code ' || r.a1_code
            WHEN r.a2_code IS NOT NULL AND a2.cameo_code IS NULL THEN 'rejected: unknown country code ' || r.a2_code
            WHEN x.actor IS NULL OR x.target IS NULL THEN 'filtered: not a country pair'
            WHEN x.actor = x.target THEN 'filtered: domestic (same country on both sides)'
            WHEN NOT ({filters}) THEN 'filtered: outside the requested countries, dates or codes'
            ELSE 'kept' END AS status
        FROM (
            SELECT s.*, {record_id} AS record_id, {date_sql} AS date, {a1} AS a1_code, {a2} AS a2_code,
                   {code} AS cameo_code, TRY_CAST({goldstein} AS DOUBLE) AS goldstein
            FROM source s) r
        LEFT JOIN countries a1 ON a1.cameo_code = r.a1_code
        LEFT JOIN countries a2 ON a2.cameo_code = r.a2_code
        CROSS JOIN LATERAL (SELECT CASE WHEN a1.is_state THEN a1.iso3 END AS actor,
                                   CASE WHEN a2.is_state THEN a2.iso3 END AS target) x"""


def _filters_sql(
    countries: Sequence[str] | None, pairs: Sequence[str] | None, start, end, root_codes: Sequence[str] | None
) -> str:
    parts = ["TRUE"]
    if countries:
        listed = ", ".join(f"'{c}'" for c in countries)
        parts.append(f"(x.actor IN ({listed}) OR x.target IN ({listed}))")
    if pairs:
        listed = ", ".join(f"'{p}'" for p in pairs)
        parts.append(f"(least(x.actor, x.target) || '-' || greatest(x.actor, x.target)) IN ({listed})")
    if start is not None:
        parts.append(f"r.date >= DATE '{pd.Timestamp(start).date()}'")
    if end is not None:
        parts.append(f"r.date <= DATE '{pd.Timestamp(end).date()}'")
    if root_codes:
        parts.append(
            f"substr(r.cameo_code, 1, 2) IN ({', '.join(repr(str(c).zfill(2)) for c in root_codes)})"
        )
    return " AND ".join(parts)


# ------------------------------------------------------------------------------------------------ readers


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
) -> tuple[pd.DataFrame, IngestReport]:
    """Read event files into the workbook's event schema, filtering while reading.

    Args:
        files: a path, a list of paths, or glob patterns; ``.zip`` and ``.gz`` files are read too.
        format: ``gdelt1``, ``gdelt2``, ``icews`` or ``csv``.
        countries: keep events where actor or target is one of these ISO3 codes.
        start, end: keep events dated within [start, end].
        pairs: keep these canonical pairs (``AZE-RUS``).
        root_codes: keep these CAMEO root codes (``"19"``...).
        mapping: for ``csv``: our field -> the file's column (``event_id``, ``date``, ``actor``, ``target``,
            ``cameo_code``, ``goldstein``; optional ``date_format`` (strptime, default ``%Y-%m-%d``), ``title``,
            ``confidence``), as a dict or a YAML file.
        rejects_dir: where the rejects CSV goes (default ``reports/rejects/``).

    Returns:
        ``(events, report)``: events with the curated columns plus ``pair`` (accepted by ``score_dyads`` and
        the chart builders), and the :class:`IngestReport` (``read``, ``kept``, ``filtered``, ``rejected``,
        ``rejects_path``).
    """
    if format not in FORMATS:
        raise ValueError(f"format must be one of {', '.join(FORMATS)}, got {format!r}")
    listed = expand_paths(files)
    if format == "csv":  # a wrong mapping concerns every file: say so at once
        missing = [k for k in CSV_REQUIRED if k not in _load_mapping(mapping)]
        if missing:
            raise IngestError(f"the csv mapping lacks {', '.join(missing)} (our field -> your column)")
    report = IngestReport(format=format, files=[str(p) for p in listed])
    filters = _filters_sql(countries, pairs, start, end, root_codes)
    kept_frames, reject_frames = [], []
    with tempfile.TemporaryDirectory() as tmp:
        con = duckdb.connect()
        con.register("countries", _cameo_countries())
        for path in listed:
            try:
                members = _prepare(path, Path(tmp))
                for member in members:
                    kept, rejects = _read_one(con, member, path, format, filters, mapping, report)
                    kept_frames.append(kept)
                    reject_frames.append(rejects)
            except IngestError as exc:
                report.file_errors.append(str(exc))
        con.close()
    events = _to_schema(pd.concat(kept_frames, ignore_index=True) if kept_frames else pd.DataFrame(), format)
    report.kept = len(events)
    rejects = pd.concat(reject_frames, ignore_index=True) if reject_frames else pd.DataFrame()
    if len(rejects):
        folder = paths.ensure_dir(Path(rejects_dir) if rejects_dir else paths.REJECTS_DIR)
        report.rejects_path = folder / f"rejects-{format}-{pd.Timestamp.now():%Y%m%d-%H%M%S}.csv"
        rejects.to_csv(report.rejects_path, index=False, quoting=csv.QUOTE_ALL)
    report.check()
    return events, report


def _prepare(path: Path, tmp: Path) -> list[Path]:
    if not path.exists():
        raise IngestError(f"{path}: file not found")
    if path.stat().st_size == 0:
        raise IngestError(f"{path}: empty file (no records)")
    if path.suffix.lower() == ".zip":
        return _unzipped(path, tmp)
    return [path]


def _read_one(con, file: Path, origin: Path, format: str, filters: str, mapping, report: IngestReport):
    if format in ("gdelt1", "gdelt2"):
        return _read_gdelt(con, file, origin, format, filters, report)
    if format == "icews":
        return _read_icews(con, file, origin, filters, report)
    return _read_csv(con, file, origin, filters, mapping, report)


def _collect(con, origin: Path, report: IngestReport, line_offset: int = 0):
    """Count statuses, fetch kept rows and rejected rows of the classified view ``classified``."""
    counts = con.execute("SELECT status, count(*) FROM classified GROUP BY status").fetchall()
    for status, n in counts:
        report.read += n
        if status == "kept":
            continue
        kind, reason = status.split(": ", 1)
        if kind == "filtered":
            report.filtered += n
        else:
            report.rejected += n
        key = f"{kind}: {reason.split(' (')[0] if 'wrong number' in reason else reason}"
        report.reasons[key] = report.reasons.get(key, 0) + n
    kept = con.execute("SELECT * EXCLUDE (line) FROM classified WHERE status = 'kept'").df()
    rejects = con.execute(f"""SELECT '{_sql_path(origin)}' AS file, line_no + {line_offset} AS line,
                              substr(status, 11) AS reason, line AS record
                              FROM classified WHERE status LIKE 'rejected:%' ORDER BY line_no""").df()
    return kept, rejects


def _first_line_fields(file: Path) -> int:
    with file.open("rb") as handle:
        first = handle.readline().decode("utf-8", errors="replace").rstrip("\r\n")
    return len(first.split("\t"))


def _read_gdelt(con, file: Path, origin: Path, format: str, filters: str, report: IngestReport):
    table = "gdelt1_events" if format == "gdelt1" else "gdelt2_events"
    columns = pd.read_csv(paths.GDELT_COLUMNS_CSV)
    names = columns[columns["table"] == table].sort_values("position")["name"].tolist()
    counts = GDELT_FIELD_COUNTS[format]
    n = _first_line_fields(file)
    if n not in counts:
        raise IngestError(
            f"{origin}: line 1 has {n} tab-separated fields; a {format} file has "
            f"{' or '.join(map(str, counts))} — is this the right format?"
        )
    _lines_relation(con, file, "lines")
    con.execute(f"CREATE OR REPLACE TEMP VIEW source AS {_gdelt_select(names, counts)}")
    con.execute(
        "CREATE OR REPLACE TEMP VIEW classified AS "
        + _classify(
            "'gdelt:' || GLOBALEVENTID",
            "TRY_CAST(try_strptime(SQLDATE, '%Y%m%d') AS DATE)",
            '"Actor1CountryCode"',
            '"Actor2CountryCode"',
            '"EventCode"',
            '"GoldsteinScale"',
            filters,
        )
    )
    kept, rejects = _collect(con, origin, report)
    kept = kept.rename(
        columns={
            "Actor1Name": "actor_detail",
            "Actor2Name": "target_detail",
            "ActionGeo_FullName": "location",
            "ActionGeo_Lat": "latitude",
            "ActionGeo_Long": "longitude",
            "QuadClass": "quad_class_source",
        }
    )
    kept["notes"] = (
        "GDELT "
        + ("1.0" if format == "gdelt1" else "2.0")
        + "; source article: "
        + kept["source_url"].fillna("n/a")
    )
    return kept, rejects


def _read_icews(con, file: Path, origin: Path, filters: str, report: IngestReport):
    n = _first_line_fields(file)
    with file.open("rb") as handle:
        header = handle.readline().decode("utf-8", errors="replace").rstrip("\r\n").split("\t")
    if tuple(header) != ICEWS_COLUMNS:
        raise IngestError(
            f"{origin}: line 1 is not the ICEWS header ({n} fields: {', '.join(header[:4])}...)"
        )
    _lines_relation(con, file, "lines")
    names = {name: i + 1 for i, name in enumerate(ICEWS_COLUMNS)}
    fields = ", ".join(f"NULLIF(NULLIF(f[{i}], 'NA'), '') AS \"{name}\"" for name, i in names.items())
    con.execute(f"""CREATE OR REPLACE TEMP VIEW raw AS
        SELECT line_no, line, len(f) AS n_fields, len(f) = {len(ICEWS_COLUMNS)} AS count_ok, {fields}
        FROM (SELECT line_no, line, string_split(line, chr(9)) AS f FROM lines
              WHERE line_no > 1 AND line IS NOT NULL AND line <> '')""")
    names_seen = [
        r[0]
        for r in con.execute(
            'SELECT DISTINCT "Source Country" FROM raw UNION SELECT DISTINCT "Target Country" FROM raw'
        ).fetchall()
    ]
    lookup = pd.DataFrame(
        {"name": pd.Series(names_seen, dtype=object), "iso3": [country_name_to_iso3(x) for x in names_seen]}
    )
    con.register("icews_names", lookup)
    con.execute("""CREATE OR REPLACE TEMP VIEW source AS
        SELECT r.*, s.iso3 AS source_iso3, t.iso3 AS target_iso3 FROM raw r
        LEFT JOIN icews_names s ON s.name = r."Source Country" LEFT JOIN icews_names t ON t.name = r."Target Country"
    """)
    # ICEWS gives ISO-mapped names, not CAMEO codes: register them as their own codes for the classifier
    iso_codes = pd.DataFrame({"cameo_code": lookup["iso3"].dropna().unique()})
    iso_codes["iso3"] = iso_codes["cameo_code"]
    iso_codes["is_state"] = True
    con.register("countries", pd.concat([_cameo_countries(), iso_codes]).drop_duplicates("cameo_code"))
    con.execute(
        "CREATE OR REPLACE TEMP VIEW classified AS "
        + _classify(
            "'icews:' || \"Event ID\"",
            "TRY_CAST(try_strptime(\"Event Date\", '%Y-%m-%d') AS DATE)",
            'CASE WHEN "Source Country" IS NULL THEN NULL ELSE coalesce(source_iso3, \'name:\' || "Source Country") END',
            'CASE WHEN "Target Country" IS NULL THEN NULL ELSE coalesce(target_iso3, \'name:\' || "Target Country") END',
            '"CAMEO Code"',
            '"Intensity"',
            filters,
        )
    )
    kept, rejects = _collect(con, origin, report)
    con.register("countries", _cameo_countries())
    kept = kept.rename(
        columns={
            "Source Name": "actor_detail",
            "Target Name": "target_detail",
            "City": "location",
            "Latitude": "latitude",
            "Longitude": "longitude",
        }
    )
    kept["notes"] = (
        "ICEWS; story " + kept["Story ID"].fillna("?") + ", publisher " + kept["Publisher"].fillna("?")
    )
    kept["goldstein_note"] = "ICEWS Intensity"
    return kept, rejects


def _read_csv(con, file: Path, origin: Path, filters: str, mapping, report: IngestReport):
    spec = _load_mapping(mapping)
    required = CSV_REQUIRED
    header = pd.read_csv(file, nrows=0).columns.tolist()
    absent = [spec[k] for k in required if spec[k] not in header]
    if absent:
        raise IngestError(f"{origin}: line 1 lacks the mapped column(s) {', '.join(absent)}")
    con.execute(f"""CREATE OR REPLACE TEMP VIEW rows AS SELECT row_number() OVER () + 1 AS line_no, *
        FROM read_csv('{_sql_path(file)}', header=true, all_varchar=true, store_rejects=true, ignore_errors=true)""")
    date_format = spec.get("date_format", "%Y-%m-%d")

    def q(key: str) -> str:
        return f'r."{spec[key]}"'

    extra = [k for k in ("title", "confidence") if k in spec and spec[k] in header]
    con.execute(f"""CREATE OR REPLACE TEMP VIEW source AS SELECT line_no,
        concat_ws(',', {", ".join(q(k) for k in required)}) AS line, TRUE AS count_ok, 0 AS n_fields,
        {", ".join(f"{q(k)} AS src_{k}" for k in (*required, *extra))} FROM rows r""")
    con.execute(
        "CREATE OR REPLACE TEMP VIEW classified AS "
        + _classify(
            "src_event_id",
            f"TRY_CAST(try_strptime(src_date, '{date_format}') AS DATE)",
            "upper(src_actor)",
            "upper(src_target)",
            "lpad(src_cameo_code, 3, '0')",
            "src_goldstein",
            filters,
        )
    )
    # ISO3 codes in a user's file map to themselves
    iso = pd.DataFrame({"cameo_code": [c.alpha_3 for c in pycountry.countries]})
    iso["iso3"], iso["is_state"] = iso["cameo_code"], True
    con.register("countries", pd.concat([iso, _cameo_countries()]).drop_duplicates("cameo_code"))
    kept, rejects = _collect(con, origin, report)
    parse_rejects = con.execute("SELECT line, error_message, csv_line FROM reject_errors").df()
    if len(parse_rejects):
        report.read += len(parse_rejects)
        report.rejected += len(parse_rejects)
        report.reasons["rejected: malformed CSV record"] = len(parse_rejects)
        rejects = pd.concat(
            [
                rejects,
                pd.DataFrame(
                    {
                        "file": str(origin),
                        "line": parse_rejects["line"],
                        "reason": parse_rejects["error_message"],
                        "record": parse_rejects["csv_line"],
                    }
                ),
            ],
            ignore_index=True,
        )
    con.register("countries", _cameo_countries())
    for ours in extra:
        kept[ours] = kept[f"src_{ours}"]
    kept["notes"] = f"CSV {origin.name}"
    return kept, rejects


def _load_mapping(mapping) -> dict[str, str]:
    if mapping is None:
        raise IngestError("format 'csv' needs a mapping (our field -> your column), as a dict or a YAML file")
    if isinstance(mapping, Mapping):
        return dict(mapping)
    import yaml

    return dict(yaml.safe_load(Path(mapping).read_text(encoding="utf-8")))


def _to_schema(kept: pd.DataFrame, format: str) -> pd.DataFrame:
    """Kept rows -> the curated event columns (+ ``pair``), typed like ``load_events``."""
    if kept.empty:
        out = pd.DataFrame({c: pd.Series(dtype="string") for c in EVENT_COLUMNS})
        out["date"] = pd.Series(dtype="datetime64[ns]")
        out["goldstein"] = pd.Series(dtype="float64")
        out["quad_class"] = pd.Series(dtype="int64")
        out["pair"] = pd.Series(dtype="string")
        return out
    codes = reference.load_cameo_codes().set_index("cameo_code")["description"]
    quad = reference.load_quad_class_map("cameo")
    out = pd.DataFrame(index=kept.index)
    out["event_id"] = kept["record_id"].astype("string")
    out["date"] = pd.to_datetime(kept["date"]).astype("datetime64[ns]")
    out["date_precision"] = pd.Categorical(["day"] * len(kept), categories=["day", "month", "year"])
    out["end_date"] = pd.Series(pd.NaT, index=kept.index, dtype="datetime64[ns]")
    out["actor"] = kept["actor"].astype("string")
    out["target"] = kept["target"].astype("string")
    for col in ("actor_detail", "target_detail", "location", "notes", "goldstein_note"):
        out[col] = (
            kept[col].astype("string") if col in kept else pd.Series(pd.NA, index=kept.index, dtype="string")
        )
    out["cameo_code"] = kept["cameo_code"].astype("string")
    out["quad_class"] = kept["cameo_code"].str[:2].map(quad).fillna(0).astype("int64")
    out["goldstein"] = kept["goldstein"].astype("float64")
    description = kept["cameo_code"].map(codes).fillna("event")
    out["title"] = (
        (kept["actor"] + " → " + kept["target"] + ": " + description).str.slice(0, 80).astype("string")
    )
    out["description"] = (
        description
        + " ("
        + kept.get("actor_detail", pd.Series("", index=kept.index)).fillna("")
        + " → "
        + kept.get("target_detail", pd.Series("", index=kept.index)).fillna("")
        + ")"
    ).astype("string")
    out["themes"] = pd.Series("diplomacy", index=kept.index, dtype="string").where(
        out["quad_class"] < 3, "security"
    )
    out["latitude"] = (
        pd.to_numeric(kept.get("latitude"), errors="coerce") if "latitude" in kept else float("nan")
    )
    out["longitude"] = (
        pd.to_numeric(kept.get("longitude"), errors="coerce") if "longitude" in kept else float("nan")
    )
    confidence = kept["confidence"] if "confidence" in kept else pd.Series("reported", index=kept.index)
    out["confidence"] = pd.Categorical(
        confidence.fillna("reported"), categories=["confirmed", "reported", "alleged"]
    )
    out["source_ids"] = out["event_id"]
    for col in ("evidence", "date_note", "group_id"):
        out[col] = pd.Series(pd.NA, index=kept.index, dtype="string")
    out = out[EVENT_COLUMNS]
    out["pair"] = canonical_pairs(out["actor"], out["target"])
    return out.sort_values(["date", "event_id"], kind="stable").reset_index(drop=True)
