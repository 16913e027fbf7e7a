"""One kernel, three engines: DuckDB (here) and Spark (test_spark.py) against pandas for every setting."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import tensions
from tensions.score.engine_duckdb import score_dyads_duckdb

TOL = {"check_exact": False, "rtol": 1e-9, "atol": 1e-9}

#: Every setting the pandas engine has, each on at least one engine run.
ENGINE_SETTINGS = [
    {},
    {"component": "cooperation"},
    {"component": "net", "spread": "even"},
    {"component": "all", "spread": "start", "freq": "W"},
    {"component": "all", "goldstein_table": "icews", "fallback_to_root": True, "directed": True},
    {
        "importance_column": "weight",
        "confidence_weights": {"reported": 0.5},
        "half_life_days": 7.0,
        "freq": "Q",
    },
    {"component": "net", "freq": "ME", "how": "max", "start": "2024-02-01", "end": "2024-12-31"},
]


def rich_events_frame() -> pd.DataFrame:
    """Return events that exercise every setting of the engines.

    Day, month and year precision, explicit end dates, CAMEO codes (one only a root has a weight for),
    importance weights, pairs in both directions and every confidence level.
    """
    rng = np.random.default_rng(11)
    n = 160
    sides = np.array([("RUS", "AZE"), ("AZE", "RUS"), ("KAZ", "UZB"), ("UZB", "KAZ"), ("ARM", "AZE")])[
        rng.integers(0, 5, n)
    ]
    day = pd.Timestamp("2024-01-01") + pd.to_timedelta(rng.integers(0, 200, n), unit="D")
    precision = rng.choice(["day", "day", "day", "month", "year"], n)
    date = pd.Series(day).where(precision != "month", pd.Series(day).dt.to_period("M").dt.start_time)
    date = date.where(precision != "year", pd.Timestamp("2024-01-01"))
    end = pd.Series(pd.NaT, index=range(n), dtype="datetime64[ns]")
    bracketed = (precision == "month") & (rng.random(n) < 0.4)
    end[bracketed] = date[bracketed] + pd.Timedelta(days=40)  # "between February and mid-March"
    codes = rng.choice(["190", "0251", "036", "1213", "057", "172", "016"], n)
    goldstein = pd.Series(codes).map(
        {"190": -10.0, "0251": -0.3, "036": 4.0, "1213": -4.0, "057": 8.0, "172": -5.0, "016": -2.0}
    )
    return pd.DataFrame(
        {
            "event_id": [f"E{i:04d}" for i in range(n)],
            "date": date.to_numpy(),
            "date_precision": precision,
            "end_date": end.to_numpy(),
            "actor": sides[:, 0],
            "target": sides[:, 1],
            "cameo_code": codes,
            "goldstein": goldstein.to_numpy(),
            "confidence": rng.choice(["confirmed", "reported", "alleged"], n),
            "weight": rng.choice([0.5, 1.0, 2.0], n),
        }
    )


def split_knobs(knobs: dict) -> tuple[dict, dict]:
    """The call's arguments (freq, start, end, how) apart from the settings."""
    call = {k: knobs[k] for k in ("freq", "start", "end", "how") if k in knobs}
    return call, {k: v for k, v in knobs.items() if k not in call}


@pytest.fixture(scope="module")
def rich_events() -> pd.DataFrame:
    return rich_events_frame()


@pytest.mark.parametrize(
    "knobs", ENGINE_SETTINGS, ids=lambda k: ",".join(f"{a}={b}" for a, b in k.items()) or "defaults"
)
def test_duckdb_matches_pandas_for_every_setting(rich_events, knobs):
    call, settings = split_knobs(knobs)
    s = tensions.scoring.resolve_settings(**settings)
    expected = tensions.score_dyads(rich_events, settings=s, **call)
    ours = score_dyads_duckdb(rich_events, settings=s, **call)
    pd.testing.assert_frame_equal(ours, expected, **TOL)
    assert tensions.scoring.settings_of(ours) == s and len(ours) > 0


def test_duckdb_reads_parquet_with_every_setting(rich_events, tmp_path):
    path = tmp_path / "events.parquet"
    rich_events.to_parquet(path, index=False)
    s = tensions.scoring.resolve_settings(component="all", goldstein_table="gdelt", fallback_to_root=True)
    pd.testing.assert_frame_equal(
        score_dyads_duckdb(path, settings=s), tensions.score_dyads(rich_events, settings=s), **TOL
    )


def test_engines_take_one_request_or_its_fields_as_keywords(rich_events):
    from tensions.score.settings import ScoreRequest, resolve_call

    asked = {"freq": "W", "how": "max", "start": "2024-03-01", "end": "2024-06-30", "pairs": ["AZE-RUS"]}
    s = tensions.scoring.resolve_settings(half_life_days=10.0)
    expected = tensions.score_dyads(rich_events, settings=s, **asked)
    by_request = score_dyads_duckdb(rich_events, request=ScoreRequest(**asked), settings=s)
    pd.testing.assert_frame_equal(by_request, expected, **TOL)
    assert set(by_request["pair"]) == {"AZE-RUS"} and by_request.attrs["freq"] == "W"
    by_keywords = score_dyads_duckdb(rich_events, half_life_days=10.0, **asked)
    pd.testing.assert_frame_equal(by_keywords, expected, **TOL)
    # keywords replace the request's fields, the request's others stay
    _, request = resolve_call(None, ScoreRequest(**asked), freq="M")
    assert (request.freq, request.how, request.pairs) == ("M", "max", ["AZE-RUS"])
    with pytest.raises(TypeError, match="unknown scoring setting"):
        score_dyads_duckdb(rich_events, frequency="W")
    with pytest.raises(TypeError, match="request must be a ScoreRequest"):
        score_dyads_duckdb(rich_events, request={"freq": "W"})


def test_duckdb_refuses_what_it_cannot_score(rich_events):
    with pytest.raises(ValueError, match="has no weight for code"):
        score_dyads_duckdb(rich_events, goldstein_table="gdelt")  # 1213 has only a root weight
    with pytest.raises(ValueError, match="letters, digits and underscores"):
        score_dyads_duckdb(rich_events.rename(columns={"weight": "my weight"}), importance_column="my weight")
    with pytest.raises(ValueError, match="unknown confidence level"):
        score_dyads_duckdb(rich_events.assign(confidence="rumour"))
    with pytest.raises(ValueError, match="did you mean 'AZE-RUS'"):
        score_dyads_duckdb(rich_events, pairs=["RUS-AZR"])


def test_cli_scores_with_the_settings_it_is_given(rich_events, tmp_path, capsys):
    from tensions.cli import main

    source = tmp_path / "events.parquet"
    rich_events.to_parquet(source, index=False)
    out = tmp_path / "series.parquet"
    args = [
        "score",
        str(source),
        "--out",
        str(out),
        "--component",
        "all",
        "--spread",
        "even",
        "--half-life",
        "12",
    ]
    assert main([*args, "--freq", "W"]) == 0
    assert "component all, half-life 12 days" in capsys.readouterr().out
    expected = tensions.score_dyads(
        rich_events, freq="W", component="all", spread="even", half_life_days=12.0
    )
    pd.testing.assert_frame_equal(pd.read_parquet(out), expected, check_dtype=False, **TOL)
