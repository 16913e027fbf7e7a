"""Components, placement of imprecise dates, frequencies, the analysis window and the checks of names."""

from __future__ import annotations

import pandas as pd
import pytest

import tensions
from tensions.scoring import (
    ScoreSettings,
    explain,
    find_alerts,
    rank_pairs,
    resolve_settings,
    score_dyads,
    settings_of,
)

from conftest import make_events

TODAY = pd.Timestamp("2026-01-01").date()


def _series(scores: pd.DataFrame, pair: str, component: str | None = None) -> pd.Series:
    rows = scores[scores["pair"] == pair]
    if component is not None:
        rows = rows[rows["component"] == component]
    return rows.set_index("date")["pressure"]


def test_a_crisis_raises_both_components_and_net_is_their_difference():
    ev = make_events(
        [
            ("E1", "2022-01-05", "RUS", "KAZ", 6.0, "confirmed"),  # troops sent at the government's request
            ("E2", "2022-01-05", "KAZ", "RUS", -4.0, "reported"),  # a protest against them
            ("E3", "2022-01-20", "KAZ", "RUS", -2.0, "alleged"),
        ]
    )
    both = score_dyads(ev, component="all", end="2022-02-28", today=TODAY)
    assert list(both.columns) == ["pair", "date", "pressure", "index_value", "n_events", "component"]
    tension, cooperation = _series(both, "KAZ-RUS", "tension"), _series(both, "KAZ-RUS", "cooperation")
    net = _series(both, "KAZ-RUS", "net")
    assert tension.loc["2022-01-05"] == pytest.approx(2.8) and cooperation.loc["2022-01-05"] == pytest.approx(
        6.0
    )
    pd.testing.assert_series_equal(net, tension - cooperation, rtol=1e-12, atol=1e-12)
    assert (both.loc[both["component"] != "net", "index_value"] >= 0).all()
    for component in ("tension", "cooperation", "net"):
        alone = score_dyads(ev, component=component, end="2022-02-28", today=TODAY)
        pd.testing.assert_series_equal(_series(alone, "KAZ-RUS"), _series(both, "KAZ-RUS", component))
        ex = explain(ev, "KAZ-RUS", "2022-01-25", component=component, today=TODAY)
        assert ex["contribution"].sum() == pytest.approx(
            _series(alone, "KAZ-RUS").loc["2022-01-25"], abs=1e-12
        )
    assert set(explain(ev, "KAZ-RUS", "2022-01-25", today=TODAY)["event_id"]) == {"E2", "E3"}  # tension only


def test_settings_travel_with_the_scores():
    ev = make_events([("E1", "2025-01-01", "RUS", "AZE", -10, "confirmed")])
    scores = score_dyads(
        ev, half_life_days=7.0, spread="even", component="net", end="2025-01-15", today=TODAY
    )
    s = settings_of(scores)
    assert s == ScoreSettings(half_life_days=7.0, spread="even", component="net")
    assert settings_of(scores[scores["date"] > "2025-01-03"]) == s  # a selection keeps them
    ex = explain(ev, "AZE-RUS", "2025-01-15", settings=scores.attrs["settings"], today=TODAY)
    assert ex.attrs["pressure"] == pytest.approx(scores["pressure"].iloc[-1], rel=1e-12)
    assert scores.attrs["end"] == "2025-01-15"
    assert settings_of(pd.DataFrame()) == ScoreSettings()  # a table without settings: the defaults
    with pytest.raises(TypeError, match="unknown scoring setting"):
        resolve_settings(half_life=7)


def test_month_precision_is_one_push_mid_period_by_default_and_alternatives_do_what_they_say():
    ev = make_events([("E1", "2025-02-01", "RUS", "AZE", -5.0, "confirmed", "month")])
    mid = _series(score_dyads(ev, end="2025-02-28", today=TODAY), "AZE-RUS")
    assert (mid.loc[:"2025-02-13"] == 0).all() and mid.loc["2025-02-14"] == pytest.approx(5.0)
    assert (mid.diff().dropna() <= 1e-12).sum() == len(mid) - 1 - 1  # one jump, then only decay: no climb
    start = _series(score_dyads(ev, spread="start", end="2025-02-28", today=TODAY), "AZE-RUS")
    assert start.loc["2025-02-01"] == pytest.approx(5.0) and (start.diff().dropna() < 0).all()
    even = _series(score_dyads(ev, spread="even", end="2025-02-28", today=TODAY), "AZE-RUS")
    assert even.loc["2025-02-01"] == pytest.approx(5.0 / 28) and (even.diff().dropna() > 0).all()  # a climb
    with pytest.raises(ValueError, match="spread must be one of mid, start, even"):
        score_dyads(ev, spread="middle", today=TODAY)


def test_frequencies_and_their_pandas_aliases():
    ev = make_events(
        [
            ("E1", "2025-01-06", "RUS", "AZE", -10, "confirmed"),
            ("E2", "2025-05-10", "RUS", "AZE", -4, "alleged"),
        ]
    )
    daily = score_dyads(ev, end="2025-06-30", today=TODAY)
    quarterly = score_dyads(ev, freq="Q", end="2025-06-30", today=TODAY)
    pd.testing.assert_frame_equal(quarterly, score_dyads(ev, freq="QE", end="2025-06-30", today=TODAY))
    pd.testing.assert_frame_equal(
        score_dyads(ev, freq="M", end="2025-06-30", today=TODAY),
        score_dyads(ev, freq="ME", end="2025-06-30", today=TODAY),
    )
    assert quarterly["date"].dt.strftime("%Y-%m-%d").tolist() == ["2025-01-01", "2025-04-01"]
    q1 = daily[daily["date"] < "2025-04-01"]["pressure"].mean()
    assert quarterly["pressure"].iloc[0] == pytest.approx(q1) and quarterly["n_events"].tolist() == [1, 1]
    weekly = score_dyads(ev, freq="W", end="2025-06-30", today=TODAY)
    assert (weekly["date"].dt.day_of_week == 0).all()  # weeks from Monday
    assert daily["date"].max() == pd.Timestamp("2025-06-30")
    assert score_dyads(ev, today=TODAY)["date"].max() == pd.Timestamp("2025-05-10")  # default: data's end


def test_background_pairs_are_left_out_of_rankings_and_alerts_and_named():
    ev = make_events(
        [
            ("E1", "1990-01-19", "SUN", "AZE", -10, "confirmed"),
            ("E2", "2024-12-25", "RUS", "AZE", -10, "confirmed"),
            ("E3", "2025-03-01", "RUS", "KAZ", -4, "confirmed"),
        ]
    )
    scores = score_dyads(ev, end="2025-06-01", today=TODAY)
    ranking = rank_pairs(scores)
    assert ranking["pair"].tolist() == ["AZE-RUS", "KAZ-RUS"] and ranking.attrs["background"] == ["AZE-SUN"]
    assert ranking.attrs["window"][0] == pd.Timestamp("2020-06-01")
    alerts = find_alerts(scores)
    assert "AZE-SUN" not in set(alerts["pair"]) and alerts.attrs["background"] == ["AZE-SUN"]
    assert "AZE-SUN" in set(rank_pairs(scores, window_years=40)["pair"])  # a longer window takes it in


def test_pairs_in_any_order_and_case_and_misspellings_are_errors():
    ev = tensions.load_events()
    expected = score_dyads(ev, pairs=["AZE-RUS"])
    pd.testing.assert_frame_equal(score_dyads(ev, pairs=["rus-aze"]), expected)
    pd.testing.assert_frame_equal(score_dyads(ev, pairs=["RUS-AZE"]), expected)
    with pytest.raises(ValueError, match="'RUS>AZE' is a directed pair .*directed=True"):
        explain(ev, "RUS>AZE", "2025-01-01")
    assert explain(ev, "rus>aze", "2025-01-01", directed=True).attrs["pair"] == "RUS>AZE"
    with pytest.raises(ValueError, match="did you mean .*'AZE-RUS'"):
        score_dyads(ev, pairs=["AZE-RUZ"])
    select = tensions.filter_events
    assert len(select(ev, pairs=["RUS-AZE"])) == len(select(ev, pairs=["AZE-RUS"])) > 0
    assert len(select(ev, countries=["rus"])) == len(select(ev, countries=["RUS"])) > 0
    with pytest.raises(ValueError, match="unknown theme 'aviaton'; did you mean 'aviation'"):
        select(ev, themes=["aviaton"])
    with pytest.raises(ValueError, match="unknown country 'ruz'.*'RUS'"):
        select(ev, countries=["ruz"])
    with pytest.raises(ValueError, match="unknown quad class 5"):
        select(ev, quad_classes=[5])
    assert select(ev, quad_classes=["material conflict", 3]).equals(select(ev, quad_classes=[4, 3]))
    with pytest.raises(
        ValueError, match="unknown quad class 'materal conflict'; did you mean 'Material conflict'"
    ):
        select(ev, quad_classes=["materal conflict"])
    with pytest.raises(ValueError, match="did you mean .*'AZE-RUS'"):
        select(ev, pairs=["AZE-RUZ"])
