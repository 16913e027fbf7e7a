"""Rejected records, each with its file, line, reason and text; and the rejects CSV.

The records DuckDB's reader could not parse, and those the classifier rejected.

Line numbers are needed only for rejects. A tab-separated file with rejected records is read a second time, as
bytes, numbering its lines, to find them by their id and key fields; CSV formats number their records as they
are read, and the lines the reader skipped are counted back by one sorted search (:func:`shift_lines`).
"""

from __future__ import annotations

import csv
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

from tensions import outputs, paths
from tensions.ingest.files import scratch_name
from tensions.ingest.formats import SourceFormat
from tensions.ingest.report import IngestReport

_QUOTING = ("malformed record: unquoted value", "malformed record: unterminated quote")


def rejects_frame(files: object, lines: object, reasons: object, records: object) -> pd.DataFrame:
    """The rejects table: file, line, reason, record."""
    return pd.DataFrame(
        {
            "file": pd.array(list(files), dtype="string"),
            "line": pd.array(np.asarray(lines, dtype=np.int64), dtype="Int64"),
            "reason": pd.array(list(reasons), dtype="string"),
            "record": pd.array(list(records), dtype="string"),
        }
    )


def _reader_errors(con: duckdb.DuckDBPyConnection, table: str, tabs: bool) -> pd.DataFrame | None:
    """DuckDB's rejects table, one row per line (member, line, reason, record), or None if nothing was rejected."""
    record = "ltrim(any_value(e.csv_line), chr(10) || chr(13))"
    found = (  # a tab-separated line's own field count; DuckDB's message for CSV records
        f"len(string_split({record}, chr(9)))"
        if tabs
        else "max(TRY_CAST(regexp_extract(e.error_message, 'Found: (\\d+)', 1) AS INTEGER))"
    )
    try:
        return con.execute(f"""
            SELECT s.file_path AS member, e.line, CASE WHEN any_value(e.error_type) IN ('TOO MANY COLUMNS',
                'MISSING COLUMNS') THEN 'wrong number of fields (' || {found} || ')'
                ELSE 'malformed record: ' || lower(any_value(e.error_type)::VARCHAR) END AS reason,
                {record} AS record
            FROM {table} e JOIN {table}_scan s USING (scan_id, file_id)
            GROUP BY s.file_path, e.line ORDER BY 1, 2""").df()
    except duckdb.CatalogException:  # nothing was rejected: DuckDB made no table
        return None


def parse_rejects(
    con: duckdb.DuckDBPyConnection, table: str, origins: dict[str, Path], report: IngestReport, tabs: bool
) -> pd.DataFrame:
    """Records DuckDB's reader could not parse (wrong field count, bad quoting, bad encoding), one per line.

    Counted in ``report``. The reader numbers CSV records, not lines: a record over several lines moves the
    next ones down, which the line numbers returned account for (``extra``: the lines a record takes beyond
    its first).
    """
    errors = _reader_errors(con, table, tabs)
    if errors is None:
        return rejects_frame([], [], [], []).assign(
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
    if not tabs:
        before = errors.assign(extra=extra).groupby("member", sort=False)["extra"].cumsum().to_numpy() - extra
        lines = lines + before
    frame = rejects_frame(files, lines, errors["reason"], errors["record"])
    frame["member"] = errors["member"].to_numpy()
    frame["extra"] = extra
    return frame


def locate_rejects(
    rejected: pd.DataFrame,
    parsed: pd.DataFrame,
    origins: dict[str, Path],
    source_format: SourceFormat,
    report: IngestReport,
) -> pd.DataFrame:
    """File, line, reason and text of the records the classifier rejected.

    Args:
        rejected: the rejected records' keys (``filename``, ``raw_id``, ``key_b``.., ``line_text``, ``line_no``).
        parsed: the records the reader could not parse (:func:`parse_rejects`).
        origins: file read -> the name to show.
        source_format: the format.
        report: where a record that cannot be found again is reported.

    Returns:
        The rejects table.
    """
    frames = []
    for member, rows in rejected.groupby("filename", sort=True):
        origin = str(origins.get(member, Path(member)))
        if not source_format.tabs:  # the reader numbered its records: count back the lines it could not parse
            skipped = parsed[parsed["member"] == member]
            lines = shift_lines(rows["line_no"], skipped["line"], skipped["extra"])
            frames.append(rejects_frame([origin] * len(rows), lines, rows["reason"], rows["line_text"]))
            continue
        keys = ["raw_id", "key_b", "key_c", "key_d", "key_e", "key_f"]
        found = find_lines(Path(member), rows[[*keys, "reason"]].drop_duplicates(), source_format)
        if len(found) != len(rows):  # an id shared by several lines, or a line the reader read differently
            report.file_errors.append(
                f"{origin}: {len(rows)} record(s) rejected, {len(found)} line(s) found for them in the rejects file"
            )
        frames.append(rejects_frame([origin] * len(found), found["line"], found["reason"], found["record"]))
    return pd.concat(frames, ignore_index=True) if frames else rejects_frame([], [], [], [])


def _wanted_keys(wanted: pd.DataFrame) -> dict[tuple, list[str]]:
    """(id, key fields...) -> the reasons of the rejected records with those values."""
    out: dict[tuple, list[str]] = {}
    for row in wanted.itertuples(index=False):
        values = (row.raw_id, row.key_b, row.key_c, row.key_d, row.key_e, row.key_f)
        out.setdefault(tuple(None if pd.isna(v) else str(v) for v in values), []).append(row.reason)
    return out


def find_lines(file: Path, wanted: pd.DataFrame, source_format: SourceFormat) -> pd.DataFrame:
    """Read a tab-separated file again, numbering its lines, and find the rejected records by id and key fields.

    The file is read as bytes, line by line, so that no encoding (Cyrillic or Turkish names in UTF-8, a stray
    Latin-1 byte) can stop the count of lines; only the lines whose first field is a wanted id are decoded (as
    UTF-8, as DuckDB read them). A "wrong number of fields" reason is completed with the line's own field count.
    """
    names, keys, header = source_format.line_keys()
    positions = [0, *(names.index(k) for k in keys)]
    wanted_keys = _wanted_keys(wanted)
    ids = {k[0].encode("utf-8") if k[0] is not None else b"" for k in wanted_keys}
    found: list[tuple[int, str, str]] = []
    with file.open("rb") as handle:
        for line_no, raw in enumerate(handle, start=1):
            if line_no == 1 and header:
                continue
            line = raw.removeprefix(b"\xef\xbb\xbf") if line_no == 1 else raw
            if line.split(b"\t", 1)[0].rstrip(b"\r\n") not in ids:
                continue
            text = line.decode("utf-8", errors="replace").rstrip("\r\n")
            fields = text.split("\t")
            key = tuple((fields[i] if i < len(fields) else "") or None for i in positions)
            for reason in wanted_keys.get(key, ()):
                shown = f"{reason} ({len(fields)})" if reason == "wrong number of fields" else reason
                found.append((line_no, shown, text))
    return pd.DataFrame(found, columns=["line", "reason", "record"])


def swallowed_lines(file: Path, parsed: pd.DataFrame, workdir: Path) -> tuple[Path, np.ndarray] | None:
    """The lines that rejected multi-line CSV records ran over, as a new file (header + those lines), and its lines.

    Only a record rejected for its quoting counts (a quote opened by mistake). Returns ``None`` when there is
    none. The array gives, for each line of the new file (index = line number), its line in ``file``; every
    rejected record's lines after its first are there, in order, so that one pass reads all of them again.
    """
    spans = [
        (int(line), record.rstrip("\r\n").count("\n"))
        for line, record, reason in zip(parsed["line"], parsed["record"], parsed["reason"], strict=True)
        if reason in _QUOTING and isinstance(record, str) and "\n" in record.rstrip("\r\n")
    ]
    if not spans:
        return None
    with file.open("rb") as handle:
        lines = handle.readlines()
    wanted = sorted(
        {n for first, extra in spans for n in range(first + 1, first + extra + 1) if n <= len(lines)}
    )
    copy = scratch_name(workdir, f"reread-{file.name}")
    copy.write_bytes(b"".join([lines[0], *(lines[n - 1] for n in wanted)]))
    return copy, np.array([0, 1, *wanted], dtype=np.int64)


def shift_lines(record_lines: pd.Series, skipped: pd.Series, extra: pd.Series | None = None) -> pd.Series:
    """Line numbers of records numbered as read, given the lines where the reader skipped unparsable records.

    A skipped record on line ``h_j`` (the ``j``-th, from 0) takes ``1 + extra_j`` lines. The record numbered
    ``r`` lies after every skipped record whose count of readable lines before it, ``h_j`` minus the lines the
    earlier skipped records took, is at most ``r``: one sorted search per record, however many were skipped.

    >>> shift_lines(pd.Series([2, 4]), pd.Series([3])).tolist()  # line 3 was skipped: record 4 is on line 5
    [2, 5]
    >>> shift_lines(pd.Series([2, 3, 4]), pd.Series([3, 4])).tolist()
    [2, 5, 6]
    >>> shift_lines(pd.Series([2, 3]), pd.Series([2]), pd.Series([2])).tolist()  # lines 2-4: one record
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


def write_rejects(
    frames: list[pd.DataFrame], source_format: SourceFormat, folder: Path | None
) -> Path | None:
    """Write the rejects (sorted by file and line) to a CSV in ``folder`` (default ``reports/rejects/``).

    Returns:
        Its path, or None if there is no reject.
    """
    rejects = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
    if not len(rejects):
        return None
    folder = Path(folder) if folder else paths.REJECTS_DIR
    path = folder / f"rejects-{source_format.name}-{pd.Timestamp.now():%Y%m%d-%H%M%S-%f}.csv"
    outputs.write_csv(rejects.sort_values(["file", "line"], kind="stable"), path, quoting=csv.QUOTE_ALL)
    return path
