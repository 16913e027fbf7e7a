"""The tension score: golden cases computed by hand, properties, baselines, errors."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tensions.scoring import (
    K_DEFAULT,
    SCORE_COLUMNS,
    bootstrap_scores,
    explain,
    find_alerts,
    rank_pairs,
    score_cumulative,
    score_dyads,
    score_gdelt_mean,
    score_monthly_trend,
    sweep_sensitivity,
    to_index,
)

from conftest import make_events

TODAY = pd.Timestamp("2026-01-01").date()


def _at(scores: pd.DataFrame, pair: str, day: str) -> pd.Series:
    row = scores[(scores["pair"] == pair) & (scores["date"] == pd.Timestamp(day))]
    assert len(row) == 1, f"no single row for {pair} {day}"
    return row.iloc[0]


# ---------------------------------------------------------------------------------------------- golden


def test_single_confirmed_minus_ten_event_gives_75_then_halves():
    ev = make_events([("E1", "2024-12-25", "RUS", "AZE", -10, "confirmed")])
    s = score_dyads(ev, end="2025-02-23", today=TODAY)
    assert list(s.columns) == SCORE_COLUMNS and s.attrs["settings"]["component"] == "tension"
    assert _at(s, "AZE-RUS", "2024-12-25")["index_value"] == pytest.approx(50.0, abs=1e-12)  # tension: 0 none
    net = score_dyads(ev, end="2025-02-23", today=TODAY, component="net")
    assert _at(net, "AZE-RUS", "2024-12-25")["index_value"] == pytest.approx(
        75.0, abs=1e-12
    )  # net: 50 neutral
    assert (score_dyads(ev, end="2025-02-23", today=TODAY, component="cooperation")["index_value"] == 0).all()
    assert _at(s, "AZE-RUS", "2025-01-24")["pressure"] == pytest.approx(5.0, rel=1e-12)
    assert _at(s, "AZE-RUS", "2025-02-23")["pressure"] == pytest.approx(2.5, rel=1e-12)
    assert s["n_events"].sum() == 1 and _at(s, "AZE-RUS", "2024-12-25")["n_events"] == 1


def test_hand_computed_two_events_with_confidence_weights():
    ev = make_events(
        [
            ("E1", "2025-01-01", "RUS", "AZE", -10, "confirmed"),
            ("E2", "2025-01-11", "AZE", "RUS", 4, "reported"),
        ]
    )
    s = score_dyads(ev, half_life_days=10, end="2025-01-21", today=TODAY, component="net")
    # day 10: 10 * 0.5 + 0.7 * (-4) = 2.2 ; day 20: 10 * 0.25 + (-2.8) * 0.5 = 1.1
    assert _at(s, "AZE-RUS", "2025-01-11")["pressure"] == pytest.approx(2.2, rel=1e-12)
    assert _at(s, "AZE-RUS", "2025-01-21")["pressure"] == pytest.approx(1.1, rel=1e-12)
    assert _at(s, "AZE-RUS", "2025-01-21")["index_value"] == pytest.approx(
        50 + 50 * math.tanh(1.1 / K_DEFAULT)
    )


def test_month_precision_event_is_spread_evenly_or_placed_mid_period():
    ev = make_events([("E1", "2024-02-01", "RUS", "KAZ", -5.8, "confirmed", "month")])
    even = score_dyads(ev, half_life_days=30, spread="even", end="2024-02-29", today=TODAY)
    r = 2 ** (-1 / 30)
    expected_end = 5.8 / 29 * sum(r**j for j in range(29))
    assert _at(even, "KAZ-RUS", "2024-02-29")["pressure"] == pytest.approx(expected_end, rel=1e-12)
    assert _at(even, "KAZ-RUS", "2024-02-01")["pressure"] == pytest.approx(5.8 / 29, rel=1e-12)
    mid = score_dyads(ev, spread="mid", end="2024-02-29", today=TODAY)
    assert _at(mid, "KAZ-RUS", "2024-02-14")["pressure"] == 0
    assert _at(mid, "KAZ-RUS", "2024-02-15")["pressure"] == pytest.approx(5.8)


def test_year_precision_spreads_over_the_year_and_counts_once():
    ev = make_events([("E1", "2024-01-01", "RUS", "KAZ", -2.0, "confirmed", "year")])
    s = score_dyads(ev, half_life_days=1e9, spread="even", end="2024-12-31", today=TODAY)  # no decay
    assert _at(s, "KAZ-RUS", "2024-12-31")["pressure"] == pytest.approx(2.0, rel=1e-6)
    assert s["n_events"].sum() == 1


def test_weekly_and_monthly_summaries_match_daily_values():
    ev = make_events(
        [
            ("E1", "2025-01-06", "RUS", "AZE", -10, "confirmed"),
            ("E2", "2025-02-10", "RUS", "AZE", -4, "alleged"),
        ]
    )
    daily = score_dyads(ev, end="2025-03-31", today=TODAY)
    monthly = score_dyads(ev, freq="M", end="2025-03-31", today=TODAY)
    jan = daily[daily["date"].dt.month == 1]
    assert _at(monthly, "AZE-RUS", "2025-01-01")["pressure"] == pytest.approx(jan["pressure"].mean())
    assert monthly["n_events"].tolist() == [1, 1, 0]
    weekly_max = score_dyads(ev, freq="W", how="max", end="2025-03-31", today=TODAY)
    assert _at(weekly_max, "AZE-RUS", "2025-01-06")["pressure"] == pytest.approx(10.0)
    last = score_dyads(ev, freq="M", how="last", end="2025-03-31", today=TODAY)
    assert _at(last, "AZE-RUS", "2025-03-01")["pressure"] == pytest.approx(daily["pressure"].iloc[-1])


def test_directed_pairs_keep_direction():
    ev = make_events(
        [
            ("E1", "2025-01-01", "RUS", "AZE", -10, "confirmed"),
            ("E2", "2025-01-01", "AZE", "RUS", -5, "confirmed"),
        ]
    )
    s = score_dyads(ev, directed=True, end="2025-01-01", today=TODAY)
    assert dict(zip(s["pair"], s["pressure"], strict=True)) == {"AZE>RUS": 5.0, "RUS>AZE": 10.0}


def test_start_keeps_earlier_events_decayed():
    ev = make_events([("E1", "2025-01-01", "RUS", "AZE", -10, "confirmed")])
    s = score_dyads(ev, start="2025-01-31", end="2025-02-01", today=TODAY)
    assert s["date"].min() == pd.Timestamp("2025-01-31")
    assert s["pressure"].iloc[0] == pytest.approx(5.0)


def test_goldstein_table_choice_changes_weights():
    ev = make_events([("E1", "2025-01-01", "RUS", "AZE", 0, "confirmed")]).assign(cameo_code="016")
    gdelt = score_dyads(ev, goldstein_table="gdelt", end="2025-01-01", today=TODAY)["pressure"].item()
    icews = score_dyads(ev, goldstein_table="icews", end="2025-01-01", today=TODAY)["pressure"].item()
    assert (gdelt, icews) == (2.0, 5.0)


# ---------------------------------------------------------------------------------------------- errors


def test_errors_are_clear_and_empty_selection_has_columns():
    ev = make_events([("E1", "2025-01-01", "RUS", "AZE", -10, "confirmed")])
    with pytest.raises(ValueError, match="unknown confidence level"):
        score_dyads(ev.assign(confidence="rumour"), today=TODAY)
    with pytest.raises(ValueError, match="missing Goldstein weight for event"):
        score_dyads(ev.assign(goldstein=np.nan), today=TODAY)
    with pytest.raises(ValueError, match="phoenix Goldstein table has no weight .*E1 \\(code 0251\\)"):
        score_dyads(ev.assign(cameo_code="0251"), goldstein_table="phoenix", today=TODAY)
    with pytest.raises(ValueError, match="dated after"):
        score_dyads(ev, today=pd.Timestamp("2024-01-01").date())
    with pytest.raises(ValueError, match="half_life_days must be a positive number"):
        score_dyads(ev, half_life_days=0, today=TODAY)
    with pytest.raises(ValueError, match="freq must be"):
        score_dyads(ev, freq="Y", today=TODAY)
    with pytest.raises(ValueError, match="no events for pair 'ARM-RUS'"):
        explain(ev, "ARM-RUS", "2025-01-02", today=TODAY)
    empty = score_dyads(ev.iloc[:0], today=TODAY)
    assert list(empty.columns) == SCORE_COLUMNS and empty.empty
    with pytest.raises(ValueError, match="no events for pair 'ARM-RUS'.*did you mean 'AZE-RUS'"):
        score_dyads(ev, pairs=["ARM-RUS"], today=TODAY)  # an unknown pair is an error, not an empty table


def test_missing_weight_in_table_can_fall_back_to_root():
    ev = make_events([("E1", "2025-01-01", "RUS", "AZE", 0, "confirmed")]).assign(cameo_code="1213")
    with pytest.raises(ValueError, match="gdelt Goldstein table has no weight"):
        score_dyads(ev, goldstein_table="gdelt", today=TODAY)
    s = score_dyads(ev, goldstein_table="gdelt", fallback_to_root=True, today=TODAY)
    assert s["pressure"].item() == pytest.approx(4.0)  # root 12 "Reject" weighs -4.0


# ---------------------------------------------------------------------------------------------- properties

PAIRS = [("RUS", "AZE"), ("AZE", "RUS"), ("RUS", "KAZ"), ("KAZ", "UZB"), ("ARM", "AZE")]
event_rows = st.lists(
    st.tuples(
        st.integers(0, 120),  # day offset
        st.sampled_from(PAIRS),
        st.sampled_from([-10.0, -7.2, -4.0, -2.0, 0.0, 1.9, 3.4, 7.0]),
        st.sampled_from(["confirmed", "reported", "alleged"]),
        st.sampled_from(["day", "day", "day", "month"]),
    ),
    min_size=1,
    max_size=25,
)


def _frame(rows) -> pd.DataFrame:
    base = pd.Timestamp("2024-01-01")
    out = []
    for i, (offset, (actor, target), g, conf, precision) in enumerate(rows):
        day = base + pd.Timedelta(days=offset)
        if precision == "month":
            day = day.replace(day=1)
        out.append((f"E{i:03d}", day, actor, target, g, conf, precision))
    return make_events(out)


SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
END = "2024-07-31"


@SETTINGS
@given(
    rows=event_rows,
    probe=st.integers(0, 200),
    half_life=st.sampled_from([3.0, 30.0, 90.0]),
    component=st.sampled_from(["tension", "cooperation", "net"]),
    spread=st.sampled_from(["mid", "start", "even"]),
)
def test_explain_sums_to_pressure(rows, probe, half_life, component, spread):
    ev = _frame(rows)
    knobs = {"half_life_days": half_life, "component": component, "spread": spread}
    scores = score_dyads(ev, end=END, today=TODAY, **knobs)
    day = pd.Timestamp("2024-01-01") + pd.Timedelta(days=probe)
    for pair in scores["pair"].unique():
        row = scores[(scores["pair"] == pair) & (scores["date"] == day)]
        if row.empty:
            continue
        ex = explain(ev, pair, day, today=TODAY, settings=scores.attrs["settings"])
        assert ex["contribution"].sum() == pytest.approx(row["pressure"].item(), rel=1e-9, abs=1e-9)
        assert ex.attrs["index_value"] == pytest.approx(row["index_value"].item(), abs=1e-9)


@SETTINGS
@given(rows=event_rows)
def test_decay_is_monotone_between_events(rows):
    ev = _frame([r for r in rows if r[4] == "day"] or [(0, ("RUS", "AZE"), -10.0, "confirmed", "day")])
    scores = score_dyads(ev, end=END, today=TODAY)
    for _, g in scores.groupby("pair"):
        p = g["pressure"].to_numpy()
        quiet = g["n_events"].to_numpy()[1:] == 0
        assert np.all(np.abs(p[1:][quiet]) <= np.abs(p[:-1][quiet]) + 1e-12)


@SETTINGS
@given(rows=event_rows)
def test_undirected_pairs_are_symmetric(rows):
    ev = _frame(rows)
    swapped = ev.assign(actor=ev["target"], target=ev["actor"])
    pd.testing.assert_frame_equal(
        score_dyads(ev, end=END, today=TODAY), score_dyads(swapped, end=END, today=TODAY)
    )


@SETTINGS
@given(
    rows=event_rows,
    offset=st.integers(0, 150),
    g=st.sampled_from([-10.0, -4.0, -0.1]),
    conf=st.sampled_from(["confirmed", "alleged"]),
)
def test_adding_a_conflict_event_never_lowers_the_index_after_it(rows, offset, g, conf):
    ev = _frame(rows)
    day = pd.Timestamp("2024-01-01") + pd.Timedelta(days=offset)
    extra = make_events([("NEW", day, "RUS", "AZE", g, conf)])
    before = score_dyads(ev, start="2024-01-01", end=END, today=TODAY)
    after = score_dyads(pd.concat([ev, extra], ignore_index=True), start="2024-01-01", end=END, today=TODAY)
    merged = after.merge(before, on=["pair", "date"], how="left", suffixes=("", "_before"))
    merged["index_value_before"] = merged["index_value_before"].fillna(
        0.0
    )  # tension of a pair without events: 0
    later = merged[merged["date"] >= day]
    assert (later["index_value"] >= later["index_value_before"] - 1e-12).all()
    assert (
        later.loc[later["pair"] == "AZE-RUS", "index_value"]
        > later.loc[later["pair"] == "AZE-RUS", "index_value_before"] - 1e-12
    ).all()


@SETTINGS
@given(rows=event_rows, factor=st.sampled_from([0.5, 2.0, 3.7]))
def test_scaling_all_weights_scales_the_pressure(rows, factor):
    ev = _frame(rows)
    base = score_dyads(ev, end=END, today=TODAY)
    scaled = score_dyads(ev.assign(goldstein=ev["goldstein"] * factor), end=END, today=TODAY)
    np.testing.assert_allclose(scaled["pressure"], base["pressure"] * factor, rtol=1e-9, atol=1e-12)


@SETTINGS
@given(rows=event_rows, seed=st.integers(0, 10_000))
def test_results_do_not_depend_on_row_order(rows, seed):
    ev = _frame(rows)
    shuffled = ev.sample(frac=1.0, random_state=seed).reset_index(drop=True)
    a = score_dyads(ev, end=END, today=TODAY)
    b = score_dyads(shuffled, end=END, today=TODAY)
    pd.testing.assert_frame_equal(a, b, rtol=1e-12, atol=1e-12)


# ---------------------------------------------------------------------------------------------- baselines


def test_gdelt_mean_cumulative_and_monthly_trend():
    ev = make_events(
        [
            ("E1", "2025-01-06", "RUS", "AZE", -10, "confirmed"),
            ("E2", "2025-01-06", "AZE", "RUS", 4, "alleged"),
            ("E3", "2025-03-01", "RUS", "AZE", 7, "confirmed"),
        ]
    )
    mean = score_gdelt_mean(ev)
    assert mean["mean_goldstein"].tolist() == [-3.0, 7.0]
    weighted = score_gdelt_mean(ev, weighted=True)
    assert weighted["mean_goldstein"].iloc[0] == pytest.approx((-10 * 1 + 4 * 0.4) / 1.4)
    cum = score_cumulative(ev)
    assert cum["cumulative"].tolist() == pytest.approx([10 - 1.6, 10 - 1.6 - 7])
    trend = score_monthly_trend(ev, end="2025-03-31", today=TODAY, component="net")
    assert trend["trend"].tolist() == ["deteriorated", "improved", "improved"]


def test_alerts_find_the_rise():
    ev = make_events(
        [
            ("E1", "2025-01-06", "RUS", "AZE", -10, "confirmed"),
            ("E2", "2025-05-01", "RUS", "KAZ", -1, "alleged"),
        ]
    )
    alerts = find_alerts(score_dyads(ev, end="2025-06-01", today=TODAY), rise=15, window_days=14)
    assert alerts["pair"].tolist() == ["AZE-RUS"]
    assert alerts["start"].iloc[0] == pd.Timestamp("2025-01-06")
    assert alerts["peak_index"].iloc[0] == pytest.approx(50.0)  # tension: from 0 (none) to 50


def test_rank_pairs_orders_by_peak():
    ev = make_events(
        [
            ("E1", "2025-01-06", "RUS", "AZE", -10, "confirmed"),
            ("E2", "2025-02-01", "RUS", "KAZ", -4, "confirmed"),
        ]
    )
    ranking = rank_pairs(score_dyads(ev, end="2025-03-01", today=TODAY))
    assert ranking["pair"].tolist() == ["AZE-RUS", "KAZ-RUS"]
    assert ranking["peak_date"].iloc[0] == pd.Timestamp("2025-01-06")
    assert ranking["current_index"].iloc[1] < ranking["peak_index"].iloc[1]


def test_bootstrap_band_and_sensitivity_sweep():
    ev = make_events(
        [(f"E{i}", f"2025-01-{i + 1:02d}", "RUS", "AZE", -4 - i % 3, "confirmed") for i in range(12)]
    )
    band = bootstrap_scores(ev, n_boot=80, end="2025-02-15", today=TODAY)
    assert {"low", "median", "high"} <= set(band.columns)
    assert (band["low"] <= band["median"] + 1e-12).all() and (band["median"] <= band["high"] + 1e-12).all()
    assert (band["high"] - band["low"]).max() > 1.0  # resampling does move the index
    sweep = sweep_sensitivity(ev, "AZE-RUS", half_lives=(7, 30), end="2025-02-15", today=TODAY)
    assert len(sweep) == 6
    short, long = sweep[sweep["confidence_set"].str.startswith("default")]["last_index"].tolist()
    assert long > short  # a longer memory keeps more of January's pressure on 15 February


def test_to_index_bounds():
    assert to_index(1e6) == pytest.approx(100.0)
    assert to_index(-1e6) == pytest.approx(0.0)
    assert to_index(pd.Series([0.0])).tolist() == [50.0]
