"""SQL text helpers and the DuckDB connection of an ingest.

Values go to DuckDB as parameters wherever DuckDB takes them (file lists, filters, settings); what cannot be a
parameter (a column name, a value inside a type or macro definition) is quoted by :func:`quote_identifier` or
:func:`quote_literal`, and only by them.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable
from pathlib import Path

import duckdb

#: The environment variable that caps DuckDB's memory during an ingest (default :data:`DEFAULT_MEMORY`).
MEMORY_ENV = "TENSIONS_DUCKDB_MEMORY"
DEFAULT_MEMORY = "256MB"
_MEMORY = re.compile(r"\d+(\.\d+)?\s*([KMGT]i?B|B|[KMGT]B?)?", re.IGNORECASE)


def quote_identifier(name: str) -> str:
    """A name as a DuckDB identifier, double-quoted.

    >>> quote_identifier('a"b')
    '"a""b"'
    """
    return '"' + str(name).replace('"', '""') + '"'


def quote_literal(value: object) -> str:
    """A value as a DuckDB string literal, single-quoted.

    >>> quote_literal("Cote d'Ivoire")
    "'Cote d''Ivoire'"
    """
    return "'" + str(value).replace("'", "''") + "'"


def literal_list(values: Iterable[object]) -> str:
    """Values as a comma-separated list of string literals.

    >>> literal_list(["RUS", "AZE"])
    "'RUS', 'AZE'"
    """
    return ", ".join(quote_literal(v) for v in values)


def memory_limit(value: str | None = None) -> str:
    """DuckDB's memory cap: ``value``, else ``TENSIONS_DUCKDB_MEMORY``, else 256MB; checked to be a size.

    Args:
        value: a size such as ``512MB`` or ``2GiB``.

    Returns:
        The size, stripped.

    Raises:
        ValueError: if it is not a size (it is never pasted into SQL, and a typo is named here).

    >>> memory_limit("2 GiB")
    '2 GiB'
    """
    size = (value or os.environ.get(MEMORY_ENV) or DEFAULT_MEMORY).strip()
    if not _MEMORY.fullmatch(size):
        raise ValueError(f"the DuckDB memory limit must be a size such as 256MB or 2GiB, not {size!r}")
    return size


class Connection:
    """A DuckDB connection with the lookups the classifier uses, closed on exit.

    DuckDB's memory is capped (``memory_limit``); past it, it spills to ``tmp``, so a large file costs disk,
    not memory.

    Args:
        tmp: the folder DuckDB spills to.
        memory: the memory cap (see :func:`memory_limit`).
    """

    def __init__(self, tmp: Path | None = None, memory: str | None = None) -> None:
        """Check the settings; the connection opens on ``with``."""
        self.tmp, self.memory_limit = tmp, memory_limit(memory)

    def __enter__(self) -> duckdb.DuckDBPyConnection:
        """Open the connection and set it up; Ctrl-C meanwhile is a :class:`KeyboardInterrupt`."""
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
        """Limit memory and spill to ``tmp``; define the lookups (types, macros, tables)."""
        from tensions.ingest.lookups import define_lookups

        self.con.execute("SET enable_progress_bar = false")
        # records are handed over in the order they were read (files as listed, lines in order), so that the
        # first record of a repeated id is the one kept, run after run (the default, set here on purpose)
        self.con.execute("SET preserve_insertion_order = true")
        self.con.execute("SET memory_limit = $1", [self.memory_limit])
        if self.tmp is not None:
            self.con.execute("SET temp_directory = $1", [str(self.tmp)])
        define_lookups(self.con)
        return self.con

    def __exit__(self, *exc: object) -> None:
        """Close the connection."""
        self.con.close()
