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
time, in chunks of a few GB); every record is classified in SQL, to a small outcome code, and the kept records'
fields stream to Arrow in batches, where the outcomes are counted and the other event columns derived, so memory
holds one batch, not the files. Line numbers are needed only for rejects: a tab-separated file with rejected
records is read a second time, numbering its lines, to find them by their id (CSV formats number their records
as they are read).

The work is split by job: :mod:`~tensions.ingest.files` (paths, zips), :mod:`~tensions.ingest.formats` and
:mod:`~tensions.ingest.csv_formats` (one object per format), :mod:`~tensions.ingest.lookups` (countries, CAMEO),
:mod:`~tensions.ingest.classify` (the one SQL pass), :mod:`~tensions.ingest.batches` (the streaming loop),
:mod:`~tensions.ingest.seen` (the ids kept so far, for duplicates),
:mod:`~tensions.ingest.rejects` and :mod:`~tensions.ingest.report` (the accounting).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

import pandas as pd
import pyarrow as pa

from tensions.ingest.batches import BATCH_ROWS, EventBatches
from tensions.ingest.classify import EVENT_COLUMNS, date_range
from tensions.ingest.files import expand_paths
from tensions.ingest.formats import FORMATS
from tensions.ingest.lookups import country_name_to_iso3
from tensions.ingest.report import IngestError, IngestReport
from tensions.ingest.sqltext import Connection as _connect  # noqa: N813 - the name the fault tests patch
from tensions.schema import coerce_events, validate_events

__all__ = [
    "BATCH_ROWS",
    "EVENT_COLUMNS",
    "FORMATS",
    "EventBatches",
    "IngestError",
    "IngestReport",
    "_connect",
    "country_name_to_iso3",
    "date_range",
    "expand_paths",
    "iter_event_batches",
    "read_events",
]


def read_events(
    files: str | Path | Iterable[str | Path],
    source_format: str = "gdelt2",
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
        source_format: ``gdelt1``, ``gdelt2``, ``acled``, ``icews`` or ``csv``.
        countries: keep events where actor or target is one of these ISO3 codes.
        start: keep events dated on or after this day.
        end: keep events dated on or before this day.
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
    batches = EventBatches(
        files,
        source_format,
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
    if not tables or not sum(t.num_rows for t in tables):
        return _to_schema(None), batches.report
    table = pa.concat_tables(tables).sort_by([("date", "ascending"), ("event_id", "ascending")])
    return _to_schema(_arrow_to_pandas(table)), batches.report


def iter_event_batches(
    files: str | Path | Iterable[str | Path], source_format: str = "gdelt2", **options: object
) -> EventBatches:
    """The kept events of ``files`` as Arrow tables, read in one pass (see :class:`EventBatches`).

    Args:
        files: as for :func:`read_events`.
        source_format: as for :func:`read_events`.
        **options: the other arguments of :func:`read_events`, and ``batch_rows``.

    Returns:
        An iterable of Arrow tables whose ``report`` is complete once the iteration ends.
    """
    return EventBatches(files, source_format, **options)


def _arrow_to_pandas(table: pa.Table) -> pd.DataFrame:
    """An Arrow table as pandas with text as ``string`` columns (no copy of the text)."""
    text = {
        pa.string(): pd.StringDtype(),
        pa.large_string(): pd.StringDtype(),
        pa.string_view(): pd.StringDtype(),
    }
    return table.to_pandas(types_mapper=text.get)


def _to_schema(kept: pd.DataFrame | None) -> pd.DataFrame:
    """Kept rows (in the event columns, from SQL and Arrow) typed like ``load_events`` and checked by its schema.

    Types, order and checks come from :mod:`tensions.schema` (``coerce_events``, ``validate_events``); ``origin``
    is added by :func:`tensions.ingest.read_events`.
    """
    if kept is None or kept.empty:
        kept = pd.DataFrame({c: pd.Series(dtype="string") for c in [*EVENT_COLUMNS, "pair"]})
    out = coerce_events(kept[[*EVENT_COLUMNS, "pair"]])
    return validate_events(out).reset_index(drop=True)
