"""The files of an ingest: paths and patterns expanded, zips unpacked, files grouped, first lines read."""

from __future__ import annotations

import csv
import glob
import gzip
import itertools
import zipfile
import zlib
from collections.abc import Iterable, Iterator
from pathlib import Path

from tensions.ingest.report import IngestError

#: Files scanned together at most (bytes on disk, after unzipping).
CHUNK_BYTES = 4 * 2**30
_NAMES = itertools.count()


def scratch_name(workdir: Path, name: str) -> Path:
    """A new file name in ``workdir`` ending with ``name`` (unzipped members, lines read again)."""
    return workdir / f"{next(_NAMES)}-{name}"


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


def unzipped(path: Path, workdir: Path) -> list[tuple[Path, Path]]:
    """(extracted file, ``zip!member`` name) for each member of a zip (a damaged zip gives a clear error).

    Args:
        path: the zip.
        workdir: where the members are extracted.

    Returns:
        (extracted file, name to show) per member.

    Raises:
        IngestError: if the zip is empty or cannot be read.
    """
    try:
        with zipfile.ZipFile(path) as archive:
            members = [m for m in archive.namelist() if not m.endswith("/")]
            if not members:
                raise IngestError(f"{path}: the zip holds no file")
            out = []
            for member in members:
                target = scratch_name(workdir, Path(member).name)
                with archive.open(member) as src, target.open("wb") as dst:
                    while chunk := src.read(1 << 20):
                        dst.write(chunk)
                out.append((target, Path(f"{path}!{member}")))
            return out
    except (zipfile.BadZipFile, EOFError, zipfile.LargeZipFile, zlib.error, OSError) as exc:
        raise IngestError(f"{path}: not a readable zip file (truncated or corrupt): {exc}") from exc


def prepare(path: Path, workdir: Path) -> list[tuple[Path, Path]]:
    """(file to read, name to show) for ``path``: itself, or the members of a zip.

    Args:
        path: a file named by the user.
        workdir: where zip members are extracted.

    Returns:
        (file to read, name to show) pairs.

    Raises:
        IngestError: if the file is missing, a folder, empty, or a damaged zip.
    """
    if not path.exists():
        raise IngestError(f"{path}: file not found")
    if path.is_dir():
        raise IngestError(f"{path}: a folder, not a file")
    if path.stat().st_size == 0:
        raise IngestError(f"{path}: empty file (no records)")
    if path.suffix.lower() == ".zip":
        return unzipped(path, workdir)
    return [(path, path)]


def chunks(listed: list[Path]) -> Iterator[list[Path]]:
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


def first_line(file: Path, shown: Path | None = None) -> list[str]:
    """The tab-separated fields of the first non-blank line (``.gz`` decompressed, a byte-order mark dropped).

    Args:
        file: the file to read.
        shown: the name to give in errors (default ``file``).

    Returns:
        The fields.

    Raises:
        IngestError: if the file cannot be read or holds blank lines only.
    """
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


def header_fields(file: Path, origin: Path, delimiter: str = ",") -> list[str]:
    """The column names on line 1 of a CSV file (``.gz`` decompressed, a byte-order mark dropped).

    Only line 1 is parsed, so that a stray quote further down cannot make the header unreadable.

    Args:
        file: the file to read.
        origin: the name to give in errors.
        delimiter: the field delimiter.

    Returns:
        The column names.

    Raises:
        IngestError: if line 1 cannot be read or is not a header.
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


def csv_header(
    file: Path, origin: Path, required: Iterable[str], what: str, delimiter: str = ","
) -> list[str]:
    """The header of a CSV file, checked to hold the ``required`` columns.

    Args:
        file: the file to read.
        origin: the name to give in errors.
        required: the columns it must have.
        what: what they are, for the message (``ACLED``, ``mapped``).
        delimiter: the field delimiter.

    Returns:
        The column names.

    Raises:
        IngestError: if a required column is absent.
    """
    header = header_fields(file, origin, delimiter)
    absent = [c for c in required if c not in header]
    if absent:
        raise IngestError(f"{origin}: line 1 lacks the {what} column(s) {', '.join(absent)}")
    return header
