"""The streaming ingest: files read in one pass per group, the kept events handed over as Arrow tables.

Tab-separated files are scanned together, many at a time, in chunks of a few GB (DuckDB's parallel reader); CSV
files one by one, numbering their records. Each scan is one query (:func:`tensions.ingest.classify.stream_sql`);
the outcomes are counted per batch in Arrow, the rejected records kept aside and located afterwards.
"""

from __future__ import annotations

import itertools
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from tqdm.auto import tqdm

from tensions.ingest.classify import (
    count_batch,
    date_range,
    derive_columns,
    filters_sql,
    fixed_columns,
    handed_over,
    kept_rows,
    outcomes,
    stream_sql,
)
from tensions.ingest.files import chunks, expand_paths, prepare
from tensions.ingest.formats import SourceFormat, get_format
from tensions.ingest.rejects import locate_rejects, parse_rejects, swallowed_lines, write_rejects
from tensions.ingest.report import IngestError, IngestReport
from tensions.ingest.seen import SeenIds
from tensions.ingest.sqltext import Connection

#: Rows per Arrow batch handed over by DuckDB.
BATCH_ROWS = 250_000
DUPLICATE = "filtered: duplicate event id (the first record kept)"
_SCANS = itertools.count()
#: The options of an ingest besides the files and the format (see :func:`tensions.ingest.readers.read_events`).
OPTIONS = (
    "countries",
    "start",
    "end",
    "pairs",
    "root_codes",
    "mapping",
    "rejects_dir",
    "progress",
    "memory_limit",
)


@dataclass
class _Scan:
    """What one scan collects besides the kept rows: outcome counts, rejected keys, the ids it handed over."""

    table: str
    counts: dict[str, int]
    rejected: list[dict]
    handed: list = field(
        default_factory=list
    )  # ids handed over, if the group must be read again file by file


class EventBatches:
    """The kept events of ``files`` as Arrow tables of at most ``batch_rows`` rows, read in one pass.

    Same arguments as :func:`tensions.ingest.readers.read_events` (the options by name, see :data:`OPTIONS`),
    plus ``batch_rows``. Iterate to read;
    ``report`` holds the row accounting, complete (rejects file written, ``check`` passed) once the iteration
    ends. This is how ``python -m tensions ingest`` writes Parquet without holding the events in memory.
    """

    def __init__(
        self,
        files: str | Path | Iterable[str | Path],
        source_format: str = "gdelt2",
        batch_rows: int = BATCH_ROWS,
        **options: object,
    ) -> None:
        """Check the arguments (format, mapping, filters) before anything is read."""
        unknown = sorted(set(options) - set(OPTIONS))
        if unknown:
            raise TypeError(
                f"unknown ingest option(s) {', '.join(unknown)}; the options are {', '.join(OPTIONS)}"
            )
        get = options.get
        self.source_format: SourceFormat = get_format(source_format, get("mapping"))
        problems: list[str] = []
        self.listed = expand_paths(files, problems)
        self.filters, self.params = filters_sql(
            get("countries"), get("pairs"), get("start"), get("end"), get("root_codes")
        )
        first, last = date_range(self.source_format)
        self.params.update(first_date=first, last_date=last)
        self.rejects_dir, self.progress = get("rejects_dir"), bool(get("progress"))
        self.memory_limit, self.batch_rows = get("memory_limit"), batch_rows
        self.report = IngestReport(
            self.source_format.name, files=[str(p) for p in self.listed], file_errors=problems
        )
        self.rejects: list[pd.DataFrame] = []
        self.seen_ids = SeenIds()  # ids of the events kept so far: a repeated id is a duplicate
        self.handed: set[str] = set()  # ids handed over by a scan that stopped with an error, read again

    def __iter__(self) -> Iterator[pa.Table]:
        """Read every file; yield the kept events batch by batch; complete the report at the end."""
        name = self.source_format.name
        bar = tqdm(unit=" records", unit_scale=True, desc=f"ingest {name}", disable=not self.progress)
        with tempfile.TemporaryDirectory() as tmp, Connection(Path(tmp), self.memory_limit) as con, bar:
            self.workdir = Path(tmp)
            for chunk in chunks(self.listed):
                members = self._members(chunk, Path(tmp))
                # tab-separated files are scanned together (in parallel); CSV files number their records one by one
                groups = [members] if self.source_format.tabs else [[m] for m in members]
                for group in (g for g in groups if g):
                    yield from self._scan(con, group, bar)
                for member, origin in members:
                    if member != origin:
                        member.unlink(missing_ok=True)
        self.report.rejects_path = write_rejects(self.rejects, self.source_format, self.rejects_dir)
        self.report.check()

    def _members(self, chunk: list[Path], tmp: Path) -> list[tuple[Path, Path]]:
        """(file to read, file named by the user) for every readable file of ``chunk``; the others reported."""
        members = []
        for path in chunk:
            try:
                prepared = prepare(path, tmp)
            except IngestError as exc:
                self.report.file_errors.append(str(exc))
                continue
            for member, shown in prepared:
                try:
                    if member.stat().st_size == 0:
                        raise IngestError(f"{shown}: empty file (no records)")
                    self.source_format.check_layout(member, shown)
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

        If DuckDB cannot read a file (a stray carriage return in a file with LF line ends, for one), the
        group is read again file by file, so that only the faulty file is reported (in ``file_errors``): the
        events handed over before the error are counted again but not handed over twice (:meth:`_forget`).

        A CSV record that the parser rejected after it ran over several lines (a stray quote opens a field that
        the next quote closes) has the lines after its first read again, as a file of their own whose line
        numbers map back through ``line_map``: one stray quote costs its record, not the records it swallowed.
        """
        scan = _Scan(f"rejects_{next(_SCANS)}", {}, [])
        try:
            yield from self._stream(con, group, bar, scan)
        except duckdb.InterruptException:
            raise KeyboardInterrupt from None  # Ctrl-C while DuckDB was reading: the run stops, no file error
        # an error met while streaming (after the first batch) reaches us through Arrow, as an OSError
        except (duckdb.Error, OSError) as exc:
            if "interrupted" in str(exc).lower():
                raise KeyboardInterrupt from None
            if len(group) > 1:  # read each file on its own, so that only the faulty one is reported
                self._forget(scan)
                for member in group:
                    yield from self._scan(con, [member], bar)
                return
            names = ", ".join(str(shown) for _, shown in group)
            self.report.file_errors.append(
                f"{names}: reading stopped with an error after {sum(scan.counts.values()):,} records: "
                f"{str(exc).splitlines()[0]}"
            )
        swallowed = self._account(con, group, scan, line_map)
        if swallowed is not None:
            copy, lines = swallowed
            try:
                yield from self._scan(
                    con, [(copy, group[0][1])], bar, lines if line_map is None else line_map[lines]
                )
            finally:
                copy.unlink(missing_ok=True)

    def _stream(self, con, group: list[tuple[Path, Path]], bar, scan: _Scan) -> Iterator[pa.Table]:
        """The query of one scan, batch by batch: outcomes counted, kept events derived and yielded.

        DuckDB hands over batches of a few thousand records; their kept rows are gathered into tables of a
        quarter of ``batch_rows`` or more (at most ``batch_rows``) before they are checked for duplicates,
        derived and yielded: fewer, larger Parquet row groups and fewer calls per record. If reading stops with
        an error, what was gathered is handed over first (as if the error had come after it).
        """
        files, origin = [m for m, _ in group], group[0][1]
        source, params = self.source_format.source_sql(files, origin, scan.table)
        query = stream_sql(self.source_format, source, self.filters, origin)
        texts = outcomes(self.source_format)
        columns, fixed = [*handed_over(self.source_format), "id_hash"], fixed_columns(self.source_format)
        gathered: list[pa.Table] = []
        try:
            for batch in con.sql(query, params={**self.params, **params}).to_arrow_reader(self.batch_rows):
                count_batch(batch, texts, scan.counts, scan.rejected)
                bar.update(batch.num_rows)
                kept = kept_rows(batch, columns)
                if gathered and sum(t.num_rows for t in gathered) + kept.num_rows > self.batch_rows:
                    yield from self._hand_over(gathered, group, scan, fixed, bar)
                gathered.append(kept)
                if sum(t.num_rows for t in gathered) >= self.batch_rows // 4:
                    yield from self._hand_over(gathered, group, scan, fixed, bar)
        except (duckdb.Error, OSError) as exc:
            if not isinstance(exc, duckdb.InterruptException) and "interrupted" not in str(exc).lower():
                yield from self._hand_over(gathered, group, scan, fixed, bar)
            raise
        yield from self._hand_over(gathered, group, scan, fixed, bar)

    def _hand_over(
        self, gathered: list[pa.Table], group: list, scan: _Scan, fixed: dict, bar
    ) -> Iterator[pa.Table]:
        """The gathered kept rows without repeated ids, derived (and ``gathered`` emptied)."""
        if not gathered:
            return
        kept = self._first_seen(pa.concat_tables(gathered), scan.counts)
        gathered.clear()
        self.report.kept += kept.num_rows
        kept = self._not_handed(kept)
        if kept.num_rows:
            bar.set_postfix(kept=f"{self.report.kept:,}", rejected=f"{self.report.rejected:,}")
            if len(group) > 1:
                scan.handed.append(kept.column("event_id"))
            yield derive_columns(kept, fixed)

    def _forget(self, scan: _Scan) -> None:
        """Undo a scan that stopped with an error: its counts go, the events it handed over stay handed over.

        The files are then read one by one; a record handed over already is counted again, as kept, but not
        handed over twice.
        """
        for ids in scan.handed:
            self.report.kept -= len(ids)
            self.seen_ids.forget(ids)
            self.handed.update(ids.to_pylist())

    def _not_handed(self, kept: pa.Table) -> pa.Table:
        """``kept`` without the events handed over by a scan that stopped with an error (see :meth:`_forget`)."""
        if not self.handed or not kept.num_rows:
            return kept
        again = pc.is_in(kept.column("event_id"), value_set=pa.array(list(self.handed), pa.string()))
        self.handed.difference_update(pc.filter(kept.column("event_id"), again).to_pylist())
        return kept.filter(pc.invert(again))

    def _account(
        self, con, group: list[tuple[Path, Path]], scan: _Scan, line_map: np.ndarray | None
    ) -> object:
        """Count a scan's outcomes, locate its rejects; return the lines to read again (or None)."""
        for status, n in scan.counts.items():
            self.report.count(status, n)
        origins = {str(member): shown for member, shown in group}
        tabs = self.source_format.tabs
        parsed = parse_rejects(con, scan.table, origins, self.report, tabs=tabs)
        located = None
        if scan.rejected:
            located = locate_rejects(
                pd.DataFrame(scan.rejected), parsed, origins, self.source_format, self.report
            )
        swallowed = None if tabs else swallowed_lines(group[0][0], parsed, self.workdir)
        if swallowed is not None:  # the record as shown: its first line (the others are read again)
            parsed["record"] = parsed["record"].str.split("\n").str[0].str.rstrip("\r")
        for frame in (parsed.drop(columns=["member", "extra"]), located):
            if frame is not None:
                lines = (
                    frame["line"] if line_map is None else line_map[frame["line"].to_numpy(dtype=np.int64)]
                )
                self.rejects.append(frame.assign(line=pd.array(lines, dtype="Int64")))
        return swallowed

    def _first_seen(self, kept: pa.Table, counts: dict[str, int]) -> pa.Table:
        """The rows of ``kept`` whose id was not kept before; the others counted as filtered duplicates."""
        if not kept.num_rows:
            return kept
        hashes = kept.column("id_hash").to_numpy()
        fresh = self.seen_ids.first_seen(kept.column("event_id"), hashes)
        if fresh is None:  # the usual case: every id new
            return kept
        repeated = len(fresh) - int(fresh.sum())
        counts["kept"] -= repeated
        counts[DUPLICATE] = counts.get(DUPLICATE, 0) + repeated
        return kept.filter(pa.array(fresh))
