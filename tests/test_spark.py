"""Spark scoring (local mode) against the pandas and DuckDB paths."""

from __future__ import annotations

import shutil

import numpy as np
import pandas as pd
import pytest
from test_engines import ENGINE_SETTINGS, rich_events_frame, split_knobs

import tensions
from tensions.ingest.scale import score_dyads_duckdb
from tensions.ingest.spark import get_spark, score_dyads_spark, spark_settings

pytestmark = [
    pytest.mark.skipif(
        shutil.which("java") is None, reason="Spark needs Java: no `java` on PATH (install a JDK 17 or later)"
    ),
    pytest.mark.xdist_group("spark"),  # one JVM for the module under `pytest -n N --dist loadgroup`
]

TOL = {"check_exact": False, "rtol": 1e-9, "atol": 1e-9}


@pytest.fixture(scope="module")
def spark():
    session = get_spark("local[2]")
    yield session
    session.stop()


@pytest.fixture(scope="module")
def events() -> pd.DataFrame:
    """Return day-precision events for the engine comparisons.

    Pairs in both directions, every confidence level, times of day, and a pair (RUS-UKR) with a gap of
    months between its two events.
    """
    rng = np.random.default_rng(7)
    n = 240
    day = pd.Timestamp("2024-01-01") + pd.to_timedelta(rng.integers(0, 90, n), unit="D")
    hour = pd.to_timedelta(rng.choice([0, 9, 23], n), unit="h") + pd.to_timedelta(
        rng.choice([0, 59], n), unit="min"
    )
    sides = np.array([("RUS", "AZE"), ("AZE", "RUS"), ("KAZ", "UZB"), ("UZB", "KAZ"), ("ARM", "AZE")])[
        rng.integers(0, 5, n)
    ]
    random = pd.DataFrame(
        {
            "date": day + hour,
            "actor": sides[:, 0],
            "target": sides[:, 1],
            "goldstein": rng.choice([-10.0, -4.4, 1.0, 3.4, 8.0], n),
            "confidence": rng.choice(["confirmed", "reported", "alleged"], n),
        }
    )
    gap = pd.DataFrame(
        {
            "date": pd.to_datetime(["2024-01-10 23:30", "2024-03-25 00:00"]),
            "actor": ["UKR", "RUS"],
            "target": ["RUS", "UKR"],
            "goldstein": [-10.0, -2.0],
            "confidence": ["confirmed", "alleged"],
        }
    )
    out = pd.concat([random, gap], ignore_index=True)
    return out.assign(event_id=[f"E{i:04d}" for i in range(len(out))], date_precision="day")


@pytest.mark.parametrize(("half_life", "weights"), [(30.0, None), (12.5, {"reported": 0.5, "alleged": 0.1})])
def test_spark_matches_pandas_and_duckdb(spark, events, half_life, weights):
    expected = tensions.score_dyads(events, half_life_days=half_life, confidence_weights=weights)
    ours = score_dyads_spark(events, half_life_days=half_life, confidence_weights=weights, spark=spark)
    duck = score_dyads_duckdb(events, half_life_days=half_life, confidence_weights=weights)
    pd.testing.assert_frame_equal(ours, expected, **TOL)
    pd.testing.assert_frame_equal(ours, duck, **TOL)
    gap = ours[(ours["pair"] == "RUS-UKR") & ours["date"].between("2024-01-11", "2024-03-24")]
    assert len(gap) == 74 and (gap["n_events"] == 0).all() and (gap["pressure"] > 0).all()
    assert ours["pair"].nunique() == 4 and ours["n_events"].sum() == len(events)


@pytest.mark.parametrize(
    "knobs", ENGINE_SETTINGS, ids=lambda k: ",".join(f"{a}={b}" for a, b in k.items()) or "defaults"
)
def test_spark_matches_pandas_for_every_setting(spark, knobs):
    events = rich_events_frame()
    call, settings = split_knobs(knobs)
    s = tensions.scoring.resolve_settings(**settings)
    expected = tensions.score_dyads(events, settings=s, **call)
    ours = score_dyads_spark(events, settings=s, spark=spark, **call)
    pd.testing.assert_frame_equal(ours, expected, **TOL)
    assert tensions.scoring.settings_of(ours) == s and len(ours) > 0


def test_spark_reads_month_precision_parquet_and_refuses_a_missing_weight(spark, tmp_path):
    events = rich_events_frame()
    path = tmp_path / "rich.parquet"
    events.to_parquet(path, index=False)
    s = tensions.scoring.resolve_settings(component="all", goldstein_table="gdelt", fallback_to_root=True)
    pd.testing.assert_frame_equal(
        score_dyads_spark(path, settings=s, spark=spark), tensions.score_dyads(events, settings=s), **TOL
    )
    with pytest.raises(ValueError, match="has no weight for code"):
        score_dyads_spark(events, goldstein_table="gdelt", spark=spark)


def test_parquet_file_as_written_by_ingest_and_a_glob(spark, events, tmp_path):
    expected = tensions.score_dyads(events)
    one = tmp_path / "events.parquet"  # as `python -m tensions ingest --out`: nanosecond timestamps
    events.astype({"date": "datetime64[ns]", "confidence": "string"}).to_parquet(one, index=False)
    pd.testing.assert_frame_equal(score_dyads_spark(one, spark=spark), expected, **TOL)
    assert spark.conf.get("spark.sql.legacy.parquet.nanosAsLong", None) is None  # set for the call only
    parts = tmp_path / "parts"
    parts.mkdir()
    micro = events.astype({"date": "datetime64[us]"})  # read by Spark as timestamps, not integers
    micro.iloc[:100].to_parquet(parts / "part-0.parquet", index=False)
    micro.iloc[100:].to_parquet(parts / "part-1.parquet", index=False)
    pd.testing.assert_frame_equal(score_dyads_spark(str(parts / "*.parquet"), spark=spark), expected, **TOL)


def test_spark_dataframe_days_are_utc_whatever_the_session_zone(spark, events):
    frame = spark.createDataFrame(events[["date", "actor", "target", "goldstein", "confidence"]])
    spark.conf.set("spark.sql.session.timeZone", "Pacific/Kiritimati")  # UTC+14: 23:59 UTC is the next day
    try:
        ours = score_dyads_spark(frame)
        assert spark.conf.get("spark.sql.session.timeZone") == "Pacific/Kiritimati"  # restored
    finally:
        spark.conf.set("spark.sql.session.timeZone", "UTC")
    pd.testing.assert_frame_equal(ours, tensions.score_dyads(events), **TOL)


def test_empty_input_gives_the_empty_frame(spark, events):
    ours = score_dyads_spark(events.iloc[:0], spark=spark)
    pd.testing.assert_frame_equal(ours, tensions.score_dyads(events.iloc[:0]))
    pd.testing.assert_frame_equal(ours, score_dyads_duckdb(events.iloc[:0]))
    with pytest.raises(ValueError, match="lack the column"):
        score_dyads_spark(events.drop(columns="goldstein"), spark=spark)


def test_session_is_local_light_and_utc(spark):
    assert spark.conf.get("spark.sql.session.timeZone") == "UTC"
    assert spark.conf.get("spark.ui.enabled") == "false"
    assert spark.sparkContext.master == "local[2]"
    assert get_spark() is spark


def test_master_from_argument_environment_or_default(monkeypatch):
    monkeypatch.delenv("TENSIONS_SPARK_MASTER", raising=False)
    assert spark_settings()["spark.master"] == "local[2]"
    assert spark_settings("local[1]")["spark.sql.shuffle.partitions"] == "4"
    monkeypatch.setenv("TENSIONS_SPARK_MASTER", "spark://host:7077")
    cluster = spark_settings()
    assert cluster["spark.master"] == "spark://host:7077" and cluster["spark.sql.session.timeZone"] == "UTC"
    assert "spark.driver.memory" not in cluster and "spark.ui.enabled" not in cluster
    monkeypatch.delenv("TENSIONS_SPARK_MASTER")
    monkeypatch.setenv("PYSPARK_GATEWAY_PORT", "12345")  # set by spark-submit: its --master is kept
    assert "spark.master" not in spark_settings() and spark_settings("local[1]")["spark.master"] == "local[1]"


def test_cli_ingest_then_score_on_spark_matches_duckdb(spark, tmp_path):
    from tensions import paths
    from tensions.cli import main

    events = tmp_path / "events.parquet"
    icews = str(paths.EXTERNAL_DIR / "icews_events_2018-06-01.tab")
    assert main(["ingest", "--format", "icews", icews, "--out", str(events)]) == 0
    assert main(["score", str(events), "--engine", "spark", "--out", str(tmp_path / "spark.parquet")]) == 0
    assert main(["score", str(events), "--out", str(tmp_path / "duck.parquet")]) == 0
    on_spark = pd.read_parquet(tmp_path / "spark.parquet")
    on_duckdb = pd.read_parquet(tmp_path / "duck.parquet")
    assert len(on_spark) == len(on_duckdb) > 0
    merged = on_spark.merge(on_duckdb, on=["pair", "date"], suffixes=("_spark", "_duckdb"))
    np.testing.assert_allclose(merged["pressure_spark"], merged["pressure_duckdb"], rtol=1e-9, atol=1e-9)


def test_spark_takes_the_request_duckdb_takes(spark, events):
    from tensions.scoring import ScoreRequest

    request = ScoreRequest(freq="W", how="last", start="2024-02-01", pairs=["KAZ-UZB"])
    ours = score_dyads_spark(events, request=request, half_life_days=14.0, spark=spark)
    pd.testing.assert_frame_equal(
        ours, score_dyads_duckdb(events, request=request, half_life_days=14.0), **TOL
    )
    assert set(ours["pair"]) == {"KAZ-UZB"} and ours.attrs["start"] == "2024-02-01"
