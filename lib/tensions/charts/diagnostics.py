"""Charts that check the score: its sensitivity to the knobs and its comparison with published-index methods."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from tensions.charts.style import add_source_note


def build_sensitivity_figure(
    sweep: pd.DataFrame, pair: str | None = None, title: str | None = None
) -> go.Figure:
    """Peak index against half-life, one line per set of confidence weights.

    Args:
        sweep: output of :func:`tensions.scoring.sweep_sensitivity`.
        pair: the pair the sweep was run on, named in the title.
        title: chart title (a default names what is shown).

    >>> import pandas as pd
    >>> sweep = pd.DataFrame({"half_life_days": [7.0, 30.0], "confidence_set": ["default", "default"],
    ...                       "peak_index": [70.0, 80.0], "peak_date": pd.to_datetime(["2025-01-01"] * 2),
    ...                       "last_index": [50.0, 55.0], "days_above_60": [3, 30]})
    >>> [trace.name for trace in build_sensitivity_figure(sweep).data]
    ['default']
    """
    fig = go.Figure()
    for name, group in sweep.groupby("confidence_set", sort=False):
        group = group.sort_values("half_life_days")
        fig.add_trace(
            go.Scatter(
                x=group["half_life_days"],
                y=group["peak_index"],
                mode="lines+markers",
                name=str(name),
                customdata=group[["peak_date", "last_index", "days_above_60"]].astype(str).to_numpy(),
                hovertemplate=(
                    "half-life %{x:.0f} days<br>peak index %{y:.1f} on %{customdata[0]}<br>"
                    "latest index %{customdata[1]}<br>days above 60: %{customdata[2]}<extra>%{fullData.name}</extra>"
                ),
            )
        )
    fig.update_layout(
        title=title
        or f"{pair + ': h' if pair else 'H'}ow the peak index depends on the half-life and the confidence weights",
        xaxis_title="half-life (days)",
        yaxis_title="peak index (0-100)",
        legend_title="confidence weights",
    )
    return add_source_note(fig, "Source: Eurasia tensions workbook, tensions.scoring.sweep_sensitivity")


def build_comparison_figure(
    scores: pd.DataFrame,
    gdelt_mean: pd.DataFrame,
    cumulative: pd.DataFrame,
    pair: str,
    start: str | pd.Timestamp | None = None,
    title: str | None = None,
) -> go.Figure:
    """Three ways to read one pair: our decayed index, a GDELT-style daily mean, and a cumulative sum.

    Args:
        scores: daily output of :func:`tensions.score_dyads`.
        gdelt_mean: output of :func:`tensions.scoring.score_gdelt_mean`.
        cumulative: output of :func:`tensions.scoring.score_cumulative`.
        pair: the pair to show (e.g. ``AZE-RUS``).
        start: first day shown.
        title: chart title.
    """
    since = pd.Timestamp(start) if start is not None else pd.Timestamp.min

    def _pick(frame: pd.DataFrame) -> pd.DataFrame:
        return frame[(frame["pair"] == pair) & (frame["date"] >= since)]

    ours, mean, cum = _pick(scores), _pick(gdelt_mean), _pick(cumulative)
    fig = make_subplots(
        rows=3,
        cols=1,
        shared_xaxes=True,
        vertical_spacing=0.07,
        subplot_titles=(
            "Decayed tension index (this workbook): 50 neutral, higher is more tense",
            "GDELT-style mean Goldstein of the day's events: lower is more conflictual, no value on quiet days",
            "Cumulative push: never fades",
        ),
    )
    fig.add_trace(go.Scatter(x=ours["date"], y=ours["index_value"], mode="lines", name="index"), row=1, col=1)
    fig.add_trace(
        go.Scatter(
            x=mean["date"],
            y=mean["mean_goldstein"],
            mode="markers",
            marker={
                "size": 8,
                "color": mean["mean_goldstein"],
                "colorscale": "RdBu",
                "cmin": -10,
                "cmax": 10,
                "line": {"width": 0.5, "color": "#555555"},
            },
            name="mean Goldstein",
            customdata=mean["n_events"],
            hovertemplate="%{x|%Y-%m-%d}: %{y:.1f} (%{customdata} events)<extra></extra>",
        ),
        row=2,
        col=1,
    )
    fig.add_trace(
        go.Scatter(x=cum["date"], y=cum["cumulative"], mode="lines", line_shape="hv", name="cumulative"),
        row=3,
        col=1,
    )
    fig.add_hline(y=50, line_dash="dot", line_width=1, row=1, col=1)
    fig.add_hline(y=0, line_dash="dot", line_width=1, row=2, col=1)
    fig.update_yaxes(title_text="index", row=1, col=1)
    fig.update_yaxes(title_text="Goldstein", row=2, col=1)
    fig.update_yaxes(title_text="push", row=3, col=1)
    fig.update_layout(
        title=title or f"{pair}: the decayed index against published-index methods",
        showlegend=False,
        height=760,
    )
    return add_source_note(fig, "Source: Eurasia tensions workbook, tensions.scoring baselines")
