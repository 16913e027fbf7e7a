"""Event mix: how many events of each kind, month by month."""

from __future__ import annotations

from typing import Literal

import pandas as pd
import plotly.graph_objects as go

from tensions.charts.style import PALETTE, QUAD_COLORS, QUAD_NAMES, add_source_note, events_note


def build_event_mix_figure(
    events: pd.DataFrame,
    by: Literal["quad_class", "theme"] = "quad_class",
    freq: Literal["M", "Y"] = "M",
    title: str | None = None,
) -> go.Figure:
    """Stacked bars of event counts per period, by quad class or by theme (an event counts in each theme).

    >>> import tensions
    >>> fig = build_event_mix_figure(tensions.load_events())
    >>> sorted({t.name for t in fig.data})[:2]
    ['Material conflict', 'Material cooperation']
    """
    frame = events.copy()
    frame["period"] = frame["date"].dt.to_period(freq).dt.start_time
    if by == "theme":
        frame["group"] = frame["themes"].astype("string").str.split(";")
        frame = frame.explode("group")
    elif by == "quad_class":
        frame["group"] = frame["quad_class"].map(QUAD_NAMES)
    else:
        raise ValueError(f"by must be 'quad_class' or 'theme', got {by!r}")
    counts = frame.groupby(["period", "group"]).size().rename("n").reset_index()
    fig = go.Figure()
    groups = sorted(counts["group"].unique())
    quad_colors = {name: QUAD_COLORS[q] for q, name in QUAD_NAMES.items()}
    for i, group in enumerate(groups):
        part = counts[counts["group"] == group]
        color = quad_colors.get(group, PALETTE[i % len(PALETTE)])
        fig.add_trace(
            go.Bar(
                x=part["period"],
                y=part["n"],
                name=str(group),
                marker_color=color,
                hovertemplate=f"{group}<br>%{{x|%b %Y}}: %{{y}} events<extra></extra>",
            )
        )
    fig.update_layout(
        barmode="stack",
        title=title
        or f"Events per {'month' if freq == 'M' else 'year'} by "
        f"{'quad class' if by == 'quad_class' else 'theme'}",
        yaxis={"title": "events"},
        xaxis={"title": None},
        bargap=0.15,
        height=460,
    )
    return add_source_note(fig, events_note(events))
