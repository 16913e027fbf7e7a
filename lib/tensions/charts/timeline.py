"""The event timeline: swimlanes, eras, quad-class colours, imprecise dates as bars, labelled key events."""

from __future__ import annotations

import html
from typing import Literal

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from tensions.charts.style import QUAD_COLORS, QUAD_NAMES, add_source_note, events_note, shade_eras
from tensions.charts.tension import add_numbered_labels
from tensions.periods import event_period_end
from tensions.salience import salience
from tensions.vocabulary import CONFIDENCE_LEVELS

Lanes = Literal["pair", "theme", "actor"]
CONFIDENCE_SYMBOLS = dict(zip(CONFIDENCE_LEVELS, ("circle", "diamond", "circle-open"), strict=True))


def _lanes(events: pd.DataFrame, lanes: Lanes) -> pd.DataFrame:
    frame = events.copy()
    if lanes == "pair":
        frame["lane"] = frame["pair"].astype("string")
    elif lanes == "actor":
        frame["lane"] = frame["actor"].astype("string")
    elif lanes == "theme":
        frame["lane"] = frame["themes"].astype("string").str.split(";")
        frame = frame.explode("lane")
    else:
        raise ValueError(f"lanes must be 'pair', 'theme' or 'actor', got {lanes!r}")
    return frame


def _escaped(frame: pd.DataFrame, columns: list[str]) -> np.ndarray:
    """``columns`` as HTML-escaped text, one column each; every distinct value is escaped once."""
    if frame.empty:
        return np.empty((0, len(columns)), dtype=object)
    text = pd.concat([frame[c].astype("string").fillna("") for c in columns], ignore_index=True)
    codes, uniques = pd.factorize(text)
    escaped = np.array([html.escape(u) for u in uniques], dtype=object)[codes]
    return escaped.reshape(len(columns), len(frame)).T


def _hover(frame: pd.DataFrame) -> np.ndarray:
    precision = frame["date_precision"].astype("string").fillna("day")
    start = frame["date"].dt.strftime("%Y-%m-%d")
    when = start + " (" + precision + ")"
    if "period_end" in frame:  # an imprecise date is a period: say which
        period = start + " to " + frame["period_end"].dt.strftime("%Y-%m-%d")
        when = when.where(precision == "day", period + " (" + precision + " precision)")
    if "background" in frame:
        when = when.where(
            ~frame["background"].astype(bool), when + " · background, before the analysis window"
        )
    codes, values = pd.factorize(frame["goldstein"], use_na_sentinel=False)
    goldstein = np.array([f"{g:+.1f}" for g in values], dtype=object)[codes]
    text = _escaped(frame, ["title", "actor", "target", "cameo_code", "source_ids", "confidence", "event_id"])
    return np.column_stack([text[:, 0], when.to_numpy(dtype=object), text[:, 1:4], goldstein, text[:, 4:]])


HOVER = (
    "<b>%{customdata[0]}</b><br>%{customdata[1]}<br>%{customdata[2]} → %{customdata[3]} · CAMEO "
    "%{customdata[4]} · Goldstein %{customdata[5]}<br>sources %{customdata[6]} · %{customdata[7]}"
    "<extra>%{customdata[8]}</extra>"
)


def build_timeline_figure(
    events: pd.DataFrame,
    eras: pd.DataFrame | None = None,
    lanes: Lanes = "pair",
    label_top: int = 8,
    start: str | pd.Timestamp | None = None,
    end: str | pd.Timestamp | None = None,
    title: str | None = None,
    background_before: str | pd.Timestamp | None = None,
) -> go.Figure:
    """Timeline of events in swimlanes.

    Args:
        events: events (``load_events`` columns).
        eras: named periods to shade and label (``load_eras``).
        lanes: one lane per ``"pair"``, ``"theme"`` (an event shows in each of its themes) or ``"actor"``.
        label_top: how many key events (largest confidence-weighted |Goldstein|) get a text label.
        start: the first visible day (default: a little before the first event); the range slider shows
            every event.
        end: the last visible day (default: a little after the end of the last event's period).
        title: chart title.
        background_before: the start of the analysis window (``tensions.scoring.analysis_window``): older
            events stay on the timeline, drawn faded and marked "background" in their hover.

    Returns:
        A figure with one marker trace per quad class; month- and year-precision events are drawn as
        bars over their period with a marker at the start. Each marker's ``customdata`` ends with the
        event id, so a click can be traced back to its event.
    """
    frame = _lanes(events, lanes)
    frame["period_end"] = event_period_end(frame["date"], frame["date_precision"], frame.get("end_date"))
    if background_before is not None:
        frame["background"] = frame["period_end"] < pd.Timestamp(background_before)
    first = pd.Timestamp(start) if start is not None else frame["date"].min()
    last = pd.Timestamp(end) if end is not None else frame["period_end"].max()
    pad = max(pd.Timedelta(days=20), (last - first) * 0.02)  # so that markers at the edges are whole
    lo = first if start is not None else first - pad
    hi = last if end is not None else last + pad
    frame = frame[(frame["period_end"] >= lo) & (frame["date"] <= hi)]  # lanes with nothing in view go
    lane_order = (
        frame.groupby("lane")["date"].count().sort_values(ascending=True, kind="stable").index.tolist()
    )
    position = {lane: i for i, lane in enumerate(lane_order)}
    frame["y"] = frame["lane"].map(position) + stack_offsets(frame, max((hi - lo).days, 1))
    fig = go.Figure(data=_traces(frame))  # one construction: ``add_trace`` validates the data again each time
    headroom = 0.3 + 0.4 * max(0, shade_eras(fig, eras, lo, hi) - 1)  # above the top lane, for era names
    key_height = _label_key_events(
        fig, frame.drop_duplicates("event_id"), label_top, lo, hi, len(lane_order), eras, headroom
    )
    shown = events[events["event_id"].isin(frame["event_id"])]
    fig.update_layout(
        title={
            "text": title
            or f"Events by {lanes}: {frame['event_id'].nunique()} events, coloured by quad class",
            "y": 0.985,
            "yanchor": "top",
            "yref": "container",
        },
        height=timeline_height(len(lane_order)) + max(0, key_height - 52),
        xaxis={"range": [lo, hi], "rangeslider": {"visible": True, "thickness": 0.06}, "type": "date"},
        yaxis={
            "categoryarray": lane_order,  # the lanes in order (kept for readers of the figure)
            "tickmode": "array",
            "tickvals": list(range(len(lane_order))),
            "ticktext": [html.escape(str(lane)) for lane in lane_order],
            "range": [-0.6, len(lane_order) + headroom],  # room above the top lane for the era names
            "title": None,
            "zeroline": False,
        },
        hovermode="closest",
        margin={"l": 90, "r": 30, "t": 125, "b": 170 + max(0, key_height - 52)},
        legend={"y": 1.01, "yanchor": "bottom", "orientation": "h"},
    )
    return add_source_note(fig, events_note(shown), yshift=-130 - max(0, key_height - 52))


def _traces(frame: pd.DataFrame) -> list[dict]:
    """The timeline's traces as plain dicts: period bars, markers and legend entries per quad class."""
    traces = []
    imprecise = frame[frame["date_precision"].astype("string") != "day"]
    for quad, group in imprecise.groupby("quad_class"):
        n = len(group)
        xs = np.empty(3 * n, dtype=object)  # start, end, gap per event
        xs[0::3], xs[1::3], xs[2::3] = list(group["date"]), list(group["period_end"]), None
        ys = np.empty(3 * n, dtype=object)
        ys[0::3], ys[1::3], ys[2::3] = group["y"].tolist(), group["y"].tolist(), None
        traces.append(
            {
                "type": "scatter",
                "x": xs.tolist(),
                "y": ys.tolist(),
                "mode": "lines",
                "line": {"color": QUAD_COLORS[int(quad)], "width": 7},
                "opacity": 0.45,
                "hoverinfo": "skip",
                "showlegend": False,
                "name": f"period ({QUAD_NAMES[int(quad)]})",
            }
        )
    hover = _hover(frame)  # once for every row, then split by quad class
    quads = frame["quad_class"].to_numpy()
    for quad in sorted(frame["quad_class"].unique()):
        rows = quads == quad
        group = frame[rows]
        symbols = group["confidence"].astype("string").map(CONFIDENCE_SYMBOLS).fillna("circle")
        faded = (
            group["background"].astype(bool) if "background" in group else pd.Series(False, index=group.index)
        )
        name = QUAD_NAMES[int(quad)]
        traces.append(
            {
                "type": "scatter",
                "x": group["date"],
                "y": group["y"],
                "mode": "markers",
                "name": name,
                "legendgroup": name,
                "showlegend": False,
                "marker": {
                    "color": QUAD_COLORS[int(quad)],
                    "size": 11,
                    "symbol": symbols.tolist(),
                    "opacity": np.where(faded, 0.4, 1.0).tolist(),  # background events drawn faded
                    "line": {"width": 1.5, "color": QUAD_COLORS[int(quad)]},
                },
                "customdata": hover[rows],
                "hovertemplate": HOVER,
            }
        )
        traces.append(
            {
                "type": "scatter",
                "x": [None],
                "y": [None],
                "mode": "markers",
                "name": name,
                "legendgroup": name,
                "marker": {"color": QUAD_COLORS[int(quad)], "size": 10, "symbol": "square"},
                "hoverinfo": "skip",
            }
        )
    for symbol_name, symbol in CONFIDENCE_SYMBOLS.items():  # legend entries for the symbols
        traces.append(
            {
                "type": "scatter",
                "x": [None],
                "y": [None],
                "mode": "markers",
                "name": symbol_name,
                "legendgroup": "confidence",
                "marker": {"symbol": symbol, "color": "#555555", "size": 10},
                "hoverinfo": "skip",
            }
        )
    return traces


def timeline_height(n_lanes: int) -> int:
    """Return the figure height in pixels for ``n_lanes`` lanes.

    295 for title, legend, axis, slider and source line, 40 per lane (+1 for the era names), and never
    less than 220 px of plot, so that six lanes are as readable as sixty.

    >>> timeline_height(6), timeline_height(24)
    (575, 1295)
    """
    return 295 + max(220, 40 * (n_lanes + 1))


def stack_offsets(frame: pd.DataFrame, span_days: int, slots: int = 5) -> pd.Series:
    """Vertical offsets (in lanes) that stack events of one lane closer than ~1/120 of the span in time.

    Near-simultaneous events (nine AZE-RUS events in 25–29 Dec 2024) would draw as one marker; each one
    of a cluster gets its own slot: 0, +0.18, −0.18, +0.36, −0.36, then again from 0.

    >>> f = pd.DataFrame({"lane": ["a"] * 3 + ["b"], "date": pd.to_datetime(["2024-12-25"] * 3 + ["2024-12-25"])})
    >>> stack_offsets(f, 365).round(2).tolist()
    [0.0, 0.18, -0.18, 0.0]
    """
    gap = pd.Timedelta(days=max(span_days / 120, 0.5)).value
    steps = [0.0, 0.18, -0.18, 0.36, -0.36][:slots]
    ordered = frame.sort_values("date", kind="stable")
    lanes = pd.factorize(ordered["lane"])[0]  # codes in order of first appearance, as ``groupby(sort=False)``
    order = np.argsort(lanes, kind="stable")
    order = order[lanes[order] >= 0]  # rows without a lane stay at 0, as ``groupby`` drops them
    days = ordered["date"].to_numpy(dtype="datetime64[ns]").view("int64")[order]
    lanes = lanes[order]
    out = np.zeros(len(order))
    cluster_start, k = 0, 0
    for i in range(len(order)):
        if i == 0 or lanes[i] != lanes[i - 1] or days[i] - cluster_start > gap:
            cluster_start, k = days[i], 0
        out[i] = steps[k % len(steps)]
        k += 1
    # by index label, the last written wins (an event exploded into several theme lanes shares its label)
    written = pd.Series(out, index=ordered.index[order])
    written = written[~written.index.duplicated(keep="last")]
    return pd.Series(written.reindex(frame.index, fill_value=0.0).to_numpy(), index=frame.index)


def _label_key_events(
    fig: go.Figure,
    frame: pd.DataFrame,
    label_top: int,
    lo,
    hi,
    n_lanes: int,
    eras: pd.DataFrame | None,
    headroom: float = 0.3,
) -> int:
    """Number the ``label_top`` most salient events and list them under the chart; return the key's height."""
    if label_top <= 0:
        return 0
    visible = frame[(frame["date"] >= lo) & (frame["date"] <= hi)].copy()
    visible["salience"] = salience(visible)
    ranked = visible.sort_values(["salience", "date"], ascending=[False, True])
    ranked = ranked.drop_duplicates("title")  # one label for the rows of a multilateral event
    top = ranked.head(label_top)
    labels = [
        {
            "x": row.date,
            "y": row.y,
            "title": row.title,
            "pair": row.pair if "pair" in top.columns else row.lane,
            "color": QUAD_COLORS.get(int(row.quad_class), "#555555"),
        }
        for row in top.itertuples()
    ]
    plot_px = (1100, timeline_height(n_lanes) - 295)
    return add_numbered_labels(
        fig, labels, lo, hi, [-0.6, n_lanes + headroom], eras, key_top=-100, plot_px=plot_px
    )
