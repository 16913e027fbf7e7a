"""Every file the workbook writes goes through here: never into ``data/``, atomically, CSV cells guarded.

* :func:`check_output_path` resolves the final path (every symbolic link, the file's own included) and refuses
  anything inside ``data/``.
* :func:`atomic_path` hands out a temporary file in the same folder and renames it over the final path only when
  the writing ended without error (``os.replace``: a reader sees the old file or the new one, never a part). On
  an error or an interruption (Ctrl-C) the temporary file is removed; one left behind by a killed process
  (``.<name>.<random>.<pid>.tmp<suffix>``) is removed by the next write of the same file.
* :func:`write_csv` neutralises the cells a spreadsheet would run as formulas; :func:`write_text`,
  :func:`write_bytes` and :func:`write_parquet` cover the other outputs.
"""

from __future__ import annotations

import glob
import os
import signal
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pandas as pd

from tensions import paths

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


class OutputRefusedError(PermissionError):
    """An output path that the workbook will not write (inside ``data/``, or one that cannot be resolved)."""


#: The former name of :class:`OutputRefusedError`, still importable.
OutputRefused = OutputRefusedError


def check_output_path(path: str | Path) -> Path:
    """The file ``path`` really names (symbolic links followed); refuse it if that lies inside ``data/``.

    Args:
        path: the output file as the caller gave it.

    Returns:
        The resolved path, where the bytes will go.

    Raises:
        OutputRefusedError: the path resolves into ``data/``, or cannot be resolved (a symbolic link loop).
    """
    path = Path(path)
    try:
        final = path.resolve()
        data = paths.DATA_DIR.resolve()
    except (OSError, RuntimeError) as exc:  # RuntimeError: a symbolic link loop (Python < 3.13)
        raise OutputRefusedError(f"{path}: cannot be resolved ({exc})") from exc
    if final == data or data in final.parents:
        shown = "" if final == path.absolute() else f" (it resolves to {final})"
        raise OutputRefusedError(f"refusing to write into the curated dataset folder: {path}{shown}")
    return final


def _temp_pattern(final: Path) -> str:
    return f".{glob.escape(final.name)}.*.tmp{glob.escape(final.suffix)}"


def remove_stale_temps(final: Path) -> list[Path]:
    """Remove the temporary files of ``final`` left by processes that no longer run; return them."""
    removed = []
    for temp in final.parent.glob(_temp_pattern(final)):
        pid = temp.name.removesuffix(f".tmp{final.suffix}").rsplit(".", 1)[-1]
        if pid.isdigit() and not _process_alive(int(pid)):
            temp.unlink(missing_ok=True)
            removed.append(temp)
    return removed


def _process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # it runs, as another user
        return True
    return True


def _file_mode() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return 0o666 & ~mask


@contextmanager
def atomic_path(path: str | Path) -> Iterator[Path]:
    """A temporary path to write in place of ``path``; renamed over it when the block ends without error.

    Args:
        path: the final file (checked with :func:`check_output_path`; its folder is created).

    Yields:
        The temporary file (in the same folder, so the rename is atomic), already created and empty.
    """
    final = check_output_path(path)
    paths.ensure_dir(final.parent)
    remove_stale_temps(final)
    # Ctrl-C is held back while the temporary file is created, so that it is never left between its creation
    # and the block that removes it
    previous = _block(_STOP_SIGNALS)
    try:
        handle, name = tempfile.mkstemp(
            prefix=f".{final.name}.", suffix=f".{os.getpid()}.tmp{final.suffix}", dir=final.parent
        )
        os.close(handle)
        temp = Path(name)
        try:
            _restore(previous)  # a Ctrl-C that came meanwhile is raised here
            yield temp
            os.chmod(temp, _file_mode())
            with temp.open("rb") as done:
                os.fsync(done.fileno())
            os.replace(temp, final)
        except BaseException:  # an error, Ctrl-C or SystemExit: the previous file stays as it was
            temp.unlink(missing_ok=True)
            raise
    finally:
        _restore(previous)


_STOP_SIGNALS = {signal.SIGINT, signal.SIGTERM}


def _block(signals: set[int]) -> set[int] | None:
    if not hasattr(signal, "pthread_sigmask"):
        return None
    return signal.pthread_sigmask(signal.SIG_BLOCK, signals)


def _restore(mask: set[int] | None) -> None:
    if mask is not None:
        signal.pthread_sigmask(signal.SIG_SETMASK, mask)


def write_bytes(path: str | Path, data: bytes) -> Path:
    """Write ``data`` to ``path`` atomically; return ``path``."""
    with atomic_path(path) as temp:
        temp.write_bytes(data)
    return Path(path)


def write_text(path: str | Path, text: str) -> Path:
    """Write ``text`` to ``path`` as UTF-8, atomically; return ``path``."""
    return write_bytes(path, text.encode("utf-8"))


def write_parquet(frame: pd.DataFrame, path: str | Path) -> Path:
    """Write ``frame`` (without its index) to ``path`` as Parquet, atomically; return ``path``."""
    with atomic_path(path) as temp:
        frame.to_parquet(temp, index=False)
    return Path(path)


def neutralise_formula(value: object) -> object:
    r"""Prefix a text cell that a spreadsheet would read as a formula with ``'``.

    Only text is touched: numbers (negative ones included) are left as they are.

    >>> neutralise_formula("=HYPERLINK(\"http://x\")"), neutralise_formula("-2+3"), neutralise_formula(-2.0)
    ('\'=HYPERLINK("http://x")', "'-2+3", -2.0)
    >>> neutralise_formula("Baku")
    'Baku'
    """
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def safe_csv_frame(data: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``data`` whose text cells cannot be run as spreadsheet formulas."""
    out = data.copy()
    for column in out.columns:
        if out[column].dtype == object or pd.api.types.is_string_dtype(out[column]):
            out[column] = out[column].map(neutralise_formula, na_action="ignore")
    return out


def write_csv(data: pd.DataFrame, path: str | Path, **to_csv: object) -> Path:
    """Write ``data`` as UTF-8 CSV (no index), formula cells neutralised, atomically; return ``path``.

    Args:
        data: the table.
        path: the CSV file.
        **to_csv: further arguments of ``DataFrame.to_csv`` (``quoting``...).
    """
    with atomic_path(path) as temp:
        safe_csv_frame(data).to_csv(temp, index=False, **to_csv)
    return Path(path)
