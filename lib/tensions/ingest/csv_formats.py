"""The formats read as CSV with a header, one file at a time, records numbered as read: ACLED, mapped CSV.

ACLED's actors are armed groups, forces, protesters or civilians, not states, so the pair is derived, one side
at a time (see :mod:`tensions.ingest.readers`): a state's organ (``Military Forces of Russia (2000-)``) belongs to
that state; else a country in brackets at the end (``Protesters (Azerbaijan)``); else the country where the event
happened (``iso``, ISO 3166 numeric).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from tensions.ingest.files import csv_header, header_fields
from tensions.ingest.formats import FIRST_DATES, SourceFormat, rejects_options, source_select, varchar_columns
from tensions.ingest.report import IngestError
from tensions.ingest.sqltext import quote_identifier, quote_literal

CSV_REQUIRED = ("event_id", "date", "actor", "target", "cameo_code", "goldstein")
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


def csv_scan(file: Path, rejects: str, delimiter: str = ",") -> str:
    """DuckDB's reader over ``$file``, a CSV file with a header, every column as text; bad records to ``rejects``.

    The dialect is given, not sniffed (``$delim``, double quotes doubled inside quotes): a sniffer misled by one
    stray quote would misread every record, whereas with the dialect fixed such a quote costs its own record (and
    at most the next one, which the open quote runs into).
    """
    names = header_fields(file, file, delimiter)
    return f"""read_csv($file, header=true, auto_detect=false, columns={varchar_columns(names)}, delim=$delim,
        quote='"', escape='"', {rejects_options(rejects)})"""


def _numbered(scan: str, extra: str = "") -> str:
    """The records of ``scan`` numbered by line as read (line 1 is the header), with ``extra`` columns."""
    return f"(SELECT row_number() OVER () + 1 AS line_no, *{extra} FROM {scan}) s"


def _acled_country(actor: str) -> str:
    """An ACLED side's ISO3 code (rules of the module docstring), or ``iso:<code>`` if the country is unknown."""
    organ = f"nullif(regexp_extract({actor}, '(?:Forces|Government) of (?:the )?(.+?)(?: \\(|$)', 1), '')"
    bracket = f"nullif(regexp_extract({actor}, '\\(([^()]+)\\)\\s*$', 1), '')"
    named = (
        f"coalesce((SELECT iso3 FROM country_names c WHERE c.name = lower({organ})), "
        f"(SELECT iso3 FROM country_names c WHERE c.name = lower({bracket})))"
    )
    return f"CASE WHEN nullif({actor}, '') IS NULL THEN NULL ELSE coalesce({named}, event_iso3, 'iso:' || iso) END"


_ACLED_DAY = (
    "coalesce(try_strptime(event_date, '%Y-%m-%d'), try_strptime(event_date, '%d %B %Y'))::DATE AS day"
)
_ACLED_ISO = (
    "(SELECT iso3 FROM numeric_countries n "
    "WHERE n.numeric = lpad(CAST(TRY_CAST(iso AS DOUBLE) AS INTEGER)::VARCHAR, 3, '0')) AS event_iso3"
)


@dataclass(frozen=True)
class Acled(SourceFormat):
    """ACLED exports (CSV with ACLED's column names); event types mapped to CAMEO codes."""

    tabs: bool = False

    def check_layout(self, file: Path, origin: Path) -> None:
        """Raise :class:`IngestError` unless line 1 has ACLED's columns."""
        csv_header(file, origin, ACLED_REQUIRED, "ACLED")

    def source_sql(self, files: list[Path], origin: Path, rejects: str) -> tuple[str, dict]:
        """The ACLED fields as source columns: derived sides, mapped CAMEO code, time precision as a note."""
        columns = {
            "rec_id": "'acled:' || event_id_cnty",
            "date": "CASE WHEN time_precision = '3' THEN date_trunc('month', day)::DATE ELSE day END",
            "date_precision": "CASE WHEN time_precision = '3' THEN 'month' ELSE 'day' END",
            "date_note": "CASE time_precision WHEN '2' THEN 'ACLED time_precision 2: the source dates it within "
            "a week or a few days' WHEN '3' THEN 'ACLED time_precision 3: month or longer; ACLED date ' "
            "|| event_date END",
            "a1_code": _acled_country("actor1"),
            "a2_code": _acled_country("actor2"),
            "cameo_code": "m.cameo_code",
            "goldstein": "m.goldstein",
            "goldstein_note": "'GDELT weight of CAMEO ' || m.cameo_code || ', mapped from ACLED ' || s.sub_event_type",
            "extra_reject": "CASE WHEN m.sub_event_type IS NULL THEN 'unknown ACLED event type ' "
            "|| coalesce(s.event_type, '') || ' / ' || coalesce(s.sub_event_type, '') END",
            "extra_filter": "CASE WHEN m.sub_event_type IS NOT NULL AND m.cameo_code IS NULL "
            "THEN 'ACLED sub-event type without a CAMEO equivalent' END",
            "actor_detail": "actor1",
            "target_detail": "actor2",
            "location": "concat_ws(', ', nullif(location, ''), nullif(admin1, ''), nullif(country, ''))",
            "latitude": "latitude",
            "longitude": "longitude",
            "note_a": "fatalities",
            "note_b": "interaction",
            "note_c": "s.source",
            "raw_id": "event_id_cnty",
            "line_text": "concat_ws(',', event_id_cnty, event_date, s.event_type, s.sub_event_type, actor1, actor2, iso)",
            "line_no": "line_no",
            "filename": "$file",
        }
        scan = (
            _numbered(csv_scan(files[0], rejects), f", {_ACLED_DAY}, {_ACLED_ISO}")
            + " LEFT JOIN acled_cameo m ON m.event_type = s.event_type AND m.sub_event_type = s.sub_event_type"
        )
        return source_select(columns, scan), {"file": str(files[0]), "delim": ","}

    def notes_sql(self, origin: Path) -> str:
        """``ACLED; <n> fatalities; interaction <code>; source: <source>``."""
        return (
            "'ACLED; ' || coalesce(note_a, '?') || ' fatalities; interaction ' || coalesce(note_b, '?') "
            "|| '; source: ' || coalesce(note_c, '?')"
        )


def load_mapping(mapping: object) -> dict[str, str]:
    """The csv mapping (our field -> the file's column) from a dict, a YAML file or a TOML file (``.toml``).

    Args:
        mapping: a dict, or the path of a YAML or TOML file.

    Returns:
        The mapping.

    Raises:
        IngestError: if there is no mapping or its file is missing.
    """
    if mapping is None:
        raise IngestError(
            "format 'csv' needs a mapping (our field -> your column), as a dict or a YAML/TOML file"
        )
    if isinstance(mapping, Mapping):
        return dict(mapping)
    path = Path(str(mapping))
    if not path.exists():
        raise IngestError(f"{path}: mapping file not found")
    if path.suffix.lower() == ".toml":
        import tomllib

        return dict(tomllib.loads(path.read_text(encoding="utf-8")))
    import yaml

    return dict(yaml.safe_load(path.read_text(encoding="utf-8")))


@dataclass(frozen=True)
class MappedCsv(SourceFormat):
    """Any CSV file with a header, given a mapping from our fields to its columns.

    Attributes:
        spec: our field -> the file's column; optional ``date_format`` (strptime, default ``%Y-%m-%d``),
            ``confidence`` and ``delimiter`` (default ``,``).
    """

    tabs: bool = False
    spec: dict[str, str] = field(default_factory=dict)

    @classmethod
    def from_mapping(cls, mapping: object) -> MappedCsv:
        """The format for ``mapping`` (see :func:`load_mapping`); a mapping that lacks a field is an error."""
        spec = load_mapping(mapping)
        missing = [k for k in CSV_REQUIRED if k not in spec]
        if missing:
            raise IngestError(f"the csv mapping lacks {', '.join(missing)} (our field -> your column)")
        return cls("csv", FIRST_DATES["csv"], spec=spec)

    @property
    def delimiter(self) -> str:
        """The field delimiter (``,`` unless the mapping names another)."""
        return self.spec.get("delimiter", ",")

    def check_layout(self, file: Path, origin: Path) -> None:
        """Raise :class:`IngestError` unless line 1 has the mapped columns."""
        csv_header(file, origin, [self.spec[k] for k in CSV_REQUIRED], "mapped", self.delimiter)

    def source_sql(self, files: list[Path], origin: Path, rejects: str) -> tuple[str, dict]:
        """The mapped columns as source columns (country codes ISO3 in any case, CAMEO codes zero-padded)."""
        header = csv_header(files[0], origin, [self.spec[k] for k in CSV_REQUIRED], "mapped", self.delimiter)

        def q(key: str) -> str:
            return quote_identifier(self.spec[key])

        confidence = q("confidence") if self.spec.get("confidence") in header else "NULL::VARCHAR"
        columns = {
            "rec_id": q("event_id"),
            "date": f"TRY_CAST(try_strptime({q('date')}, $date_format) AS DATE)",
            "date_precision": "'day'",
            "a1_code": f"upper({q('actor')})",
            "a2_code": f"upper({q('target')})",
            "cameo_code": f"lpad({q('cameo_code')}, 3, '0')",
            "goldstein": f"TRY_CAST({q('goldstein')} AS DOUBLE)",
            "extra_reject": f"CASE WHEN {confidence} IS NOT NULL AND lower({confidence}) NOT IN "
            f"('confirmed', 'reported', 'alleged') THEN 'unknown confidence ' || {confidence} END",
            "confidence": f"lower({confidence})",
            "raw_id": q("event_id"),
            "line_text": f"concat_ws(',', {', '.join(q(k) for k in CSV_REQUIRED)})",
            "line_no": "line_no",
            "filename": "$file",
        }
        params = {"file": str(files[0]), "delim": self.delimiter}
        params["date_format"] = self.spec.get("date_format", "%Y-%m-%d")
        return source_select(columns, _numbered(csv_scan(files[0], rejects, self.delimiter))), params

    def notes_sql(self, origin: Path) -> str:
        """``CSV <file name>``."""
        return quote_literal(f"CSV {origin.name}")
