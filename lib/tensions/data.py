"""Loaders of the curated dataset: read, validate, convert types.

Each loader reads its file as text with the :mod:`csv` module (so every record keeps the line of the
file it starts on), checks it against the schema of :mod:`tensions.schema`, checks the rules that span
tables, and only then converts types. Any problem raises :class:`DatasetError`, which lists every
problem found (file, line, column, value, reason); a curated file is never half-loaded.

Files are UTF-8 (a byte-order mark is accepted): a byte that is not UTF-8 (a file saved as Latin-1) or a NUL
byte is a :class:`DatasetError` naming the line. A column that the schema does not know is ignored with an
:class:`ExtraColumnWarning` that names it; it never travels into the loaded table.
"""

from __future__ import annotations

import csv
import io
import warnings
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pandas as pd
import pycountry

from tensions import paths, reference
from tensions.checks_library import import_pandera
from tensions.schema import (
    COUNTRY_FIELDS,
    ERA_FIELDS,
    SOURCE_FIELDS,
    Field,
    build_text_schema,
    coerce_events,
    dictionary,
    validate_events,
)

pa = import_pandera()  # without the PySpark and hypothesis it probes for (see checks_library)


@dataclass(frozen=True)
class Problem:
    """One problem in a data file."""

    file: str
    line: int
    column: str
    value: str
    reason: str

    def __str__(self) -> str:
        value = "" if self.value in ("", "nan", "None") else f" (value {self.value!r})"
        return f"{self.file}, line {self.line}, column {self.column!r}: {self.reason}{value}"


class ExtraColumnWarning(UserWarning):
    """A curated file has a column that the schema does not know: it is ignored (dropped when loading)."""


class DatasetError(ValueError):
    """A curated file failed validation. ``problems`` lists every problem found."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        shown = "\n".join(f"  - {p}" for p in problems[:50])
        more = f"\n  ... and {len(problems) - 50} more" if len(problems) > 50 else ""
        super().__init__(f"{len(problems)} problem(s) in the dataset:\n{shown}{more}")


@dataclass
class _TextTable:
    """A file read as text: one string column per header field, NA for empty cells, and source lines."""

    path: Path
    frame: pd.DataFrame
    lines: list[int]

    def line_of(self, position: int) -> int:
        return self.lines[position]

    def problem(self, position: int, column: str, reason: str) -> Problem:
        value = self.frame.iloc[position][column] if column in self.frame.columns else ""
        return Problem(self.path.name, self.line_of(position), column, str(value), reason)


def _read_text_table(
    path: Path, fields: tuple[Field, ...], ordered: bool
) -> tuple[_TextTable, list[Problem]]:
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(f"{path}: file not found")
    if path.is_dir():
        raise DatasetError([Problem(path.name, 1, "", "", f"{path} is a folder: give the CSV file itself")])
    with io.StringIO(_utf8_text(path), newline="") as handle:
        reader = csv.reader(handle, strict=True)
        try:
            header = [h.strip() for h in next(reader)]
        except StopIteration:
            raise DatasetError([Problem(path.name, 1, "", "", "file is empty (no header row)")]) from None
        except csv.Error as exc:
            raise DatasetError([Problem(path.name, 1, "", "", f"unreadable CSV: {exc}")]) from None
        problems = _header_problems(path.name, header, [f.name for f in fields], ordered)
        extra = [h for h in header if h not in {f.name for f in fields}]
        if extra:
            warnings.warn(
                f"{path.name}: column(s) {', '.join(extra)} not in the schema: ignored",
                ExtraColumnWarning,
                stacklevel=3,
            )
        records, lines, record_problems = _read_records(reader, path.name, len(header))
    frame = pd.DataFrame(records, columns=header, dtype=object)
    frame = frame.drop(columns=extra)
    frame = frame.replace({"": None})
    frame = frame.astype("string") if len(frame) else frame.astype(object)
    return _TextTable(path, frame, lines), problems + record_problems


def _header_problems(name: str, header: list[str], expected: list[str], ordered: bool) -> list[Problem]:
    """Return the problems of a header: missing, misplaced (when ``ordered``) and repeated columns."""
    missing = [column for column in expected if column not in header]
    problems = [
        Problem(name, 1, column, "", "required column is missing from the header") for column in missing
    ]
    if ordered and not missing and header[: len(expected)] != expected:
        shown = ",".join(header[: len(expected)])
        problems.append(Problem(name, 1, "", shown, f"columns must come in this order: {','.join(expected)}"))
    duplicated = sorted({h for h in header if header.count(h) > 1})
    problems += [
        Problem(name, 1, column, "", "column appears more than once in the header") for column in duplicated
    ]
    return problems


def _read_records(reader, name: str, width: int) -> tuple[list[list[str]], list[int], list[Problem]]:
    """Return the records after the header (stripped; blank lines skipped), their line numbers and problems."""
    records: list[list[str]] = []
    lines: list[int] = []
    problems: list[Problem] = []
    start = reader.line_num + 1
    while True:
        try:
            record = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            problems.append(Problem(name, start, "", "", f"unreadable CSV record: {exc}"))
            break
        if len(record) != width and any(cell.strip() for cell in record):
            problems.append(
                Problem(name, start, "", "", f"record has {len(record)} fields but the header has {width}")
            )
        elif any(cell.strip() for cell in record):  # blank lines carry no record
            records.append([cell.strip() for cell in record])
            lines.append(start)
        start = reader.line_num + 1
    return records, lines, problems


def _utf8_text(path: Path) -> str:
    """The text of ``path`` (UTF-8, a byte-order mark dropped); a byte that is not UTF-8, or a NUL, is a problem."""
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        start = exc.start + (3 if raw.startswith(b"\xef\xbb\xbf") else 0)
        line = raw[:start].count(b"\n") + 1
        reason = (
            f"byte 0x{raw[start]:02X} is not UTF-8 (the file was saved as Latin-1 or Windows-1252?): "
            "save it as UTF-8"
        )
        raise DatasetError([Problem(path.name, line, "", "", reason)]) from None
    if "\x00" in text:
        line = text[: text.index("\x00")].count("\n") + 1
        raise DatasetError(
            [Problem(path.name, line, "", "", "NUL byte in the text (a damaged file?): remove it")]
        )
    return text


def _schema_problems(table: _TextTable, fields: tuple[Field, ...], name: str) -> list[Problem]:
    if table.frame.empty:
        return []
    schema = build_text_schema(fields, name)
    present = [f.name for f in fields if f.name in table.frame.columns]
    frame = table.frame[present].astype(object).where(table.frame[present].notna(), None)
    try:
        schema.select_columns(present).validate(frame, lazy=True)
    except pa.errors.SchemaErrors as exc:
        problems = []
        for row in exc.failure_cases.itertuples(index=False):
            reason = "is required but empty" if row.check == "not_nullable" else str(row.check)
            position = int(row.index) if pd.notna(row.index) else 0
            problems.append(table.problem(position, str(row.column), reason))
        return problems
    return []


def _unique_problems(table: _TextTable, column: str) -> list[Problem]:
    values = table.frame[column]
    dupes = values[values.duplicated(keep="first") & values.notna()]
    return [table.problem(int(pos), column, "duplicate id (must be unique)") for pos in dupes.index]


def _dates(series: pd.Series) -> pd.Series:
    return pd.to_datetime(series, format="%Y-%m-%d", errors="coerce")


def _raise_if(problems: list[Problem]) -> None:
    if problems:
        raise DatasetError(sorted(problems, key=lambda p: (p.file, p.line, p.column)))


def _typed(frame: pd.DataFrame, fields: tuple[Field, ...]) -> pd.DataFrame:
    out = frame.copy()
    for f in fields:
        if f.name not in out.columns:
            continue
        col = out[f.name]
        if f.dtype == "date":
            out[f.name] = _dates(col)
        elif f.dtype == "float":
            out[f.name] = pd.to_numeric(col).astype("float64")
        elif f.dtype == "int":
            out[f.name] = pd.to_numeric(col).astype("int64")
        else:
            out[f.name] = col.astype("string")
    return out


def _valid_iso3(code: str) -> bool:
    return (
        pycountry.countries.get(alpha_3=code) is not None
        or pycountry.historic_countries.get(alpha_3=code) is not None
    )


def load_countries(path: Path | None = None) -> pd.DataFrame:
    """Load ``countries.csv``: ISO3 code, name, capital with coordinates, memberships.

    Codes must be real ISO 3166-1 (or ISO 3166-3 for former states such as ``SUN``) codes, checked
    with pycountry.

    >>> countries = load_countries()
    >>> countries.set_index("iso3").loc["AZE", "capital"]
    'Baku'
    """
    table, problems = _read_text_table(path or paths.COUNTRIES_CSV, COUNTRY_FIELDS, ordered=False)
    problems += _schema_problems(table, COUNTRY_FIELDS, "countries")
    if "iso3" in table.frame.columns:
        problems += _unique_problems(table, "iso3")
        for pos, code in table.frame["iso3"].items():
            if pd.notna(code) and len(str(code)) == 3 and not _valid_iso3(str(code)):
                problems.append(table.problem(int(pos), "iso3", "is not an ISO 3166 alpha-3 code"))
    _raise_if(problems)
    return _typed(table.frame, COUNTRY_FIELDS)


def load_sources(path: Path | None = None) -> pd.DataFrame:
    """Load ``sources.csv``: the articles the events are taken from.

    >>> sources = load_sources()
    >>> sources["source_id"].is_unique
    True
    """
    table, problems = _read_text_table(path or paths.SOURCES_CSV, SOURCE_FIELDS, ordered=False)
    problems += _schema_problems(table, SOURCE_FIELDS, "sources")
    if "source_id" in table.frame.columns:
        problems += _unique_problems(table, "source_id")
    _raise_if(problems)
    return _typed(table.frame, SOURCE_FIELDS)


def load_eras(path: Path | None = None, countries: pd.DataFrame | None = None) -> pd.DataFrame:
    """Load ``eras.csv``: named periods (crises) shaded on charts.

    >>> eras = load_eras()
    >>> bool((eras["end"] >= eras["start"]).all())
    True
    """
    table, problems = _read_text_table(path or paths.ERAS_CSV, ERA_FIELDS, ordered=False)
    problems += _schema_problems(table, ERA_FIELDS, "eras")
    frame = table.frame
    if not problems:
        problems += _unique_problems(table, "era_id")
        known = set((countries if countries is not None else load_countries())["iso3"])
        start, end = _dates(frame["start"]), _dates(frame["end"])
        for pos in frame.index[end < start]:
            problems.append(table.problem(int(pos), "end", "is before start"))
        for pos, pairs in frame["pairs"].items():
            for pair in [] if pd.isna(pairs) else str(pairs).split(";"):
                a, b = pair.split("-")
                if a > b:
                    problems.append(
                        table.problem(int(pos), "pairs", f"pair {pair} must be in alphabetical order")
                    )
                for code in (a, b):
                    if code not in known:
                        problems.append(
                            table.problem(int(pos), "pairs", f"country {code} is not in countries.csv")
                        )
    _raise_if(problems)
    return _typed(frame, ERA_FIELDS)


def load_events(
    path: Path | None = None,
    *,
    countries: pd.DataFrame | None = None,
    sources: pd.DataFrame | None = None,
    today: date | None = None,
    include_own: bool = True,
) -> pd.DataFrame:
    """Load and validate ``events.csv`` and return it with proper dtypes.

    Checks, beyond each column's format: unique ids; actor and target exist in ``countries.csv`` and
    differ; every source id exists in ``sources.csv``; the CAMEO code exists in the reference table;
    ``quad_class`` agrees with the code's root (CAMEO convention); ``goldstein`` equals the GDELT
    weight of the code unless ``goldstein_note`` explains the override; month- and year-precision
    dates start on the first day of their period; ``end_date`` is not before ``date``; no date lies in
    the future.

    A derived column ``pair`` (the canonical, alphabetical country pair such as ``AZE-RUS``) is added
    after the file's columns, then ``origin`` (``curated``, ``own`` or ``machine-coded``).

    The analyst's own events (:func:`tensions.paths.own_events_csv`, saved from the review of coded
    articles) follow the curated ones, validated the same way, unless ``include_own`` is False or
    ``path`` names another file.

    Args:
        path: the events file (default ``data/events.csv``).
        countries: an already loaded countries table (loaded from ``data/`` when omitted).
        sources: an already loaded sources table (loaded from ``data/`` when omitted).
        today: the date after which events count as "in the future" (default: today).
        include_own: add the analyst's own events (only when ``path`` is the curated file).

    Raises:
        DatasetError: listing every problem, each with file, line, column and reason.

    >>> events = load_events()
    >>> events["event_id"].is_unique and str(events["date"].dtype).startswith("datetime64")
    True
    """
    fields = dictionary.EVENT_FIELDS  # read when called: a field added to the list is expected in the file
    table, problems = _read_text_table(path or paths.EVENTS_CSV, fields, ordered=True)
    problems += _schema_problems(table, fields, "events")
    _raise_if(problems)
    countries = countries if countries is not None else load_countries()
    sources = sources if sources is not None else load_sources()
    problems += _event_cross_checks(table, countries, sources, today or date.today())
    _raise_if(problems)
    frame = table.frame.assign(
        pair=canonical_pairs(table.frame["actor"], table.frame["target"]), origin="curated"
    )
    events = validate_events(coerce_events(frame))
    if include_own and path is None:
        from tensions.own import append_own_events

        events = append_own_events(events, countries=countries, sources=sources, today=today)
    return events


def canonical_pairs(actor: pd.Series, target: pd.Series) -> pd.Series:
    """Canonical undirected pair label, alphabetical: RUS/AZE and AZE/RUS both give ``AZE-RUS``.

    >>> canonical_pairs(pd.Series(["RUS", "AZE"]), pd.Series(["AZE", "RUS"])).tolist()
    ['AZE-RUS', 'AZE-RUS']
    """
    a = actor.astype("string")
    b = target.astype("string")
    first = a.where(a <= b, b)
    second = b.where(a <= b, a)
    return (first + "-" + second).astype("string")


@dataclass(frozen=True)
class _References:
    """What the events are checked against: the countries, the sources and the CAMEO reference tables."""

    countries: set[str]
    sources: set[str]
    codes: set[str]
    weights: pd.Series
    quad: pd.Series


def _event_cross_checks(
    table: _TextTable, countries: pd.DataFrame, sources: pd.DataFrame, today: date
) -> list[Problem]:
    frame = table.frame
    problems = _unique_problems(table, "event_id")
    known = _References(
        countries=set(countries["iso3"]),
        sources=set(sources["source_id"]),
        codes=set(reference.load_cameo_codes()["cameo_code"]),
        weights=reference.load_goldstein_weights("gdelt"),
        quad=reference.load_quad_class_map("cameo"),
    )
    start = _dates(frame["date"])
    end = _dates(frame["end_date"])
    for pos in range(len(frame)):
        row = frame.iloc[pos]
        found = [
            *_party_problems(row, known),
            *_code_problems(row, known),
            *_date_problems(row, start.iloc[pos], end.iloc[pos], today),
        ]
        problems += [table.problem(pos, column, reason) for column, reason in found]
    return problems


def _party_problems(row: pd.Series, known: _References) -> list[tuple[str, str]]:
    """Return the ``(column, reason)`` problems of an event's actor, target and sources."""
    found = [
        (col, "country code is not in countries.csv")
        for col in ("actor", "target")
        if row[col] not in known.countries
    ]
    if row["actor"] == row["target"]:
        found.append(("target", "target is the same country as actor"))
    found += [
        ("source_ids", f"source {sid} is not in sources.csv")
        for sid in str(row["source_ids"]).split(";")
        if sid not in known.sources
    ]
    return found


def _code_problems(row: pd.Series, known: _References) -> list[tuple[str, str]]:
    """Return the ``(column, reason)`` problems of an event's CAMEO code, quad class and Goldstein weight."""
    code = row["cameo_code"]
    if code not in known.codes:
        return [("cameo_code", "is not a CAMEO code of the reference table")]
    found = []
    if int(row["quad_class"]) != int(known.quad[code[:2]]):
        found.append(("quad_class", f"CAMEO root {code[:2]} belongs to quad class {known.quad[code[:2]]}"))
    expected = known.weights.get(code)
    explained = not pd.isna(row["goldstein_note"])
    if expected is not None and abs(float(row["goldstein"]) - expected) > 1e-9 and not explained:
        found.append(
            (
                "goldstein",
                f"differs from the GDELT weight {expected} of code {code}; explain it in goldstein_note",
            )
        )
    if expected is None and not explained:
        found.append(("goldstein", f"code {code} has no GDELT weight; explain the value in goldstein_note"))
    return found


def _date_problems(
    row: pd.Series, first: pd.Timestamp, end: pd.Timestamp, today: date
) -> list[tuple[str, str]]:
    """Return the ``(column, reason)`` problems of an event's date against its precision, today and its end."""
    found = []
    if row["date_precision"] == "month" and first.day != 1:
        found.append(("date", "month precision: the date must be the 1st of the month"))
    if row["date_precision"] == "year" and (first.day, first.month) != (1, 1):
        found.append(("date", "year precision: the date must be 1 January"))
    if first.date() > today:
        found.append(("date", f"lies in the future (after {today.isoformat()})"))
    if pd.notna(end) and end < first:
        found.append(("end_date", "is before date"))
    return found


def load_dataset() -> dict[str, pd.DataFrame]:
    """Load every curated table once, validated, as ``{"events", "sources", "countries", "eras"}``."""
    from tensions.own import append_own_sources

    countries = load_countries()
    sources = load_sources()
    return {
        "events": load_events(countries=countries, sources=sources),
        "sources": append_own_sources(sources),
        "countries": countries,
        "eras": load_eras(countries=countries),
    }
