"""CrisisWatch-style monthly arrows: per pair and month, did relations deteriorate, improve or hold?"""

from __future__ import annotations

import html

import pandas as pd
import plotly.graph_objects as go

from tensions.charts.style import add_source_note

#: How each trend is drawn: marker symbol, colour, legend name.
TREND_STYLE: dict[str, tuple[str, str, str]] = {
    "deteriorated": ("triangle-up", "#D55E00", "deteriorated (index rose)"),
    "improved": ("triangle-down", "#0072B2", "improved (index fell)"),
}


def build_trend_figure(
    trend: pd.DataFrame, threshold: float | None = None, title: str | None = None
) -> go.Figure:
    """Build the monthly trend grid: one row per pair, one column per month.

    An up arrow marks a month that deteriorated, a down arrow one that improved
    (``tensions.scoring.score_monthly_trend``); unchanged months are left blank.

    Args:
        trend: ``pair``, ``date`` (month start), ``index``, ``change``, ``trend``.
        threshold: the change in points that counts as a move, named in the title when given.
        title: chart title.

    >>> t = pd.DataFrame({"pair": ["A-B", "A-B"], "date": pd.to_datetime(["2024-11-01", "2024-12-01"]),
    ...                   "index": [50.0, 70.0], "change": [0.0, 20.0], "trend": ["unchanged", "deteriorated"]})
    >>> [tr.name for tr in build_trend_figure(t).data]
    ['deteriorated (index rose)']
    """
    moved = trend[trend["trend"].isin(list(TREND_STYLE))]
    order = (
        moved.groupby("pair")["change"]
        .apply(lambda c: c.abs().sum())
        .sort_values(kind="stable")
        .index.tolist()
    )
    fig = go.Figure()
    for name, (symbol, color, label) in TREND_STYLE.items():
        part = moved[moved["trend"] == name]
        if part.empty:
            continue
        fig.add_trace(
            go.Scatter(
                x=part["date"],
                y=part["pair"],
                mode="markers",
                name=label,
                marker={"symbol": symbol, "color": color, "size": 13, "line": {"width": 0}},
                customdata=part[["index", "change"]].to_numpy(),
                hovertemplate="%{y} · %{x|%b %Y}<br>index %{customdata[0]:.1f} "
                "(%{customdata[1]:+.1f} on the month before)<extra></extra>",
            )
        )
    limit = f" of more than {threshold:g} points" if threshold is not None else ""
    fig.update_layout(
        title=title or f"Monthly trend by pair: arrows mark a change{limit} in the month's index",
        yaxis={
            "categoryorder": "array",
            "categoryarray": order,
            "title": None,
            "tickvals": order,
            "ticktext": [html.escape(p) for p in order],
        },
        xaxis={
            "title": None,
            "range": [
                trend["date"].min() - pd.Timedelta(days=20),
                trend["date"].max() + pd.Timedelta(days=20),
            ],
        }
        if len(trend)
        else {"title": None},
        height=max(340, 170 + 30 * len(order)),
        hovermode="closest",
    )
    return add_source_note(fig, "Source: Eurasia tensions workbook, tensions.scoring.score_monthly_trend")
