"""SQL expressions the DuckDB and Spark engines share.

They build the kernel's sums table where the data lives (both dialects accept these expressions).
"""

from __future__ import annotations

import re

from tensions.score.settings import ScoreSettings

_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def column_name(name: str) -> str:
    """A column name safe to write into SQL unquoted (letters, digits, underscores).

    Raises:
        ValueError: for any other name.
    """
    if not _IDENTIFIER.match(name):
        raise ValueError(f"column name {name!r} must be letters, digits and underscores to be scored in SQL")
    return name


def key_sql(s: ScoreSettings) -> str:
    """The pair label of an event: ``actor>target`` (directed) or the alphabetical ``A-B``."""
    actor, target = "CAST(actor AS STRING)", "CAST(target AS STRING)"
    if s.directed:
        return f"{actor} || '>' || {target}"
    return f"least({actor}, {target}) || '-' || greatest({actor}, {target})"


def sides_sql(goldstein: str, importance: str) -> tuple[str, str]:
    """``conflict`` and ``cooperative`` of an event: ``m * max(-g, 0)`` and ``m * max(g, 0)``."""
    return (
        f"{importance} * greatest(-({goldstein}), 0.0)",
        f"{importance} * greatest({goldstein}, 0.0)",
    )


def unsupported(s: ScoreSettings, engine: str, refused: tuple[str, ...]) -> None:
    """Refuse, with a clear error, the settings an engine cannot honour."""
    for name in refused:
        if getattr(s, name) != getattr(ScoreSettings(), name):
            raise ValueError(f"the {engine} engine cannot score with {name}={getattr(s, name)!r}")
