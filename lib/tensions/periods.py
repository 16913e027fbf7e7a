"""The period an event's date stands for: its day, or its whole month or year when the date is imprecise.

Scoring places an imprecise event's push in its period, the timeline draws the period as a bar and the
article coder matches a candidate against it: all three read it from here.
"""

from __future__ import annotations

import pandas as pd


def period_end(start: pd.Series, precision: pd.Series) -> pd.Series:
    """Return the last day of each date's period: the day itself, or the last day of its month or year.

    Args:
        start: the dates (the first day of their period).
        precision: ``day``, ``month`` or ``year`` for each date (anything else counts as ``year``).

    Returns:
        The last days, on the index of ``start``.

    >>> start = pd.Series(pd.to_datetime(["2024-02-01", "2024-02-01", "2024-02-01"]))
    >>> period_end(start, pd.Series(["day", "month", "year"])).dt.strftime("%m-%d").tolist()
    ['02-01', '02-29', '12-31']
    """
    month_end = start + pd.offsets.MonthEnd(0)
    year_end = start + pd.offsets.YearEnd(0)
    return start.where(precision == "day", month_end.where(precision == "month", year_end))


def event_period_end(start: pd.Series, precision: pd.Series, end_date: pd.Series | None = None) -> pd.Series:
    """Return the last day of each event's period, an explicit ``end_date`` of an imprecise date included.

    For a month- or year-precision date an ``end_date`` is the last day of the window the event happened
    in: it narrows or widens the period ("between February and 24 March"). A day-precision event's period
    is its day, whatever its ``end_date``.

    Args:
        start: the events' dates.
        precision: their precisions (a missing one counts as ``day``).
        end_date: their end dates, if any.

    Returns:
        The last days, on the index of ``start``.

    >>> start = pd.Series(pd.to_datetime(["2024-02-01", "2024-02-01"]))
    >>> ends = pd.Series(pd.to_datetime(["2024-03-24", "2024-03-24"]))
    >>> event_period_end(start, pd.Series(["month", "day"]), ends).dt.strftime("%m-%d").tolist()
    ['03-24', '02-01']
    """
    precision = precision.astype("string").fillna("day")
    end = period_end(start, precision)
    if end_date is None:
        return end
    explicit = end_date.notna() & (precision != "day")
    return end.where(~explicit, end_date)
