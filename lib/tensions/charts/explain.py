"""The explain view as a chart: the events that make up a pair's pressure on one day, as a waterfall."""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from tensions.charts.style import add_source_note, wrap_label


def build_waterfall_figure(
    explain_df: pd.DataFrame, pair: str, date, top: int = 10, title: str | None = None
) -> go.Figure:
    """The events that make up a pair's pressure at a date, largest first, ending in the total.

    Args:
        explain_df: output of ``tensions.explain`` (its ``attrs`` carry pressure and index).
        pair: the pair explained.
        date: the date explained.
        top: events shown one by one; the rest are summed into one bar.
        title: chart title.
    """
    day = pd.Timestamp(date)
    shown = explain_df.head(top)
    rest = explain_df.iloc[top:]
    labels = [wrap_label(f"{row.event_id} · {row.title}", 44, 2) for row in shown.itertuples()]
    values = shown["contribution"].tolist()
    if len(rest):
        labels.append(f"{len(rest)} other events")
        values.append(float(rest["contribution"].sum()))
    pressure = float(explain_df.attrs.get("pressure", sum(values)))
    index = float(explain_df.attrs.get("index_value", np.nan))
    labels = [*labels, "pressure"]
    fig = go.Figure(
        go.Waterfall(
            orientation="h",
            y=labels,
            x=values + [pressure],
            measure=["relative"] * len(values) + ["total"],
            increasing={"marker": {"color": "#D55E00"}},
            decreasing={"marker": {"color": "#0072B2"}},
            totals={"marker": {"color": "#444444"}},
            connector={"line": {"color": "#BBBBBB"}},
            hovertemplate="%{y}<br>%{x:.2f}<extra></extra>",
        )
    )
    fig.update_layout(
        title=title or f"What makes up {pair} on {day:%Y-%m-%d}: pressure {pressure:.2f}, index {index:.1f}",
        yaxis={"autorange": "reversed", "title": None},
        xaxis={"title": "contribution to the pressure"},
        height=max(380, 130 + 40 * len(labels)),
        margin={"l": 330},
    )
    return add_source_note(fig, "Source: Eurasia tensions workbook, tensions.explain", yshift=-62)
