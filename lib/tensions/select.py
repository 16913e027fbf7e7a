"""Selecting events: the filters every notebook and the dashboard share."""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd

from tensions.names import check_pairs, check_values, read_quad_class
from tensions.vocabulary import CONFIDENCE_LEVELS, THEMES, levels_at_least

#: Confidence levels from the most to the least certain (the event schema's levels).
CONFIDENCE_ORDER: tuple[str, ...] = CONFIDENCE_LEVELS


def filter_events(
    events: pd.DataFrame,
    pairs: Iterable[str] | None = None,
    countries: Iterable[str] | None = None,
    themes: Iterable[str] | None = None,
    quad_classes: Iterable[int] | None = None,
    start: str | pd.Timestamp | None = None,
    end: str | pd.Timestamp | None = None,
    min_confidence: str | None = None,
) -> pd.DataFrame:
    """Keep the events that match every given filter (``None`` means no filter).

    Args:
        events: events as returned by ``load_events`` (or an ingest reader).
        pairs: pairs in any order and case (``"rus-aze"`` is ``"AZE-RUS"``).
        countries: keep events where actor or target is one of these ISO3 codes (any case).
        themes: keep events with at least one of these themes.
        quad_classes: keep these quad classes, as numbers (1-4) or names (`"Material conflict"`, any case).
        start: keep events dated on or after this day.
        end: keep events dated on or before this day.
        min_confidence: ``"confirmed"`` keeps only confirmed events, ``"reported"`` confirmed and
            reported ones, ``"alleged"`` (or ``None``) all.

    Returns:
        The matching rows, in the original order, index reset.

    Raises:
        ValueError: for a pair, country, theme or quad class the events do not know, naming the closest
            known values (a misspelling is never an empty result).

    >>> import tensions
    >>> ev = tensions.load_events()
    >>> sub = filter_events(ev, pairs=["AZE-RUS"], min_confidence="confirmed")
    >>> set(sub["pair"]) == {"AZE-RUS"} and set(sub["confidence"]) <= {"confirmed"}
    True
    """
    keep = pd.Series(True, index=events.index)
    if pairs is not None:
        keep &= events["pair"].isin(check_pairs(pairs, events["pair"].dropna().unique()))
    if countries is not None:
        known = set(events["actor"].dropna().astype(str)) | set(events["target"].dropna().astype(str))
        codes = check_values("country", countries, sorted(known), upper=True)
        keep &= events["actor"].isin(codes) | events["target"].isin(codes)
    if themes is not None:
        present = {t for s in events["themes"].dropna().astype(str) for t in s.split(";") if t}
        wanted = set(check_values("theme", themes, sorted(present | set(THEMES))))
        keep &= events["themes"].fillna("").map(lambda s: bool(wanted & set(str(s).split(";"))))
    if quad_classes is not None:
        quads = [read_quad_class(q) for q in quad_classes]
        keep &= events["quad_class"].isin(quads)
    if start is not None:
        keep &= events["date"] >= pd.Timestamp(start)
    if end is not None:
        keep &= events["date"] <= pd.Timestamp(end)
    if min_confidence is not None:
        keep &= events["confidence"].astype("string").isin(levels_at_least(min_confidence))
    return events[keep.astype(bool)].reset_index(drop=True)


def count_events(events: pd.DataFrame, by: str | list[str]) -> pd.DataFrame:
    """Number of events per value of ``by`` (a column, ``"year"``, ``"source"`` or ``"theme"``).

    ``"source"`` counts an event once for each source that cites it, ``"theme"`` once per theme.

    >>> import tensions
    >>> counts = count_events(tensions.load_events(), "year")
    >>> int(counts["n_events"].sum()) == len(tensions.load_events())
    True
    """
    frame = events.copy()
    keys = [by] if isinstance(by, str) else list(by)
    if "year" in keys:
        frame["year"] = frame["date"].dt.year
    if "source" in keys:
        frame = frame.assign(source=frame["source_ids"].str.split(";")).explode("source")
    if "theme" in keys:
        frame = frame.assign(theme=frame["themes"].str.split(";")).explode("theme")
    counts = frame.groupby(keys, observed=True).size().rename("n_events").reset_index()
    return counts.sort_values(keys).reset_index(drop=True)
