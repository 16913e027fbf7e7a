"""Labels of the events behind a line: the largest contributors at each peak, numbered, with a key below.

A short number sits next to each labelled point, placed clear of the other numbers and of the era names;
the full titles are wrapped, never cut, in a numbered key under the plot. The tension lines and the
timeline both use it.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from tensions.charts.style import wrap_label


def find_peak_days(
    series: pd.DataFrame, max_peaks: int = 2, min_gap_days: int = 90, floor: float = 50.5
) -> list[pd.Timestamp]:
    """The days of a pair's highest peaks, highest first, at least ``min_gap_days`` apart.

    Only days above ``floor`` count: neutral 50 for the net index, 0 for a component.

    >>> days = pd.date_range("2024-01-01", periods=300)
    >>> index = np.full(300, 50.0); index[20] = 80; index[25] = 70; index[200] = 75
    >>> [d.strftime("%m-%d") for d in find_peak_days(pd.DataFrame({"date": days, "index_value": index}))]
    ['01-21', '07-19']
    """
    ranked = series[series["index_value"] > floor].sort_values("index_value", ascending=False)
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
        of its month), ``title``, ``contribution`` (to the pressure on ``peak_day``), ``index_value`` (the pair's
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

    columns = ["event_id", "date", "day", "title", "contribution", "index_value", "peak_day"]
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
    on_day = series.set_index("date")["index_value"]
    best = best.assign(day=best["event_id"].map(day_of).astype("datetime64[ns]"))
    best = best.assign(index_value=best["day"].map(lambda d: on_day.get(d, np.nan)))
    return best[columns]


#: Where a label may go, tried in order: (ax, ay) offsets in pixels from the point it labels.
LABEL_OFFSETS = (
    (40, -30), (-40, -30), (60, -55), (-60, -55), (0, -80), (90, -80), (-90, -80), (40, 32), (-40, 32),
    (0, -105), (120, -105), (-120, -105), (70, 58), (-70, 58), (0, -130), (150, -130), (-150, -130),
    (25, -45), (-25, -45), (30, 45), (-30, 45), (110, -40), (-110, -40), (0, 75), (100, 80), (-100, 80),
    (190, -60), (-190, -60), (0, -160), (180, -160), (-180, -160),
)  # fmt: skip
#: Pixels kept between a label's box and a data line or marker (the line's own half width is added).
DATA_CLEARANCE = 3.0


Box = tuple[float, float, float, float]


def _to_pixels(
    x: np.ndarray, y: np.ndarray, lo: pd.Timestamp, hi: pd.Timestamp, y_range: Sequence[float], plot_px
) -> np.ndarray:
    """Dates and values as ``(n, 2)`` pixel positions in a plot of ``plot_px`` (x from the left, y down)."""
    span = max((hi - lo).value, 1)
    px = (x.astype("int64") - lo.value) / span * plot_px[0]
    py = (1 - (y - y_range[0]) / (y_range[1] - y_range[0])) * plot_px[1]
    return np.column_stack([px, py])


def _densify(points: np.ndarray, step: float = 3.0) -> np.ndarray:
    """Points every ``step`` pixels along a polyline (NaN rows break it), so a steep segment is sampled too."""
    if len(points) < 2:
        return points[~np.isnan(points).any(axis=1)]
    a, b = points[:-1], points[1:]
    keep = ~(np.isnan(a).any(axis=1) | np.isnan(b).any(axis=1))
    a, b = a[keep], b[keep]
    counts = np.maximum(1, np.ceil(np.hypot(*(b - a).T) / step)).astype(int)
    t = np.concatenate([np.arange(n) / n for n in counts])
    starts, ends = np.repeat(a, counts, axis=0), np.repeat(b, counts, axis=0)
    tail = points[~np.isnan(points).any(axis=1)][-1:]
    return np.vstack([starts + (ends - starts) * t[:, None], tail])


def _trace_points(trace, lo, hi, y_range, plot_px) -> list[np.ndarray]:
    """What a scatter trace draws, as ``(n, 3)`` arrays: pixel x, pixel y and the half width to keep clear."""
    mode = trace.mode or "lines"
    if trace.type != "scatter" or trace.x is None or trace.y is None or trace.visible is False:
        return []
    x = pd.to_datetime(pd.Series(list(trace.x), dtype="object"), errors="coerce").to_numpy("datetime64[ns]")
    y = pd.to_numeric(pd.Series(list(trace.y), dtype="object"), errors="coerce").to_numpy(float)
    xy = _to_pixels(x, y, lo, hi, y_range, plot_px)
    xy[np.isnat(x)] = np.nan
    found = []
    line_width = trace.line.width if trace.line.width is not None else 2
    if "lines" in mode and line_width > 0:
        drawn = _densify(xy)
        found.append(np.column_stack([drawn, np.full(len(drawn), line_width / 2)]))
    if "markers" in mode:
        size = trace.marker.size if isinstance(trace.marker.size, int | float) else 6
        drawn = xy[~np.isnan(xy).any(axis=1)]
        found.append(np.column_stack([drawn, np.full(len(drawn), size / 2)]))
    return found


def data_obstacles(
    fig: go.Figure, lo: pd.Timestamp, hi: pd.Timestamp, y_range: Sequence[float], plot_px: tuple[int, int]
) -> np.ndarray:
    """Every point of the figure's data lines and markers in pixels, with the half width to keep clear.

    Returns:
        An ``(n, 3)`` array: x and y in pixels of the plot area, and the line's half width or marker radius.
    """
    parts = [part for trace in fig.data for part in _trace_points(trace, lo, hi, y_range, plot_px)]
    inside = [
        p[(p[:, 0] >= 0) & (p[:, 0] <= plot_px[0]) & (p[:, 1] >= 0) & (p[:, 1] <= plot_px[1])] for p in parts
    ]
    return np.vstack(inside) if inside else np.empty((0, 3))


def _era_boxes(eras: pd.DataFrame | None, lo: pd.Timestamp, hi: pd.Timestamp, width: int) -> list[Box]:
    """The boxes of the era names, written at the top left of each era (see ``shade_eras``)."""
    span = max((hi - lo).days, 1)
    boxes = []
    for era in [] if eras is None else eras.itertuples():
        if lo <= era.start <= hi:
            x, w = (era.start - lo).days / span * width, 6.2 * len(str(era.name)) + 8
            if x + w > width:  # written to end at the era's end
                x = min(width, (min(era.end, hi) - lo).days / span * width) - w
            boxes.append((x, 0, x + w, 32))
    return boxes


def _hits_data(box: Box, near: np.ndarray) -> bool:
    """Whether a data point (with its half width and :data:`DATA_CLEARANCE`) falls inside ``box``."""
    pad = near[:, 2] + DATA_CLEARANCE
    return bool(
        (
            (near[:, 0] > box[0] - pad)
            & (near[:, 0] < box[2] + pad)
            & (near[:, 1] > box[1] - pad)
            & (near[:, 1] < box[3] + pad)
        ).any()
    )


def place_labels(
    labels: Sequence[dict],
    lo: pd.Timestamp,
    hi: pd.Timestamp,
    y_range: Sequence[float],
    plot_px: tuple[int, int] = (1100, 350),
    eras: pd.DataFrame | None = None,
    obstacles: np.ndarray | None = None,
) -> list[tuple[int, int]]:
    """Arrow offsets (ax, ay) for point labels that clear each other and the data, greedily, left to right.

    Each label (``x`` date, ``y`` value, ``text`` with ``<br>`` line breaks) takes the first offset of
    :data:`LABEL_OFFSETS` whose box (about 6 px per character, 14 px per line) stays near the plot and
    clears the boxes already placed, the era names along the top of the plot and the ``obstacles`` (data
    points from :func:`data_obstacles`); failing that, the first offset that clears the labels, then the
    first offset.

    >>> day = pd.Timestamp("2024-12-25")
    >>> mid = day + pd.Timedelta(days=180)
    >>> place_labels([{"x": mid, "y": 80, "text": "a" * 30}] * 2, day, day + pd.Timedelta(days=365), [30, 100])
    [(40, -30), (60, -55)]
    """
    width, height = plot_px
    placed = _era_boxes(eras, lo, hi, width)
    data = np.empty((0, 3)) if obstacles is None else obstacles
    order = sorted(range(len(labels)), key=lambda i: (labels[i]["x"], -labels[i]["y"]))
    chosen: dict[int, tuple[int, int]] = {}
    for i in order:
        label = labels[i]
        ((x, y),) = _to_pixels(
            np.array([pd.Timestamp(label["x"]).value]),
            np.array([float(label["y"])]),
            lo,
            hi,
            y_range,
            plot_px,
        )
        lines = str(label["text"]).split("<br>")
        w, h = 6 * max(len(line) for line in lines) + 10, 14 * len(lines) + 4
        boxes = [(x + ax - w / 2, y + ay - h / 2, x + ax + w / 2, y + ay + h / 2) for ax, ay in LABEL_OFFSETS]
        near = data[(np.abs(data[:, 0] - x) < 250 + w) & (np.abs(data[:, 1] - y) < 200 + h)]
        fits = [
            b[0] > 0
            and b[2] < width
            and b[1] > -45
            and b[3] < height
            and not any(_overlap(b, o) for o in placed)
            for b in boxes
        ]
        clear = [k for k, ok in enumerate(fits) if ok and not _hits_data(boxes[k], near)]
        k = clear[0] if clear else (fits.index(True) if any(fits) else 0)
        placed.append(boxes[k])
        chosen[i] = LABEL_OFFSETS[k]
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

    A number next to a point is short enough to be placed clear of the others and of the data lines and
    markers already in ``fig``, even where events crowd (December 2024); the full titles are wrapped, never
    cut, in two columns below the x axis.

    Args:
        fig: the figure, changed in place.
        labels: ``x`` (date), ``y`` (value), ``title``, ``pair`` and ``color`` of each point.
        lo: the first day of the x axis.
        hi: the last day of the x axis.
        y_range: the y axis range ``[low, high]``.
        eras: the eras whose names run along the top of the plot (kept clear of the numbers).
        key_top: where the key starts, in pixels below the plot area (lower under a range slider).
        plot_px: the plot area's approximate size in pixels, for placing the numbers.

    Returns:
        The height in pixels the key takes below the plot (0 without labels).
    """
    if not labels:
        return 0
    ordered = sorted(labels, key=lambda label: (pd.Timestamp(label["x"]), label["pair"]))
    obstacles = data_obstacles(fig, pd.Timestamp(lo), pd.Timestamp(hi), y_range, plot_px)
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
            numbers, place_labels(numbers, lo, hi, y_range, plot_px, eras, obstacles), strict=True
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
