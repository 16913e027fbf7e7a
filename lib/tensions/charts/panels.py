"""Every pair at a glance: small multiples (one panel per pair) and the pair × month heatmap."""

from __future__ import annotations

import html
from collections.abc import Sequence

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from tensions.charts.style import add_source_note


def busiest_pairs(scores: pd.DataFrame, limit: int = 9) -> list[str]:
    """The pairs with the most events in ``scores`` (its window), most first; ties by name.

    >>> s = pd.DataFrame({"pair": ["A-B", "A-B", "C-D"], "n_events": [1, 2, 5]})
    >>> busiest_pairs(s)
    ['C-D', 'A-B']
    """
    counts = scores.groupby("pair")["n_events"].sum()
    counts = counts[counts > 0]
    ranked = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    return [pair for pair, _ in ranked[:limit]]


def build_small_multiples_figure(
    scores: pd.DataFrame, pairs: Sequence[str] | None = None, columns: int = 3, title: str | None = None
) -> go.Figure:
    """One small panel per pair, shared axes, so pairs can be compared at a glance.

    For the net index the area above 50 is filled in red (tension) and below in blue (cooperation); for
    tension (red) or cooperation (blue) the area under the line is filled from 0.

    Args:
        scores: daily ``score_dyads`` output for the window to show (one component).
        pairs: the pairs (default: the nine with most events in ``scores``).
        columns: panels per row.
        title: chart title.
    """
    from tensions.scoring import one_component

    scores, component = one_component(scores)
    chosen = [p for p in pairs if p in set(scores["pair"])] if pairs is not None else busiest_pairs(scores)
    counts = scores.groupby("pair")["n_events"].sum()
    base = 50.0 if component == "net" else 0.0
    rows = max(1, -(-len(chosen) // columns))
    fig = make_subplots(
        rows=rows,
        cols=columns,
        shared_xaxes=True,
        shared_yaxes=True,
        subplot_titles=[f"{html.escape(p)} · {int(counts.get(p, 0))} events" for p in chosen],
        vertical_spacing=0.12,
        horizontal_spacing=0.04,
    )
    for i, pair in enumerate(chosen):
        series = scores[scores["pair"] == pair]
        cell = {"row": i // columns + 1, "col": i % columns + 1}
        for side, values, fill in (
            (
                ("tension", series["index_value"].clip(lower=50), "rgba(213,94,0,0.35)"),
                ("cooperation", series["index_value"].clip(upper=50), "rgba(0,114,178,0.35)"),
            )
            if component == "net"
            else (
                (
                    component,
                    series["index_value"],
                    "rgba(213,94,0,0.35)" if component == "tension" else "rgba(0,114,178,0.35)",
                ),
            )
        ):
            fig.add_trace(
                go.Scatter(x=series["date"], y=np.full(len(series), base), mode="lines", line={"width": 0},
                           showlegend=False, hoverinfo="skip"),
                **cell,
            )  # fmt: skip
            fig.add_trace(
                go.Scatter(x=series["date"], y=values, mode="lines", line={"width": 0}, fill="tonexty",
                           fillcolor=fill, showlegend=False, hoverinfo="skip", name=f"{pair} {side}"),
                **cell,
            )  # fmt: skip
        line = {
            "x": series["date"],
            "y": series["index_value"],
            "mode": "lines",
            "name": pair,
            "showlegend": False,
        }
        hover = f"{pair} %{{x|%Y-%m-%d}}: %{{y:.1f}}<extra></extra>"
        fig.add_trace(go.Scatter(line, line={"color": "#333333", "width": 1.4}, hovertemplate=hover), **cell)
    if component == "net":
        low = float(scores.loc[scores["pair"].isin(chosen), "index_value"].min()) if chosen else 30.0
        fig.update_yaxes(range=[min(30.0, np.floor(low) - 3), 100])
        fig.add_hline(y=50, line_dash="dot", line_color="#999999", line_width=1)
        default_title = "Net index, one panel per pair (red: above neutral 50, blue: below)"
    else:
        fig.update_yaxes(range=[0, 100])
        default_title = f"{component.capitalize()} index, one panel per pair"
    fig.update_layout(
        title=title or default_title,
        height=240 * rows + 140,
    )
    return add_source_note(fig)


def build_heatmap_figure(scores_monthly: pd.DataFrame, title: str | None = None) -> go.Figure:
    """Pair × month heatmap of the index.

    Tension is drawn in reds, cooperation in blues, the net index in diverging colours centred on 50.

    Args:
        scores_monthly: ``score_dyads(..., freq="M")`` output (tension unless it says otherwise).
        title: chart title.
    """
    from tensions.scoring import one_component

    scores_monthly, component = one_component(scores_monthly)
    colors = {"net": {"colorscale": "RdBu_r", "zmid": 50}, "tension": {"colorscale": "Reds"}}
    color = colors.get(component, {"colorscale": "Blues"})
    wide = scores_monthly.pivot_table(index="pair", columns="date", values="index_value", aggfunc="first")
    counts = scores_monthly.pivot_table(index="pair", columns="date", values="n_events", aggfunc="first")
    order = wide.max(axis=1).sort_values().index
    wide, counts = wide.loc[order], counts.loc[order]
    fig = go.Figure(
        go.Heatmap(
            z=wide.to_numpy(),
            x=wide.columns,
            y=wide.index,
            zmin=0,
            zmax=100,
            **color,
            customdata=counts.to_numpy(),
            colorbar={"title": {"text": f"{component} index", "side": "right"}},
            hovertemplate="%{y} · %{x|%b %Y}<br>index %{z:.1f}<br>events this month: %{customdata}<extra></extra>",
            xgap=1,
            ygap=1,
        )
    )
    fig.update_layout(
        title=title
        or f"{component.capitalize()} index by pair and month (index of the month's mean pressure)",
        height=max(360, 120 + 26 * len(wide)),
        xaxis={"title": None},
        yaxis={"title": None},
    )
    return add_source_note(fig)
