"""Chart builders return figures that show what they should, traceable to the events."""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio
import pytest

import tensions
from tensions import charts, scoring


@pytest.fixture(scope="module")
def ds() -> dict[str, pd.DataFrame]:
    return tensions.load_dataset()


@pytest.fixture(scope="module")
def scores(ds) -> pd.DataFrame:
    return tensions.score_dyads(ds["events"])


def _marker_ids(fig: go.Figure) -> set[str]:
    ids = set()
    for trace in fig.data:
        if trace.mode == "markers" and trace.customdata is not None:
            ids |= {row[-1] for row in trace.customdata}
    return ids


def test_house_template_is_default_and_pair_colours_are_stable():
    assert "tensions" in pio.templates.default
    assert charts.pair_color("AZE-RUS") == charts.pair_color("RUS>AZE") == "#D55E00"
    assert len({charts.pair_color(p) for p in ("AZE-RUS", "KAZ-RUS", "RUS-UZB", "ARM-RUS")}) == 4


def test_timeline_has_every_event_once_per_lane_and_eras(ds):
    events = ds["events"]
    fig = charts.build_timeline_figure(events, ds["eras"])
    assert _marker_ids(fig) == set(events["event_id"])
    lanes = set(fig.layout.yaxis.categoryarray)
    assert lanes == set(events["pair"])
    era_names = {a.text for a in fig.layout.annotations if a.text in set(ds["eras"]["name"])}
    assert "AZAL 8243 crisis" in era_names
    assert any(
        f"Source: Eurasia tensions workbook, {len(events)} events" in (a.text or "")
        for a in fig.layout.annotations
    )
    imprecise = [t for t in fig.data if t.mode == "lines"]
    assert imprecise, "month/year-precision events are drawn as bars over their period"


def test_timeline_by_theme_and_window(ds):
    fig = charts.build_timeline_figure(ds["events"], ds["eras"], lanes="theme", start="2024-12-01")
    assert "aviation" in set(fig.layout.yaxis.categoryarray)
    assert all(
        pd.Timestamp(x) >= pd.Timestamp("2024-01-01")
        for t in fig.data
        if t.mode == "markers"
        for x in (t.x if t.x is not None else [])
        if x is not None
    )
    with pytest.raises(ValueError, match="lanes must be"):
        charts.build_timeline_figure(ds["events"], lanes="colour")


def events_by_title(events, words: str) -> str:
    """The id of the one curated event whose title contains ``words`` (ids may be renumbered)."""
    hits = events.loc[events["title"].str.contains(words, regex=False), "event_id"]
    assert len(hits) == 1, f"{len(hits)} events match {words!r}"
    return hits.iloc[0]


def test_tension_figure_lines_band_and_top_events(ds, scores):
    band = scoring.bootstrap_scores(ds["events"], n_boot=20, pairs=["AZE-RUS"], start="2024-11-01")
    window = scores[scores["date"] >= "2024-11-01"]
    fig = charts.build_tension_figure(
        window,
        pairs=["AZE-RUS", "KAZ-RUS"],
        events=ds["events"],
        eras=ds["eras"],
        band=band[["pair", "date", "low", "high"]],
    )
    lines = [t for t in fig.data if t.mode == "lines" and t.name in {"AZE-RUS", "KAZ-RUS"}]
    assert [t.name for t in lines] == ["AZE-RUS", "KAZ-RUS"]
    assert lines[0].line.color == charts.pair_color("AZE-RUS")
    assert any(t.fill == "tonexty" for t in fig.data)
    top = charts.top_event_annotations(scores, ds["events"], "AZE-RUS", top=3)
    downing = ds["events"][(ds["events"]["date"] == "2024-12-25") & (ds["events"]["cameo_code"] == "190")]
    assert top["event_id"].iloc[0] == downing["event_id"].item()  # the downing drives the tension peak
    net = tensions.score_dyads(ds["events"], component="net")
    raid = events_by_title(ds["events"], "raid ethnic Azerbaijanis in Yekaterinburg")
    net_top = charts.top_event_annotations(net, ds["events"], "AZE-RUS", top=3)
    assert raid in set(net_top["event_id"])  # in net terms the apology lowers December: the raid's peak wins


def test_markers_explain_with_the_settings_of_the_scores(ds):
    """Scores at half-life 7 and even spreading: the markers' contributions are explain's with those settings."""
    events = ds["events"]
    scores = tensions.score_dyads(events, half_life_days=7.0, spread="even", component="net")
    marks = charts.top_event_annotations(scores, events, "AZE-RUS", top=3)
    series = scores[scores["pair"] == "AZE-RUS"]
    peak_day = series.loc[series["index_value"].idxmax(), "date"]
    assert marks["peak_day"].iloc[0] == peak_day  # the highest peak first
    for day, group in marks.groupby("peak_day"):
        expected = tensions.explain(events, "AZE-RUS", day, settings=scores.attrs["settings"])
        assert expected.attrs["settings"]["half_life_days"] == 7.0
        by_id = expected.set_index("event_id")["contribution"]
        assert group["contribution"].tolist() == pytest.approx(
            by_id.loc[group["event_id"]].tolist(), abs=1e-12
        )
        default = tensions.explain(events, "AZE-RUS", day, component="net").set_index("event_id")
        assert group["contribution"].tolist() != pytest.approx(
            default.loc[group["event_id"], "contribution"].tolist()
        )


def test_tension_figure_draws_cooperation_beside_tension(ds):
    both = tensions.score_dyads(ds["events"], component="all", start="2021-11-01")
    fig = charts.build_tension_figure(both, pairs=["KAZ-RUS"], events=ds["events"])
    names = [t.name for t in fig.data if t.mode == "lines"]
    assert names == ["KAZ-RUS", "KAZ-RUS cooperation", "dotted: cooperation"]
    coop = [t for t in fig.data if t.name == "KAZ-RUS cooperation"][0]
    assert max(coop.y) > 40 and fig.layout.yaxis.range == (0, 100)


def test_heatmap_waterfall_mix_map(ds, scores):
    monthly = tensions.score_dyads(ds["events"], freq="M", start="2024-01-01")
    heat = charts.build_heatmap_figure(monthly)
    assert heat.data[0].zmid is None and len(heat.data[0].y) == monthly["pair"].nunique()  # tension: 0..100
    net_heat = charts.build_heatmap_figure(tensions.score_dyads(ds["events"], freq="M", component="net"))
    assert net_heat.data[0].zmid == 50
    breakdown = tensions.explain(ds["events"], "AZE-RUS", "2024-12-27")
    water = charts.build_waterfall_figure(breakdown, "AZE-RUS", "2024-12-27", top=4)
    assert water.data[0].measure[-1] == "total"
    assert water.data[0].x[-1] == pytest.approx(breakdown["contribution"].sum())
    assert sum(water.data[0].x[:-1]) == pytest.approx(water.data[0].x[-1])
    mix = charts.build_event_mix_figure(ds["events"], by="theme")
    assert sum(sum(t.y) for t in mix.data) == ds["events"]["themes"].str.split(";").str.len().sum()
    latest = scoring.rank_pairs(scores)[["pair", "peak_index"]].rename(columns={"peak_index": "index_value"})
    fig = charts.build_map_figure(ds["events"], ds["countries"], latest)
    assert charts.has_geo(fig)
    located = ds["events"].dropna(subset=["latitude", "longitude"])
    located = sum(
        charts.geo.is_on_map(lon, lat)
        for lon, lat in zip(located["longitude"], located["latitude"], strict=True)
    )
    assert located >= 60  # the map window covers the region: nearly every located event is on it
    assert sum(len(t.lat) for t in fig.data if t.name in charts.style.QUAD_NAMES.values()) == located
    # the map fills its domain (plotly centres a map narrower than its domain): no blank margin on the left
    size, margin = (fig.layout.width or 1200, fig.layout.height), fig.layout.margin
    domain_px = (fig.layout.geo.domain.x[1] - fig.layout.geo.domain.x[0]) * (size[0] - margin.l - margin.r)
    aspect = domain_px / (size[1] - margin.t - margin.b)
    assert fig.layout.geo.domain.x[0] == 0 and aspect == pytest.approx(charts.geo.mercator_aspect(), rel=0.01)


def test_diagnostic_figures(ds, scores):
    sweep = scoring.sweep_sensitivity(ds["events"], "AZE-RUS", half_lives=(14, 30))
    fig = charts.build_sensitivity_figure(sweep)
    assert len(fig.data) == 3
    comparison = charts.build_comparison_figure(
        scores, scoring.score_gdelt_mean(ds["events"]), scoring.score_cumulative(ds["events"]), "AZE-RUS"
    )
    assert len(comparison.data) == 3


def test_monthly_trend_arrows_and_busiest_small_multiples(ds, scores):
    trend = scoring.score_monthly_trend(ds["events"], threshold=5.0, start="2021-11-01")
    fig = charts.build_trend_figure(trend, threshold=5.0)
    moved = trend[trend["trend"] != "unchanged"]
    assert sum(len(t.x) for t in fig.data) == len(moved)
    assert {t.marker.symbol for t in fig.data} == {"triangle-up", "triangle-down"}
    dec = moved[(moved["pair"] == "AZE-RUS") & (moved["date"] == "2024-12-01")]
    assert dec["trend"].tolist() == ["deteriorated"]  # the AZAL 8243 month
    window = scores[scores["date"] >= "2021-11-01"]
    multiples = charts.build_small_multiples_figure(window)
    titles = [a.text.split(" · ")[0] for a in multiples.layout.annotations if " events" in (a.text or "")]
    assert titles[0] == "AZE-RUS" and titles == charts.panels.busiest_pairs(window)
    assert multiples.layout.yaxis.range[0] <= window["index_value"].min()  # no panel clipped at the bottom
    sweep = scoring.sweep_sensitivity(ds["events"], "KAZ-RUS", half_lives=(14, 30))
    assert "KAZ-RUS" in charts.build_sensitivity_figure(sweep, pair="KAZ-RUS").layout.title.text


def test_a_month_precision_marker_sits_where_its_push_was_placed():
    from conftest import make_events

    ev = make_events([("E1", "2025-02-01", "RUS", "AZE", -5.0, "confirmed", "month")]).assign(title="A month")
    today = pd.Timestamp("2026-01-01").date()
    for spread, day in (("mid", "2025-02-14"), ("start", "2025-02-01")):
        scores = tensions.score_dyads(ev, spread=spread, end="2025-03-31", today=today)
        marks = charts.top_event_annotations(scores, ev, "AZE-RUS", top=1)
        assert (
            marks["day"].tolist() == [pd.Timestamp(day)]
            and marks["index_value"].iloc[0] == scores["index_value"].max()
        )


def test_timeline_marks_background_events_and_shows_imprecise_periods(ds):
    fig = charts.build_timeline_figure(ds["events"], background_before="2020-07-05")
    rows = [
        (c[8], c[1], o)
        for t in fig.data
        if t.mode == "markers" and t.customdata is not None
        for c, o in zip(t.customdata, t.marker.opacity, strict=True)
    ]
    background = {e for e, when, o in rows if "background" in when and o < 1}
    assert background == {"EV-0001", "EV-0002"}  # Black January 1990 and MH17 2014, faded, still drawn
    assert any("2025-02-01 to 2025-02-28 (month precision)" in when for _, when, _ in rows)


def test_capital_code_goes_beside_its_ring_or_far_with_a_leader_line():
    geo = charts.geo
    ring = geo.map_pixels([45.0], [40.0])
    fig = go.Figure()
    assert geo.capital_code_places(fig, ["ARM"], ring)[1] == []  # nothing around: beside the ring, no leader
    centre, _ = geo.capital_code_places(fig, ["ARM"], ring)
    offsets, gaps = geo.code_offsets("ARM")
    assert centre[0] - ring[0] == pytest.approx(offsets[0]) and gaps[0] <= geo.CODE_NEAR  # right above it
    # events all around the ring up to 20 px from its edge: the code goes further, joined by a leader line
    angle, radius = np.meshgrid(np.linspace(0, 2 * np.pi, 90), np.arange(8, 26, 3))
    crowd = ring[0] + np.column_stack([np.cos(angle.ravel()), np.sin(angle.ravel())]) * radius.reshape(-1, 1)
    lon, lat = geo.map_lonlat(crowd).T
    fig.add_trace(go.Scattergeo(lon=lon, lat=lat, mode="markers", marker={"size": 4}))
    (centre,), (leader,) = geo.capital_code_places(fig, ["ARM"], ring)
    gap = np.hypot(*(np.maximum(np.abs(centre - ring[0]) - [15, 7.5], 0))) - geo.CAPITAL_SIZE / 2
    assert geo.CODE_NEAR < gap <= geo.CODE_FAR
    assert np.hypot(*(leader[0] - ring[0])) == pytest.approx(geo.CAPITAL_SIZE / 2 + 1)  # from the ring's edge
