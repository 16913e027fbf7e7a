"""The tension lines: each pair's daily index, its bootstrap band and cooperation beside it.

Eras are shaded and the events behind each peak numbered (:mod:`tensions.charts.labels`).
"""

from __future__ import annotations

import html
from collections.abc import Sequence

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from tensions.charts.labels import add_numbered_labels, find_peak_days, top_event_annotations
from tensions.charts.style import add_source_note, events_note, pair_color, shade_eras

__all__ = ["build_tension_figure", "find_peak_days", "index_axis_range", "top_event_annotations"]


def _rgba(hex_color: str, alpha: float) -> str:
    h = hex_color.lstrip("#")
    r, g, b = (int(h[i : i + 2], 16) for i in (0, 2, 4))
    return f"rgba({r},{g},{b},{alpha})"


def _pairs(scores: pd.DataFrame, pairs: Sequence[str] | None, limit: int = 6) -> list[str]:
    if pairs is not None:
        known = set(scores["pair"].unique())  # once, not once per pair
        return [p for p in pairs if p in known]
    return scores.groupby("pair")["index_value"].max().sort_values(ascending=False).head(limit).index.tolist()


def index_axis_range(values: pd.Series) -> list[float]:
    """The y range of an index chart: down to just below the lowest value shown, never above 35, up to 100.

    >>> index_axis_range(pd.Series([50.0, 80.0])), index_axis_range(pd.Series([20.0]))
    ([35, 100], [17.0, 100])
    """
    low = float(values.min()) if len(values) else 50.0
    return [max(0, min(35, low - 3)), 100]


def build_tension_figure(
    scores: pd.DataFrame,
    pairs: Sequence[str] | None = None,
    events: pd.DataFrame | None = None,
    eras: pd.DataFrame | None = None,
    top_events: int = 3,
    band: pd.DataFrame | None = None,
    title: str | None = None,
) -> go.Figure:
    """Daily index per pair, with an optional band, the top events annotated and eras shaded.

    Args:
        scores: daily output of ``score_dyads`` (``pair``, ``date``, ``pressure``, ``index_value``, ``n_events``);
            with ``component="all"`` the tension line is drawn with the cooperation index beside it (a
            dotted line of the same colour), otherwise the scores' one component.
        pairs: pairs to draw (default: the six with the highest peak).
        events: the events behind the scores; when given, the ``top_events`` largest contributors to each
            pair's peak are marked and labelled.
        eras: named periods to shade.
        top_events: how many events to label per pair.
        band: ``pair``, ``date``, ``low``, ``high`` (e.g. the bootstrap band) drawn as a ribbon.
        title: chart title.
    """
    from tensions.scoring import one_component

    cooperation = scores[scores["component"] == "cooperation"] if "component" in scores.columns else None
    scores, component = one_component(scores)
    chosen = _pairs(scores, pairs)
    fig = go.Figure()
    labels: list[dict] = []  # the top events' labels, placed together at the end so that they do not overlap
    for pair in chosen:
        series = scores[scores["pair"] == pair]
        color = pair_color(pair)
        if band is not None:
            fig.add_traces(_band_traces(band[band["pair"] == pair].sort_values("date"), pair, color))
        fig.add_trace(_index_line(series, pair, color, component))
        if cooperation is not None:
            fig.add_trace(_cooperation_line(cooperation[cooperation["pair"] == pair], pair, color))
        if events is not None and top_events > 0:
            marks = top_event_annotations(scores, events, pair, top_events)
            marks = marks[marks["day"] >= series["date"].min()]
            fig.add_trace(_event_marks(marks, pair, color))
            labels += [
                {"x": row.day, "y": row.index_value, "title": row.title, "pair": pair, "color": color}
                for row in marks.itertuples()
            ]
    lo, hi = scores["date"].min(), scores["date"].max()
    y_range = index_axis_range(scores["index_value"]) if component == "net" else [0, 100]
    key_height = add_numbered_labels(fig, labels, lo, hi, y_range, eras)
    if cooperation is not None and chosen:
        fig.add_trace(_cooperation_key())
    shade_eras(fig, eras, lo, hi)
    if component == "net":
        _add_neutral_line(fig)
    fig.update_layout(
        title=title or _TITLES[component],
        yaxis={"title": f"{component} index", "range": y_range},
        xaxis={"title": None},
        height=520 + key_height,
        hovermode="x unified",
    )
    return add_source_note(fig, events_note(events) if events is not None else None, yshift=-42 - key_height)


_TITLES = {
    "net": "Net index by country pair (50 = neutral, 100 = most tense, 0 = most cooperative)",
    "tension": "Tension index by country pair (0 = no conflict in memory, 100 = most tense)",
    "cooperation": "Cooperation index by country pair (0 = no cooperation in memory, 100 = most)",
}


def _band_traces(ribbon: pd.DataFrame, pair: str, color: str) -> list[go.Scatter]:
    """The band as two invisible lines, the lower one filled up to the upper one."""
    edge = {"x": ribbon["date"], "mode": "lines", "line": {"width": 0}, "showlegend": False}
    edge |= {"hoverinfo": "skip", "legendgroup": pair}
    return [
        go.Scatter(y=ribbon["high"], **edge),
        go.Scatter(
            y=ribbon["low"], fill="tonexty", fillcolor=_rgba(color, 0.18), name=f"{pair} band", **edge
        ),
    ]


def _index_line(series: pd.DataFrame, pair: str, color: str, component: str) -> go.Scatter:
    """The pair's index, day by day, with its pressure and event count on hover."""
    hover = (
        f"<b>{pair}</b> %{{x|%Y-%m-%d}}<br>{component} index %{{y:.1f}} · pressure %{{customdata[0]:.2f}}"
        "<br>events that day: %{customdata[1]}<extra></extra>"
    )
    return go.Scatter(
        {"x": series["date"], "y": series["index_value"], "mode": "lines", "name": pair, "legendgroup": pair},
        line={"color": color, "width": 2.2},
        customdata=np.stack([series["pressure"], series["n_events"]], -1),
        hovertemplate=hover,
    )


def _event_marks(marks: pd.DataFrame, pair: str, color: str) -> go.Scatter:
    """Markers on the line where the labelled events pushed it, with title and contribution on hover."""
    data = [marks["title"].map(html.escape), marks["contribution"], marks["event_id"]]
    return go.Scatter(
        {
            "x": marks["day"],
            "y": marks["index_value"],
            "mode": "markers",
            "legendgroup": pair,
            "showlegend": False,
        },
        marker={"color": color, "size": 9, "line": {"color": "white", "width": 1}},
        customdata=np.stack(data, -1) if len(marks) else None,
        hovertemplate="%{customdata[0]}<br>contribution at the peak %{customdata[1]:.2f}<extra>%{customdata[2]}</extra>",
    )


def _cooperation_line(series: pd.DataFrame, pair: str, color: str) -> go.Scatter:
    """The pair's cooperation index beside its tension: a dotted line of the same colour.

    One legend entry (:func:`_cooperation_key`) says what the dotted lines are, not one per pair.
    """
    return go.Scatter(
        {"x": series["date"], "y": series["index_value"], "mode": "lines", "name": f"{pair} cooperation"},
        legendgroup=pair,
        showlegend=False,
        line={"color": color, "width": 1.4, "dash": "dot"},
        hovertemplate=f"{pair} cooperation %{{y:.1f}}<extra></extra>",
    )


def _cooperation_key() -> go.Scatter:
    """The legend entry of every pair's dotted cooperation line (each drawn in its pair's colour)."""
    return go.Scatter(
        x=[None],
        y=[None],
        mode="lines",
        name="dotted: cooperation",
        hoverinfo="skip",
        line={"color": "#666666", "width": 1.4, "dash": "dot"},
    )


def _add_neutral_line(fig: go.Figure) -> None:
    """The neutral 50 of the net index, a dotted line."""
    fig.add_hline(
        y=50,
        line_dash="dot",
        line_color="#999999",
        line_width=1,
        annotation_text="neutral",
        annotation_position="bottom right",
        annotation_font={"size": 10, "color": "#777777"},
    )
