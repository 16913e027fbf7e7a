"""Salience: how much an event can move a score, the one measure used to pick the events to show first.

The timeline labels its most salient events and the dashboard draws at most a given number of events,
the most salient ones; both use :func:`salience`.
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from tensions.score.settings import CONFIDENCE_WEIGHTS


def salience(events: pd.DataFrame, weights: Mapping[str, float] = CONFIDENCE_WEIGHTS) -> pd.Series:
    """|Goldstein| times the confidence weight (unknown levels get the lowest weight).

    Args:
        events: events with ``goldstein`` and ``confidence``.
        weights: confidence weights (default: the scoring defaults, 1 / 0.7 / 0.4).

    Returns:
        One value per event, on the events' index.

    >>> frame = pd.DataFrame({"goldstein": [-10.0, 3.0], "confidence": ["confirmed", "alleged"]})
    >>> salience(frame).round(2).tolist()
    [10.0, 1.2]
    """
    weight = events["confidence"].astype("string").map(dict(weights)).astype("float64")
    return events["goldstein"].abs() * weight.fillna(min(weights.values()))


def most_salient(events: pd.DataFrame, n: int) -> pd.DataFrame:
    """The ``n`` most salient events (ties: the first), in their original order."""
    if len(events) <= n:
        return events
    keep = salience(events).nlargest(n, keep="first").index
    return events.loc[sorted(keep)]
