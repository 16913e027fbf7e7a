"""Lines of the baseline scores (GDELT-style daily mean, cumulative push), one per pair."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd
import plotly.graph_objects as go

from tensions.charts.style import add_source_note, pair_color, shade_eras


def build_score_lines_figure(
    scores: pd.DataFrame,
    value: str,
    pairs: Sequence[str],
    title: str,
    yaxis_title: str,
    eras: pd.DataFrame | None = None,
) -> go.Figure:
    """Step-shaped lines of a score column, one per pair, eras shaded.

    Args:
        scores: ``pair``, ``date`` and the ``value`` column (``score_gdelt_mean``, ``score_cumulative``).
        value: the column to draw (``mean_goldstein``, ``cumulative`` ...).
        pairs: pairs to draw, in this order.
        title: chart title.
        yaxis_title: what the y axis counts.
        eras: named periods to shade (``load_eras``), optional.
    """
    fig = go.Figure()
    for pair in pairs:
        part = scores[scores["pair"] == pair]
        fig.add_trace(
            go.Scatter(
                x=part["date"],
                y=part[value],
                name=pair,
                legendgroup=pair,
                mode="lines+markers",
                line={"color": pair_color(pair), "shape": "hv"},
                hovertemplate=f"<b>{pair}</b> %{{x|%Y-%m-%d}}: %{{y:.2f}}<extra></extra>",
            )
        )
    if len(scores):
        shade_eras(fig, eras, scores["date"].min(), scores["date"].max())
    fig.update_layout(title=title, yaxis_title=yaxis_title, height=460, hovermode="closest")
    return add_source_note(fig)
