"""Ingest: real samples, every record accounted for, bad input reported with file and line, DuckDB = pandas."""

from __future__ import annotations

import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import tensions
from tensions import paths
from tensions.cli import main as cli_main
from tensions.ingest import IngestError, read_events, score_dyads_duckdb

GDELT1 = paths.EXTERNAL_DIR / "gdelt1_events_sample.tsv"
ICEWS = paths.EXTERNAL_DIR / "icews_events_2018-06-01.tab"
COLUMNS = pd.read_csv(paths.GDELT_COLUMNS_CSV)
GDELT2_NAMES = COLUMNS[COLUMNS["table"] == "gdelt2_events"].sort_values("position")["name"].tolist()


def gdelt2_line(
    event_id: int,
    date: str = "20241225",
    a1: str = "RUS",
    a2: str = "AZE",
    code: str = "190",
    goldstein: str = "-10.0",
    geo: str = "RS",
    **extra: str,
) -> str:
    """One GDELT 2.0 export line (61 tab-separated fields) following the published layout."""
    values = dict.fromkeys(GDELT2_NAMES, "")
    values.update(
        {
            "GLOBALEVENTID": str(event_id),
            "SQLDATE": date,
            "Actor1CountryCode": a1,
            "Actor1Name": a1,
            "Actor2CountryCode": a2,
            "Actor2Name": a2,
            "EventCode": code,
            "EventRootCode": code[:2],
            "QuadClass": "4",
            "GoldsteinScale": goldstein,
            "ActionGeo_CountryCode": geo,
            "ActionGeo_FullName": "Grozny, Chechnya, Russia",
            "ActionGeo_Lat": "43.3",
            "ActionGeo_Long": "45.7",
            "SOURCEURL": "https://example.invalid/a",
        }
    )
    values.update(extra)
    return "\t".join(values[n] for n in GDELT2_NAMES)


def write(path: Path, lines: list[str]) -> Path:
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_real_gdelt1_sample_mixing_57_and_58_columns(tmp_path):
    events, report = read_events(GDELT1, format="gdelt1", rejects_dir=tmp_path)
    assert report.read == 710 == report.kept + report.filtered + report.rejected
    assert report.rejected == 0 and report.kept == len(events) > 50
    assert events["cameo_code"].str.fullmatch(r"\d{2,4}").all()
    assert set(events["date"].dt.year) == {1982, 2016}  # both layouts read
    assert (events["actor"] != events["target"]).all()
    scores = tensions.score_dyads(events)
    assert scores["pair"].nunique() == events["pair"].nunique()


def test_real_icews_sample_maps_country_names(tmp_path):
    events, report = read_events(ICEWS, format="icews", rejects_dir=tmp_path)
    assert report.read == 2359 == report.kept + report.filtered + report.rejected
    assert "RUS-UKR" in set(events["pair"]) and (events["date"] == "2018-06-01").all()
    assert events["goldstein"].between(-10, 10).all()


def test_filters_apply_while_reading(tmp_path):
    lines = [
        gdelt2_line(1),
        gdelt2_line(2, a1="USA", a2="CHN"),
        gdelt2_line(3, date="20200101"),
        gdelt2_line(4, code="040", goldstein="1.0"),
    ]
    path = write(tmp_path / "f.export.CSV", lines)
    events, report = read_events(
        path,
        format="gdelt2",
        countries=["RUS", "AZE"],
        start="2024-01-01",
        root_codes=["19"],
        rejects_dir=tmp_path,
    )
    assert events["event_id"].tolist() == ["gdelt:1"]
    assert (report.read, report.kept, report.filtered, report.rejected) == (4, 1, 3, 0)


def test_fips_geo_codes_do_not_decide_the_pair(tmp_path):
    # ActionGeo_CountryCode RS is Russia in FIPS (Serbia in ISO 2): the pair comes from the actor codes
    events, _ = read_events(
        write(tmp_path / "g.CSV", [gdelt2_line(7, geo="RS")]), format="gdelt2", rejects_dir=tmp_path
    )
    assert events["pair"].tolist() == ["AZE-RUS"] and "SRB" not in set(events["actor"]) | set(
        events["target"]
    )


def test_each_bad_record_is_rejected_with_its_line_and_reason(tmp_path):
    lines = [
        gdelt2_line(1),
        gdelt2_line(2, goldstein="high"),
        gdelt2_line(3, date="20221301"),
        gdelt2_line(4, a1="XQZ"),
        "\t".join(["5"] * 30),
        gdelt2_line(6, code="4x"),
        gdelt2_line(7),
    ]
    path = write(tmp_path / "bad.export.CSV", lines)
    events, report = read_events(path, format="gdelt2", rejects_dir=tmp_path)
    assert report.read == 7 and report.kept == 2 and report.rejected == 5
    rejects = pd.read_csv(report.rejects_path)
    reasons = dict(zip(rejects["line"], rejects["reason"], strict=True))
    assert reasons == {
        2: "non-numeric Goldstein",
        3: "invalid date",
        4: "unknown country code XQZ",
        5: "wrong number of fields (30)",
        6: "invalid CAMEO code",
    }
    assert (rejects["file"] == str(path)).all()


def test_file_level_errors_do_not_lose_other_files(tmp_path):
    good = write(tmp_path / "good.export.CSV", [gdelt2_line(1)])
    empty = tmp_path / "empty.export.CSV"
    empty.write_text("", encoding="utf-8")
    truncated = tmp_path / "broken.zip"
    with zipfile.ZipFile(tmp_path / "whole.zip", "w") as archive:
        archive.writestr("x.export.CSV", "\n".join(gdelt2_line(i) for i in range(200)))
    truncated.write_bytes((tmp_path / "whole.zip").read_bytes()[:300])
    events, report = read_events([good, empty, truncated, ICEWS], format="gdelt2", rejects_dir=tmp_path)
    assert len(events) == 1 and report.read == 1
    errors = " | ".join(report.file_errors)
    assert "empty.export.CSV: empty file" in errors
    assert "broken.zip: not a readable zip file" in errors
    assert "icews_events_2018-06-01.tab: line 1 has 20 tab-separated fields; a gdelt2 file has 61" in errors


def test_zip_and_glob(tmp_path):
    with zipfile.ZipFile(tmp_path / "day.export.CSV.zip", "w") as archive:
        archive.writestr("day.export.CSV", "\n".join(gdelt2_line(i) for i in range(5)) + "\n")
    events, report = read_events(str(tmp_path / "*.zip"), format="gdelt2", rejects_dir=tmp_path)
    assert len(events) == 5 and report.read == 5
    with pytest.raises(IngestError, match="no file matches"):
        read_events(str(tmp_path / "*.nothing"), format="gdelt2")


def test_any_csv_with_a_mapping(tmp_path):
    path = tmp_path / "mine.csv"
    pd.DataFrame(
        {
            "id": ["a", "b", "c"],
            "when": ["25/12/2024", "26/12/2024", "32/12/2024"],
            "from": ["RUS", "aze", "RUS"],
            "to": ["AZE", "RUS", "KAZ"],
            "code": ["190", "112", "40"],
            "weight": ["-10", "-2", "1"],
        }
    ).to_csv(path, index=False)
    mapping = {
        "event_id": "id",
        "date": "when",
        "date_format": "%d/%m/%Y",
        "actor": "from",
        "target": "to",
        "cameo_code": "code",
        "goldstein": "weight",
    }
    events, report = read_events(path, format="csv", mapping=mapping, rejects_dir=tmp_path)
    assert events["event_id"].tolist() == ["a", "b"] and events["pair"].tolist() == ["AZE-RUS"] * 2
    assert (report.read, report.kept, report.rejected) == (3, 2, 1)
    with pytest.raises(IngestError, match="lacks goldstein"):
        read_events(path, format="csv", mapping={k: v for k, v in mapping.items() if k != "goldstein"})


def test_duckdb_scores_match_pandas(tmp_path):
    rng = np.random.default_rng(0)
    lines = [
        gdelt2_line(
            i,
            date=f"2024{rng.integers(1, 13):02d}{rng.integers(1, 29):02d}",
            a1=rng.choice(["RUS", "AZE", "KAZ"]),
            a2=rng.choice(["UZB", "ARM"]),
            code=rng.choice(["190", "040", "112", "057"]),
            goldstein=str(rng.choice([-10.0, 1.0, -2.0, 8.0])),
        )
        for i in range(400)
    ]
    events, _ = read_events(write(tmp_path / "r.export.CSV", lines), format="gdelt2", rejects_dir=tmp_path)
    ours = tensions.score_dyads(events, half_life_days=20)
    duck = score_dyads_duckdb(events, half_life_days=20)
    merged = ours.merge(duck, on=["pair", "date"], suffixes=("", "_duck"))
    assert len(merged) == len(ours) == len(duck)
    np.testing.assert_allclose(merged["pressure"], merged["pressure_duck"], rtol=1e-9, atol=1e-9)
    assert (merged["n_events"] == merged["n_events_duck"]).all()


def test_cli_ingest_and_score(tmp_path, capsys):
    out = tmp_path / "events.parquet"
    assert (
        cli_main(["ingest", "--format", "icews", str(ICEWS), "--countries", "RUS,UKR", "--out", str(out)])
        == 0
    )
    printed = capsys.readouterr().out
    assert "read 2,359 = kept" in printed
    series = tmp_path / "series.parquet"
    assert cli_main(["score", str(out), "--out", str(series)]) == 0
    assert set(pd.read_parquet(series)["pair"]) >= {"RUS-UKR"}
    with pytest.raises(SystemExit, match="curated dataset"):
        cli_main(["score", str(out), "--out", str(paths.DATA_DIR / "x.parquet")])
