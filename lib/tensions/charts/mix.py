"""Event mix: how many events of each kind, month by month."""

from __future__ import annotations

from typing import Literal

import pandas as pd
import plotly.graph_objects as go

from tensions.charts.style import PALETTE, QUAD_COLORS, QUAD_NAMES, add_source_note, events_note

OTHER = "other themes"
OTHER_COLOR = "#BBBBBB"


def build_event_mix_figure(
    events: pd.DataFrame,
    by: Literal["quad_class", "theme"] = "quad_class",
    freq: Literal["M", "Y"] = "M",
    title: str | None = None,
) -> go.Figure:
    """Stacked bars of event counts per period, by quad class or by theme (an event counts in each theme).

    By theme, the most frequent themes get a colour each and the rest are stacked as "other themes"; the
    y axis then counts theme tags, not events.

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
    if by == "theme":  # one colour per theme: the most frequent ones, the long tail as "other"
        common = frame["group"].value_counts().index[: len(PALETTE) - 1]
        frame["group"] = frame["group"].where(frame["group"].isin(common), OTHER)
    counts = frame.groupby(["period", "group"]).size().rename("n").reset_index()
    unit = "theme tags" if by == "theme" else "events"
    fig = go.Figure()
    groups = sorted(counts["group"].unique(), key=lambda g: (g == OTHER, g))
    quad_colors = {name: QUAD_COLORS[q] for q, name in QUAD_NAMES.items()}
    for i, group in enumerate(groups):
        part = counts[counts["group"] == group]
        color = quad_colors.get(group, OTHER_COLOR if group == OTHER else PALETTE[i % len(PALETTE)])
        fig.add_trace(
            go.Bar(
                x=part["period"],
                y=part["n"],
                name=str(group),
                marker_color=color,
                hovertemplate=f"{group}<br>%{{x|%b %Y}}: %{{y}} {unit}<extra></extra>",
            )
        )
    fig.update_layout(
        barmode="stack",
        title=title
        or (
            f"Theme tags per {'month' if freq == 'M' else 'year'} (an event counts once in each of its themes)"
            if by == "theme"
            else f"Events per {'month' if freq == 'M' else 'year'} by quad class"
        ),
        yaxis={"title": "theme tags" if by == "theme" else "events"},
        xaxis={"title": None},
        bargap=0.15,
        height=460,
        margin={"t": 110},
        legend={"y": 1.02, "yanchor": "bottom"},
    )
    return add_source_note(fig, events_note(events))
