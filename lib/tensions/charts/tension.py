"""Charts of the tension score: lines with bands and annotated events, small multiples, heatmap, waterfall."""

from __future__ import annotations

import html
from collections.abc import Sequence

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from tensions.charts.style import add_source_note, events_note, pair_color, shade_eras, wrap_label


def _rgba(hex_color: str, alpha: float) -> str:
    h = hex_color.lstrip("#")
    r, g, b = (int(h[i : i + 2], 16) for i in (0, 2, 4))
    return f"rgba({r},{g},{b},{alpha})"


def _pairs(scores: pd.DataFrame, pairs: Sequence[str] | None, limit: int = 6) -> list[str]:
    if pairs is not None:
        known = set(scores["pair"].unique())  # once, not once per pair
        return [p for p in pairs if p in known]
    return scores.groupby("pair")["index"].max().sort_values(ascending=False).head(limit).index.tolist()


def find_peak_days(
    series: pd.DataFrame, max_peaks: int = 2, min_gap_days: int = 90, floor: float = 50.5
) -> list[pd.Timestamp]:
    """Return the days of a pair's highest peaks, highest first, at least ``min_gap_days`` apart.

    Only peaks above ``floor`` count: neutral 50 for the net index, 0 for a component.

    >>> days = pd.date_range("2024-01-01", periods=300)
    >>> index = np.full(300, 50.0); index[20] = 80; index[25] = 70; index[200] = 75
    >>> [d.strftime("%m-%d") for d in find_peak_days(pd.DataFrame({"date": days, "index": index}))]
    ['01-21', '07-19']
    """
    ranked = series[series["index"] > floor].sort_values("index", ascending=False)
    peaks: list[pd.Timestamp] = []
    for day in ranked["date"]:
        if all(abs((day - other).days) >= min_gap_days for other in peaks):
            peaks.append(day)
            if len(peaks) == max_peaks:
                break
    return peaks


def top_event_annotations(
    scores: pd.DataFrame, events: pd.DataFrame, pair: str, top: int = 3, max_peaks: int = 2, **knobs
) -> pd.DataFrame:
    """The events that contribute most to a pair's pressure at its peaks (from ``explain``).

    The ``top`` largest contributors to the highest peak, and the largest one at each further peak (up to
    ``max_peaks`` peaks at least 90 days apart), so that every spike is labelled with what drives it.

    ``explain`` runs with the settings the scores carry (``scores.attrs["settings"]``), so a marker's
    contribution is the one behind the line drawn; ``**knobs`` override single settings.

    Returns:
        ``event_id``, ``date`` (the event's), ``day`` (where its push was placed: its date, or e.g. the middle
        of its month), ``title``, ``contribution`` (to the pressure on ``peak_day``), ``index`` (the pair's
        index on ``day``, where the label is drawn) and ``peak_day`` (the peak the event is explained at).
    """
    from tensions.scoring import (
        explain,
        one_component,
        place_events,
        resolve_settings,
        settings_of,
        weigh_events,
    )

    columns = ["event_id", "date", "day", "title", "contribution", "index", "peak_day"]
    scores, component = one_component(scores)
    series = scores[scores["pair"] == pair]
    if series.empty or top <= 0:
        return pd.DataFrame(columns=columns)
    settings = resolve_settings(settings_of(scores), **{"component": component, **knobs})
    floor = 50.5 if component == "net" else 0.5
    picked = []
    for rank, peak_day in enumerate(find_peak_days(series, max_peaks=max_peaks, floor=floor)):
        breakdown = explain(events, pair, peak_day, settings=settings)
        chosen = breakdown[breakdown["contribution"] > 0].head(top if rank == 0 else 1)
        picked.append(chosen.assign(peak_day=peak_day))
    if not picked:
        return pd.DataFrame(columns=columns)
    best = pd.concat(picked).drop_duplicates("event_id")
    # a month- or year-precision event is drawn where its push was placed (e.g. mid-period), not on its first day
    mine = events[events["event_id"].astype("string").isin(best["event_id"])]
    weights = weigh_events(mine, settings)
    pieces = place_events(weights, settings.spread)
    pieces = pieces.assign(event_id=weights.loc[pieces["row"], "event_id"].astype("string").to_numpy())
    peak_of = best.set_index("event_id")["peak_day"]
    pieces = pieces[pieces["day"] <= pieces["event_id"].map(peak_of)]
    day_of = pieces.groupby("event_id")["day"].max()
    on_day = series.set_index("date")["index"]
    best = best.assign(day=best["event_id"].map(day_of).astype("datetime64[ns]"))
    best = best.assign(index=best["day"].map(lambda d: on_day.get(d, np.nan)))
    return best[columns]


#: Where a label may go, tried in order: (ax, ay) offsets in pixels from the point it labels.
LABEL_OFFSETS = (
    (40, -30), (-40, -30), (60, -55), (-60, -55), (0, -80), (90, -80), (-90, -80), (40, 32), (-40, 32),
    (0, -105), (120, -105), (-120, -105), (70, 58), (-70, 58), (0, -130), (150, -130), (-150, -130),
)  # fmt: skip


def place_labels(
    labels: Sequence[dict],
    lo: pd.Timestamp,
    hi: pd.Timestamp,
    y_range: Sequence[float],
    plot_px: tuple[int, int] = (1100, 350),
    eras: pd.DataFrame | None = None,
) -> list[tuple[int, int]]:
    """Arrow offsets (ax, ay) for point labels so that their boxes do not overlap, greedily, left to right.

    Each label (``x`` date, ``y`` value, ``text`` with ``<br>`` line breaks) takes the first offset of
    :data:`LABEL_OFFSETS` whose box (about 6 px per character, 14 px per line) stays near the plot and clears the boxes already placed and the era
    names along the top of the plot; if none does, the first offset.

    >>> day = pd.Timestamp("2024-12-25")
    >>> mid = day + pd.Timedelta(days=180)
    >>> place_labels([{"x": mid, "y": 80, "text": "a" * 30}] * 2, day, day + pd.Timedelta(days=365), [30, 100])
    [(40, -30), (60, -55)]
    """
    span = max((hi - lo).days, 1)
    width, height = plot_px
    placed: list[tuple[float, float, float, float]] = []
    for era in (
        [] if eras is None else eras.itertuples()
    ):  # the era names, written at the top left of each era
        if lo <= era.start <= hi:
            x, w = (era.start - lo).days / span * width, 6.2 * len(str(era.name)) + 8
            if x + w > width:  # written to end at the era's end (see ``shade_eras``)
                x = min(width, (min(era.end, hi) - lo).days / span * width) - w
            placed.append((x, 0, x + w, 32))
    order = sorted(range(len(labels)), key=lambda i: (labels[i]["x"], -labels[i]["y"]))
    chosen: dict[int, tuple[int, int]] = {}
    for i in order:
        label = labels[i]
        x = (pd.Timestamp(label["x"]) - lo).days / span * width
        y = (1 - (label["y"] - y_range[0]) / (y_range[1] - y_range[0])) * height
        lines = str(label["text"]).split("<br>")
        w, h = 6 * max(len(line) for line in lines) + 10, 14 * len(lines) + 4
        for ax, ay in LABEL_OFFSETS:
            box = (x + ax - w / 2, y + ay - h / 2, x + ax + w / 2, y + ay + h / 2)
            inside = box[0] > 0 and box[2] < width and box[1] > -45 and box[3] < height
            if inside and not any(_overlap(box, other) for other in placed):
                break
        else:
            ax, ay = LABEL_OFFSETS[0]
            box = (x + ax - w / 2, y + ay - h / 2, x + ax + w / 2, y + ay + h / 2)
        placed.append(box)
        chosen[i] = (ax, ay)
    return [chosen[i] for i in range(len(labels))]


#: Characters per line and lines per entry of the numbered key under a chart.
KEY_WRAP, KEY_LINES, KEY_LINE_PX = 62, 2, 14


def add_numbered_labels(
    fig: go.Figure,
    labels: Sequence[dict],
    lo: pd.Timestamp,
    hi: pd.Timestamp,
    y_range: Sequence[float],
    eras: pd.DataFrame | None = None,
    key_top: int = -48,
    plot_px: tuple[int, int] = (1100, 350),
) -> int:
    """Number the labelled points (in date order) and list their titles in a key under the plot, in place.

    A number next to a point is short enough to be placed clear of the others even where events crowd
    (December 2024); the full titles are wrapped, never cut, in two columns below the x axis.

    Args:
        fig: the figure, changed in place.
        labels: ``x`` (date), ``y`` (value), ``title``, ``pair`` and ``color`` of each point.
        lo: the first day of the x axis.
        hi: the last day of the x axis.
        y_range: the y axis range.
        eras: the eras shaded on the chart, if any (their names take room above the plot).
        key_top: where the key starts, in pixels below the plot area (lower under a range slider).
        plot_px: the plot area's approximate size in pixels, for placing the numbers.

    Returns:
        The height in pixels the key takes below the plot (0 without labels).
    """
    if not labels:
        return 0
    ordered = sorted(labels, key=lambda label: (pd.Timestamp(label["x"]), label["pair"]))
    numbers = [{**label, "text": str(i)} for i, label in enumerate(ordered, start=1)]
    notes = [
        {
            "x": label["x"],
            "y": label["y"],
            "text": f"<b>{label['text']}</b>",
            "ax": ax,
            "ay": ay,
            "showarrow": True,
            "arrowhead": 0,
            "arrowcolor": label["color"],
            "font": {"size": 11, "color": "#222222"},
            "bgcolor": "white",
            "bordercolor": label["color"],
            "borderpad": 1,
        }
        for label, (ax, ay) in zip(
            numbers, place_labels(numbers, lo, hi, y_range, plot_px, eras=eras), strict=True
        )
    ]
    rows = (len(numbers) + 1) // 2
    entry_px = KEY_LINE_PX * KEY_LINES + 6
    for i, label in enumerate(numbers):
        column, row = divmod(i, rows)
        day = pd.Timestamp(label["x"])
        text = wrap_label(f"{label['pair']} · {day:%d %b %Y} · {label['title']}", KEY_WRAP, KEY_LINES)
        notes.append(
            {
                "text": f"<b>{label['text']}</b>  {text}",
                "xref": "paper",
                "yref": "paper",
                "x": 0.5 * column,
                "y": 0,
                "yshift": key_top - row * entry_px,
                "xanchor": "left",
                "yanchor": "top",
                "align": "left",
                "showarrow": False,
                "font": {"size": 11, "color": "#333333"},
                "name": "label-key",
            }
        )
    # one assignment: ``add_annotation`` (or ``update_layout``) validates the whole list again for each note
    fig.layout.annotations = (*fig.layout.annotations, *notes)
    return rows * entry_px + 12 + max(0, -48 - key_top)


def _overlap(a: tuple[float, float, float, float], b: tuple[float, float, float, float]) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


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
        scores: daily output of ``score_dyads`` (``pair``, ``date``, ``pressure``, ``index``, ``n_events``);
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
            ribbon = band[band["pair"] == pair].sort_values("date")
            fig.add_trace(
                go.Scatter(
                    x=ribbon["date"],
                    y=ribbon["high"],
                    mode="lines",
                    line={"width": 0},
                    showlegend=False,
                    hoverinfo="skip",
                    legendgroup=pair,
                )
            )
            fig.add_trace(
                go.Scatter(
                    x=ribbon["date"],
                    y=ribbon["low"],
                    mode="lines",
                    line={"width": 0},
                    fill="tonexty",
                    fillcolor=_rgba(color, 0.18),
                    showlegend=False,
                    hoverinfo="skip",
                    legendgroup=pair,
                    name=f"{pair} band",
                )
            )
        fig.add_trace(
            go.Scatter(
                x=series["date"],
                y=series["index"],
                mode="lines",
                name=pair,
                legendgroup=pair,
                line={"color": color, "width": 2.2},
                customdata=np.stack([series["pressure"], series["n_events"]], -1),
                hovertemplate=(
                    f"<b>{pair}</b> %{{x|%Y-%m-%d}}<br>{component} index %{{y:.1f}} · pressure %{{customdata[0]:.2f}}"
                    "<br>events that day: %{customdata[1]}<extra></extra>"
                ),
            )
        )
        if cooperation is not None:
            _add_cooperation_line(fig, cooperation[cooperation["pair"] == pair], pair, color)
        if events is not None and top_events > 0:
            marks = top_event_annotations(scores, events, pair, top_events)
            marks = marks[marks["day"] >= series["date"].min()]
            fig.add_trace(
                go.Scatter(
                    x=marks["day"],
                    y=marks["index"],
                    mode="markers",
                    legendgroup=pair,
                    showlegend=False,
                    marker={"color": color, "size": 9, "line": {"color": "white", "width": 1}},
                    customdata=np.stack(
                        [marks["title"].map(html.escape), marks["contribution"], marks["event_id"]], -1
                    )
                    if len(marks)
                    else None,
                    hovertemplate="%{customdata[0]}<br>contribution at the peak %{customdata[1]:.2f}"
                    "<extra>%{customdata[2]}</extra>",
                )
            )
            for row in marks.itertuples():
                labels.append(
                    {"x": row.day, "y": row.index, "title": row.title, "pair": pair, "color": color}
                )
    lo, hi = scores["date"].min(), scores["date"].max()
    y_range = index_axis_range(scores["index"]) if component == "net" else [0, 100]
    key_height = add_numbered_labels(fig, labels, lo, hi, y_range, eras)
    if cooperation is not None and chosen:
        _add_cooperation_key(fig)
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


def _add_cooperation_line(fig: go.Figure, series: pd.DataFrame, pair: str, color: str) -> None:
    """The pair's cooperation index beside its tension: a dotted line of the same colour."""
    fig.add_trace(
        go.Scatter(
            x=series["date"],
            y=series["index"],
            mode="lines",
            name=f"{pair} cooperation",
            legendgroup=pair,
            showlegend=False,  # one legend entry says what the dotted lines are (see _add_cooperation_key)
            line={"color": color, "width": 1.4, "dash": "dot"},
            hovertemplate=f"{pair} cooperation %{{y:.1f}}<extra></extra>",
        )
    )


def _add_cooperation_key(fig: go.Figure) -> None:
    """One legend entry for every pair's dotted cooperation line (the pair's colour), not one per pair."""
    fig.add_trace(
        go.Scatter(
            x=[None],
            y=[None],
            mode="lines",
            name="dotted: cooperation",
            line={"color": "#666666", "width": 1.4, "dash": "dot"},
            hoverinfo="skip",
        )
    )


def _add_neutral_line(fig: go.Figure) -> None:
    fig.add_hline(
        y=50,
        line_dash="dot",
        line_color="#999999",
        line_width=1,
        annotation_text="neutral",
        annotation_position="bottom right",
        annotation_font={"size": 10, "color": "#777777"},
    )


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
                ("tension", series["index"].clip(lower=50), "rgba(213,94,0,0.35)"),
                ("cooperation", series["index"].clip(upper=50), "rgba(0,114,178,0.35)"),
            )
            if component == "net"
            else (
                (
                    component,
                    series["index"],
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
        fig.add_trace(
            go.Scatter(
                x=series["date"],
                y=series["index"],
                mode="lines",
                name=pair,
                showlegend=False,
                line={"color": "#333333", "width": 1.4},
                hovertemplate=f"{pair} %{{x|%Y-%m-%d}}: %{{y:.1f}}<extra></extra>",
            ),
            **cell,
        )
    if component == "net":
        low = float(scores.loc[scores["pair"].isin(chosen), "index"].min()) if chosen else 30.0
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
    """Build the pair × month heatmap of the index.

    Tension is drawn in reds, cooperation in blues, net in diverging colours centred on the neutral 50.

    Args:
        scores_monthly: ``score_dyads(..., freq="M")`` output (tension unless it says otherwise).
        title: chart title.
    """
    from tensions.scoring import one_component

    scores_monthly, component = one_component(scores_monthly)
    colors = {"net": {"colorscale": "RdBu_r", "zmid": 50}, "tension": {"colorscale": "Reds"}}
    color = colors.get(component, {"colorscale": "Blues"})
    wide = scores_monthly.pivot_table(index="pair", columns="date", values="index", aggfunc="first")
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
    index = float(explain_df.attrs.get("index", np.nan))
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
