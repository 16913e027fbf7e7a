"""The dashboard's HTML fragments (event table, breakdown, event details, status), from jinja2 templates.

Every fragment is rendered by a template in ``templates/`` with autoescape on: text from the events table
(titles, notes, evidence) never becomes markup. Values are formatted here; templates only lay them out.
"""

from __future__ import annotations

import base64
from collections.abc import Mapping, Sequence
from datetime import datetime
from functools import cache
from pathlib import Path
from urllib.parse import urlparse

import jinja2
import pandas as pd

TABLE_COLUMNS = ["event_id", "date", "pair", "title", "goldstein", "confidence", "sources"]
BREAKDOWN_ROWS = 15


@cache
def environment() -> jinja2.Environment:
    """The templates of this package, autoescaped."""
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(Path(__file__).parent / "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=False,
    )


def render(name: str, **values) -> str:
    """Render the template ``name`` with ``values``."""
    return environment().get_template(name).render(**values)


def text(value: object) -> str:
    """A cell as text: missing values empty.

    >>> text(None), text(float("nan")), text("Baku")
    ('', '', 'Baku')
    """
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return ""
    return str(value)


def safe_url(url: object) -> str:
    """The address if it is an http(s) one, else empty (no ``javascript:`` link).

    >>> safe_url("https://example.org/a"), safe_url("javascript:alert(1)")
    ('https://example.org/a', '')
    """
    value = text(url).strip()
    return value if urlparse(value).scheme in ("http", "https") else ""


def source_records(sources: pd.DataFrame | None) -> dict[str, dict]:
    """The sources table (indexed by ``source_id``) as one dict per source, to look sources up fast."""
    return {} if sources is None else {str(k): v for k, v in sources.to_dict("index").items()}


def describe_sources(source_ids: object, sources: pd.DataFrame | Mapping[str, Mapping] | None) -> list[dict]:
    """The sources of an event (``S001;S004``) by title, link and publisher (ids when unknown).

    ``sources`` is the sources table indexed by ``source_id`` or its :func:`source_records`.
    """
    if isinstance(sources, pd.DataFrame):
        sources = source_records(sources)
    out = []
    for source_id in [s for s in text(source_ids).split(";") if s]:
        if sources is None or source_id not in sources:
            out.append({"source_id": source_id, "title": source_id, "url": "", "meta": ""})
            continue
        row = sources[source_id]
        meta = [text(row.get(k)) for k in ("publisher", "author", "published")]
        out.append(
            {
                "source_id": source_id,
                "title": text(row.get("title")) or source_id,
                "url": safe_url(row.get("url")),
                "meta": "; ".join(m for m in meta if m and m != "unknown"),
            }
        )
    return out


def render_events_table(
    shown: pd.DataFrame, sources: pd.DataFrame | Mapping[str, Mapping] | None, limit: int
) -> str:
    """The events of the window, most recent first, at most ``limit`` rows; sources by title and link."""
    if isinstance(sources, pd.DataFrame):
        sources = source_records(sources)  # once per table, not one ``.loc`` per source of every row
    recent = shown.sort_values("date", ascending=False, kind="stable").head(limit)
    columns = [c for c in TABLE_COLUMNS if c in recent.columns or c == "sources"]
    rows = [
        {
            "event_id": text(r.get("event_id")),
            "date": f"{r['date']:%Y-%m-%d}",
            "pair": text(r.get("pair")),
            "title": text(r.get("title")),
            "goldstein": f"{r['goldstein']:+.1f}",
            "confidence": text(r.get("confidence")),
            "sources": describe_sources(r.get("source_ids"), sources),
        }
        for r in recent.to_dict("records")
    ]
    return render("events_table.html.j2", rows=rows, columns=columns, total=len(shown))


def render_breakdown(breakdown: pd.DataFrame, pair: str, day: pd.Timestamp, what: str) -> str:
    """The events behind one value of a line, largest contribution first."""
    rows = [
        {
            "event_id": text(r["event_id"]),
            "date": f"{pd.Timestamp(r['date']):%Y-%m-%d}",
            "title": text(r["title"]),
            "goldstein": float(r["goldstein"]),
            "confidence": text(r["confidence"]),
            "contribution": float(r["contribution"]),
        }
        for r in breakdown.head(BREAKDOWN_ROWS).to_dict("records")
    ]
    index = breakdown.attrs.get("index_value") if what == "pressure" else None
    return render(
        "breakdown.html.j2",
        pair=pair,
        day=f"{day:%Y-%m-%d}",
        what=what,
        value=float(breakdown.attrs["value"]),
        index=None if index is None else float(index),
        rows=rows,
        total=len(breakdown),
    )


def render_event(event: pd.Series, sources: pd.DataFrame | Mapping[str, Mapping] | None, faded: bool) -> str:
    """One event's details: what, who, when, its sources by title and link, the evidence quote."""
    fields = {name: text(event.get(name)) for name in event.index}
    fields["event_id"] = text(event.name)
    fields["date"] = f"{event['date']:%Y-%m-%d}"
    fields["goldstein"] = f"{event['goldstein']:+.1f}"
    for name in ("date_precision", "cameo_code", "description", "evidence", "date_note", "notes", "title"):
        fields.setdefault(name, "")
    return render(
        "event_detail.html.j2",
        e=fields,
        sources=describe_sources(event.get("source_ids"), sources),
        faded=faded,
    )


def render_status(state, note: str, seconds: float, count: int = 0) -> str:
    """The line above the charts: how many events pass, feed the scores, and the compute time.

    ``count`` (the number of updates so far) is kept in an attribute, so a page can tell an update is done.
    """
    settings = state.settings
    return render(
        "status.html.j2",
        shown=len(state.shown),
        start=f"{settings.start:%Y-%m-%d}",
        end=f"{settings.end:%Y-%m-%d}",
        selected=len(state.selection),
        context=len(state.context),
        note=note,
        ms=seconds * 1000,
        count=count,
    )


def render_files(paths: Sequence[Path], download: tuple[str, bytes] | None = None) -> str:
    """The files an export wrote, with a download link for a CSV given as ``(name, content)``."""
    link = None
    if download is not None:
        link = {"name": download[0], "data": base64.b64encode(download[1]).decode("ascii")}
    at = datetime.now().strftime("%H:%M:%S")
    return render("files.html.j2", paths=[str(p) for p in paths], download=link, error=None, at=at)


def render_error(error: BaseException) -> str:
    """An export failure, shown in the dashboard."""
    return render("files.html.j2", paths=[], download=None, error=str(error), at="")


def render_style() -> str:
    """The dashboard's stylesheet."""
    return render("style.html.j2")
