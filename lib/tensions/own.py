"""The analyst's own events: accepted candidates saved to the workspace, loaded next to the curated ones.

The files live in :func:`tensions.paths.workspace_dir` (``workspace/`` by default, git-ignored), never in
``data/``. They have the curated files' columns and are validated by the same loaders; their ids
(``OWN-NNNN`` for events, ``OWN-SNNNN`` for sources) cannot clash with curated ones (``EV-NNNN``, ``SNNN``).
Every save is checked first on a temporary copy and then moved into place, so a bad candidate never
leaves a half-written file.
"""

from __future__ import annotations

import csv
import os
import re
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd

from tensions import paths
from tensions.schema import EVENT_FIELDS, SOURCE_FIELDS, coerce_events, event_dtypes

EVENT_COLUMNS = [f.name for f in EVENT_FIELDS]
SOURCE_COLUMNS = [f.name for f in SOURCE_FIELDS]


class OwnEventsError(ValueError):
    """Accepted candidates cannot be saved (the message names the candidate and the field)."""


@dataclass(frozen=True)
class SaveReport:
    """What a save wrote: event ids, the source id cited, and the files."""

    event_ids: list[str]
    source_id: str
    events_csv: Path
    sources_csv: Path

    def __str__(self) -> str:
        ids = ", ".join(self.event_ids) if self.event_ids else "none"
        return f"{len(self.event_ids)} event(s) saved ({ids}) citing {self.source_id} in {self.events_csv}"


def load_own_sources() -> pd.DataFrame:
    """The analyst's own sources (an empty frame when none were saved yet)."""
    from tensions.data import load_sources

    path = paths.own_sources_csv()
    if not path.exists():
        return pd.DataFrame({c: pd.Series(dtype="string") for c in SOURCE_COLUMNS})
    return load_sources(path)


def append_own_sources(sources: pd.DataFrame) -> pd.DataFrame:
    """``sources`` followed by the analyst's own sources."""
    own = load_own_sources()
    return sources if own.empty else pd.concat([sources, own], ignore_index=True)


def load_own_events(
    countries: pd.DataFrame | None = None, sources: pd.DataFrame | None = None, today: date | None = None
) -> pd.DataFrame | None:
    """The analyst's own events, validated like the curated ones, with ``origin = own`` (None when none)."""
    from tensions.data import DatasetError, Problem, load_events, load_sources

    path = paths.own_events_csv()
    if not path.exists():
        return None
    curated = sources if sources is not None else load_sources()
    events = load_events(
        path, countries=countries, sources=append_own_sources(curated), today=today, include_own=False
    )
    wrong = [
        Problem(path.name, i + 2, "event_id", str(v), "own events must have OWN-NNNN ids")
        for i, v in enumerate(events["event_id"])
        if not str(v).startswith("OWN-")
    ]
    if wrong:
        raise DatasetError(wrong)
    events["origin"] = pd.Series("own", index=events.index, dtype=event_dtypes()["origin"])
    return events


def append_own_events(
    events: pd.DataFrame,
    countries: pd.DataFrame | None = None,
    sources: pd.DataFrame | None = None,
    today: date | None = None,
) -> pd.DataFrame:
    """``events`` (curated) followed by the analyst's own events."""
    own = load_own_events(countries=countries, sources=sources, today=today)
    if own is None or own.empty:
        return events
    return coerce_events(pd.concat([events, own], ignore_index=True))


def save_accepted(
    candidates: pd.DataFrame, source: Mapping[str, Any] | None = None, *, today: date | None = None
) -> SaveReport:
    """Append the accepted candidates (``status == "accepted"``) to the analyst's own events.

    Args:
        candidates: rows of :func:`tensions.code_article`, edited; rows whose ``status`` is not
            ``accepted`` are left out.
        source: the article to cite (``title``, ``publisher``, ``url``, ``published``, ``author``, ``file``);
            by default the ``source_*`` columns of the candidates.
        today: the date after which an event counts as in the future (default: today).

    Returns:
        What was written.

    Raises:
        OwnEventsError: a candidate fails the events schema (the message names candidate, field and reason).
    """
    from tensions.data import DatasetError, load_countries, load_events, load_sources

    accepted = candidates[candidates["status"].astype("string").str.strip().str.lower() == "accepted"]
    events_csv, sources_csv = paths.own_events_csv(), paths.own_sources_csv()
    if accepted.empty:
        return SaveReport([], "", events_csv, sources_csv)
    paths.workspace_dir().mkdir(parents=True, exist_ok=True)
    curated_sources = load_sources()
    own_sources = _read_rows(sources_csv)
    source_row = _source_row(accepted.iloc[0], source, own_sources)
    new_sources = own_sources + ([source_row] if source_row not in own_sources else [])
    own_events = _read_rows(events_csv)
    rows = _event_rows(accepted, source_row["source_id"], own_events)
    new_events = own_events + rows
    tmp_sources = _write_rows(new_sources, SOURCE_COLUMNS, sources_csv)
    tmp_events = _write_rows(new_events, EVENT_COLUMNS, events_csv)
    try:
        checked_sources = load_sources(tmp_sources)
        load_events(
            tmp_events,
            countries=load_countries(),
            sources=pd.concat([curated_sources, checked_sources], ignore_index=True),
            today=today,
            include_own=False,
        )
    except DatasetError as exc:
        tmp_sources.unlink(missing_ok=True)
        tmp_events.unlink(missing_ok=True)
        raise OwnEventsError(_explain(exc, accepted, len(own_events))) from None
    os.replace(tmp_sources, sources_csv)
    os.replace(tmp_events, events_csv)
    return SaveReport([r["event_id"] for r in rows], source_row["source_id"], events_csv, sources_csv)


def _explain(exc, accepted: pd.DataFrame, existing: int) -> str:
    lines = []
    ids = list(accepted.get("candidate_id", pd.Series(range(len(accepted)))).astype(str))
    for problem in exc.problems:
        position = problem.line - 2 - existing
        who = f"candidate {ids[position]}" if 0 <= position < len(ids) else f"line {problem.line}"
        lines.append(f"  - {who}, field {problem.column!r}: {problem.reason} (value {problem.value!r})")
    return "the accepted candidates do not fit the events schema; nothing was saved:\n" + "\n".join(lines)


def _read_rows(path: Path) -> list[dict[str, str]]:
    if not path.exists():
        return []
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def _write_rows(rows: list[dict[str, str]], columns: list[str], target: Path) -> Path:
    options = {"dir": target.parent, "prefix": f".{target.stem}-", "suffix": ".csv", "delete": False}
    with tempfile.NamedTemporaryFile("w", newline="", encoding="utf-8", **options) as handle:
        writer = csv.DictWriter(handle, fieldnames=columns, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)
    return Path(handle.name)


def _next_number(ids: list[str], prefix: str) -> int:
    numbers = [int(m.group(1)) for i in ids if (m := re.match(rf"^{prefix}(\d+)$", i or ""))]
    return max(numbers, default=0) + 1


def _source_row(
    first: pd.Series, source: Mapping[str, Any] | None, existing: list[dict[str, str]]
) -> dict[str, str]:
    given = {k: "" if v is None else str(v) for k, v in (source or {}).items()}

    def pick(key: str, default: str = "") -> str:
        value = given.get(key) or str(first.get(f"source_{key}", "") or "")
        return value if value and value != "<NA>" else default

    row = {
        "file": pick("file", "(text)"),
        "title": pick("title", "untitled article"),
        "publisher": pick("publisher", "unknown"),
        "author": pick("author"),
        "published": pick("published"),
        "url": pick("url"),
        "notes": "Coded with the article coder and reviewed; cited, not reproduced (quotes of at most 15 words).",
    }
    for old in existing:
        same_url = row["url"] and old.get("url") == row["url"]
        same_title = (old.get("title"), old.get("published")) == (row["title"], row["published"])
        if same_url or same_title:
            return old
    number = _next_number([r.get("source_id", "") for r in existing], "OWN-S")
    return {"source_id": f"OWN-S{number:04d}", **row}


def _event_rows(
    accepted: pd.DataFrame, source_id: str, existing: list[dict[str, str]]
) -> list[dict[str, str]]:
    from tensions.data import load_events

    number = _next_number([r.get("event_id", "") for r in existing], "OWN-")
    used_groups = set(load_events(include_own=False)["group_id"].dropna()) | {
        r.get("group_id") for r in existing
    }
    next_group = _next_number([g for g in used_groups if g], "GR-")
    groups: dict[str, str] = {}
    rows = []
    for _, candidate in accepted.iterrows():
        row = {c: _cell(candidate.get(c)) for c in EVENT_COLUMNS}
        row["event_id"] = f"OWN-{number:04d}"
        number += 1
        row["source_ids"] = source_id
        if row["group_id"]:
            if row["group_id"] not in groups:
                groups[row["group_id"]] = f"GR-{next_group:02d}"
                next_group += 1
            row["group_id"] = groups[row["group_id"]]
        notes = [row["notes"]] if row["notes"] else []
        if _cell(candidate.get("matches_event_id")):
            notes.append(f"The coder found it repeats {_cell(candidate.get('matches_event_id'))}.")
        row["notes"] = " ".join(notes)
        rows.append(row)
    return rows


def _cell(value: Any) -> str:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return ""
    if isinstance(value, float) and value.is_integer():
        return f"{value:.1f}"
    return str(value).strip()
