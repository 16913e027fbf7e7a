"""Ingest: real samples, every record accounted for, bad input reported with file and line, DuckDB = pandas."""

from __future__ import annotations

import gzip
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


#: Our fields -> the columns of the small CSV files the csv-format tests write.
CSV_MAPPING = {
    "event_id": "id",
    "date": "when",
    "actor": "from",
    "target": "to",
    "cameo_code": "code",
    "goldstein": "weight",
}


def write(path: Path, lines: list[str]) -> Path:
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_real_gdelt1_sample_mixing_57_and_58_columns(tmp_path):
    events, report = read_events(GDELT1, source_format="gdelt1", rejects_dir=tmp_path)
    assert report.read == 710 == report.kept + report.filtered + report.rejected
    assert report.rejected == 0 and report.kept == len(events) > 50
    assert events["cameo_code"].str.fullmatch(r"\d{2,4}").all()
    assert set(events["date"].dt.year) == {1982, 2016}  # both layouts read
    assert (events["actor"] != events["target"]).all()
    scores = tensions.score_dyads(events)
    assert scores["pair"].nunique() == events["pair"].nunique()


def test_real_icews_sample_maps_country_names(tmp_path):
    events, report = read_events(ICEWS, source_format="icews", rejects_dir=tmp_path)
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
        source_format="gdelt2",
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
        write(tmp_path / "g.CSV", [gdelt2_line(7, geo="RS")]), source_format="gdelt2", rejects_dir=tmp_path
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
    events, report = read_events(path, source_format="gdelt2", rejects_dir=tmp_path)
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
    events, report = read_events(
        [good, empty, truncated, ICEWS], source_format="gdelt2", rejects_dir=tmp_path
    )
    assert len(events) == 1 and report.read == 1
    errors = " | ".join(report.file_errors)
    assert "empty.export.CSV: empty file" in errors
    assert "broken.zip: not a readable zip file" in errors
    assert "icews_events_2018-06-01.tab: line 1 has 20 tab-separated fields; a gdelt2 file has 61" in errors


def test_zip_and_glob(tmp_path):
    with zipfile.ZipFile(tmp_path / "day.export.CSV.zip", "w") as archive:
        archive.writestr("day.export.CSV", "\n".join(gdelt2_line(i) for i in range(5)) + "\n")
    events, report = read_events(str(tmp_path / "*.zip"), source_format="gdelt2", rejects_dir=tmp_path)
    assert len(events) == 5 and report.read == 5
    with pytest.raises(IngestError, match="no file matches"):
        read_events(str(tmp_path / "*.nothing"), source_format="gdelt2")


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
    mapping = {**CSV_MAPPING, "date_format": "%d/%m/%Y"}
    events, report = read_events(path, source_format="csv", mapping=mapping, rejects_dir=tmp_path)
    assert events["event_id"].tolist() == ["a", "b"] and events["pair"].tolist() == ["AZE-RUS"] * 2
    assert (report.read, report.kept, report.rejected) == (3, 2, 1)
    toml = tmp_path / "mapping.toml"
    toml.write_text("\n".join(f'{k} = "{v}"' for k, v in mapping.items()), encoding="utf-8")
    from_toml, _ = read_events(path, source_format="csv", mapping=toml, rejects_dir=tmp_path)
    assert from_toml["event_id"].tolist() == ["a", "b"]
    with pytest.raises(IngestError, match="lacks goldstein"):
        read_events(path, source_format="csv", mapping={k: v for k, v in mapping.items() if k != "goldstein"})


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
    events, _ = read_events(
        write(tmp_path / "r.export.CSV", lines), source_format="gdelt2", rejects_dir=tmp_path
    )
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


ACLED_COLUMNS = [
    "event_id_cnty",
    "event_date",
    "year",
    "time_precision",
    "disorder_type",
    "event_type",
    "sub_event_type",
    "actor1",
    "assoc_actor_1",
    "inter1",
    "actor2",
    "assoc_actor_2",
    "inter2",
    "interaction",
    "civilian_targeting",
    "iso",
    "region",
    "country",
    "admin1",
    "admin2",
    "admin3",
    "location",
    "latitude",
    "longitude",
    "geo_precision",
    "source",
    "source_scale",
    "notes",
    "fatalities",
    "tags",
    "timestamp",
]


def acled_row(event_id: str, **values: str) -> dict[str, str]:
    """One ACLED export record (every published column), a Russian strike in Ukraine unless told otherwise."""
    row = dict.fromkeys(ACLED_COLUMNS, "")
    row.update(
        {
            "event_id_cnty": event_id,
            "event_date": "2024-12-25",
            "year": "2024",
            "time_precision": "1",
            "disorder_type": "Political violence",
            "event_type": "Explosions/Remote violence",
            "sub_event_type": "Air/drone strike",
            "actor1": "Military Forces of Russia (2000-)",
            "inter1": "8",
            "actor2": "Civilians (Ukraine)",
            "inter2": "7",
            "interaction": "78",
            "iso": "804",
            "region": "Europe",
            "country": "Ukraine",
            "admin1": "Kharkiv",
            "location": "Kharkiv",
            "latitude": "49.99",
            "longitude": "36.23",
            "source": 'Ukrinform; "Suspilne"',
            "notes": "On 25 December 2024, Russian drones hit Kharkiv, damaging homes.",
            "fatalities": "0",
            "timestamp": "1735500000",
        }
    )
    row.update(values)
    return row


def test_acled_export_pairs_codes_and_precision(tmp_path):
    rows = [
        acled_row("UKR1"),
        acled_row(
            "AZE1",
            event_type="Battles",
            sub_event_type="Armed clash",
            actor1="Military Forces of Azerbaijan (2003-)",
            actor2="Military Forces of Armenia (2018-)",
            iso="31",
            country="Azerbaijan",
        ),
        acled_row(
            "AZE2",
            event_type="Protests",
            sub_event_type="Peaceful protest",
            actor1="Protesters (Azerbaijan)",
            actor2="",
            iso="31",
        ),
        acled_row("RUS1", event_type="Strategic developments", sub_event_type="Change to group/activity"),
        acled_row("UKR2", event_date="15 December 2024", time_precision="3"),
        acled_row("UKR3", event_date="2024-13-01"),
        acled_row("UKR4", sub_event_type="Teleportation"),
        acled_row("XXX1", iso="999", actor1="Rebels", actor2="Civilians"),
        acled_row(
            "KAZ1",
            event_type="Strategic developments",
            sub_event_type="Arrests",
            actor1="Police Forces of Kazakhstan (2019-)",
            actor2="Civilians (Russia)",
            iso="398",
        ),
        acled_row("UKR5", actor1="Wagner Group"),  # no state named: placed in Ukraine, like its target
    ]
    path = tmp_path / "acled.csv"
    pd.DataFrame(rows, columns=ACLED_COLUMNS).to_csv(path, index=False)
    events, report = read_events(path, source_format="acled", rejects_dir=tmp_path)
    assert (report.read, report.kept, report.filtered, report.rejected) == (10, 4, 3, 3)
    by_id = events.set_index("event_id")
    assert by_id.loc["acled:UKR1", ["actor", "target", "cameo_code", "goldstein"]].tolist() == [
        "RUS",
        "UKR",
        "195",
        -10.0,
    ]
    assert by_id.loc["acled:AZE1", "pair"] == "ARM-AZE" and by_id.loc["acled:AZE1", "cameo_code"] == "190"
    assert by_id.loc["acled:KAZ1", ["actor", "target", "cameo_code"]].tolist() == ["KAZ", "RUS", "173"]
    month = by_id.loc["acled:UKR2"]
    assert (month["date"], month["date_precision"]) == (pd.Timestamp("2024-12-01"), "month")
    assert "ACLED date 15 December 2024" in month["date_note"]
    assert report.reasons["filtered: not a country pair"] == 1  # the protest has no second actor
    assert report.reasons["filtered: domestic (same country on both sides)"] == 1  # Wagner Group in Ukraine
    assert report.reasons["filtered: ACLED sub-event type without a CAMEO equivalent"] == 1
    rejects = pd.read_csv(report.rejects_path)
    reasons = dict(zip(rejects["line"], rejects["reason"], strict=True))
    assert reasons == {
        7: "invalid date",
        8: "unknown ACLED event type Explosions/Remote violence / Teleportation",
        9: "unknown country code iso:999",
    }
    assert (
        "Ukrinform" in by_id.loc["acled:UKR1", "notes"] and "Kharkiv" in by_id.loc["acled:UKR1", "location"]
    )


def test_gdelt1_short_lines_icews_na_and_bad_bytes_are_rejected_with_their_lines(tmp_path):
    sample = GDELT1.read_text(encoding="utf-8").splitlines()
    lines = [*sample[:3], "\t".join(["9"] * 30), sample[3], "", sample[4]]
    events, report = read_events(
        write(tmp_path / "g1.tsv", lines), source_format="gdelt1", rejects_dir=tmp_path
    )
    assert report.read == 6 and report.rejected == 1  # the blank line is not a record
    rejects = pd.read_csv(report.rejects_path)
    assert rejects[["line", "reason"]].values.tolist() == [[4, "wrong number of fields (30)"]]

    icews = ICEWS.read_text(encoding="utf-8").splitlines()
    broken = icews[2].split("\t")
    broken[7] = "NA"  # Intensity
    bad_bytes = icews[4].encode("utf-8") + b"\xff\xfe"
    path = tmp_path / "day.tab"
    path.write_bytes(
        "\n".join([*icews[:2], "\t".join(broken), icews[3]]).encode() + b"\n" + bad_bytes + b"\n"
    )
    events, report = read_events(path, source_format="icews", rejects_dir=tmp_path)
    assert report.read == 4 == report.kept + report.filtered + report.rejected and report.rejected == 2
    rejects = pd.read_csv(report.rejects_path).set_index("line")["reason"].to_dict()
    assert rejects == {3: "non-numeric Goldstein", 5: "malformed record: invalid encoding"}


def test_malformed_csv_record_and_wrong_format_files(tmp_path):
    path = tmp_path / "mine.csv"
    path.write_text(
        'id,when,from,to,code,weight\na,2024-12-25,RUS,AZE,190,-10\nb,2024-12-26,"RUS,AZE,112,-2\n'
        "c,2024-12-27,AZE,RUS,112,-2,extra\nd,2024-12-28,AZE,XX,112,-2\ne,2024-13-28,AZE,RUS,112,-2\n",
        encoding="utf-8",
    )
    mapping = CSV_MAPPING
    events, report = read_events(path, source_format="csv", mapping=mapping, rejects_dir=tmp_path)
    assert report.read == report.kept + report.filtered + report.rejected
    assert events["event_id"].tolist() == ["a"] and (report.read, report.rejected) == (5, 4)
    rejects = pd.read_csv(report.rejects_path).set_index("line")["reason"].to_dict()
    assert rejects == {
        3: "malformed record: unquoted value",  # the stray quote: this record only; the lines after read again
        4: "wrong number of fields (7)",
        5: "unknown country code XX",
        6: "invalid date",
    }
    # a GDELT file read as ACLED, an ACLED file read as GDELT: a clear error each, the other files still read
    acled = tmp_path / "acled.csv"
    pd.DataFrame([acled_row("UKR1")], columns=ACLED_COLUMNS).to_csv(acled, index=False)
    events, report = read_events([GDELT1, acled], source_format="acled", rejects_dir=tmp_path)
    assert (
        report.kept == 1
        and "gdelt1_events_sample.tsv: line 1 lacks the ACLED column(s)" in report.file_errors[0]
    )
    _, report = read_events(acled, source_format="gdelt1", rejects_dir=tmp_path)
    assert (
        report.read == 0
        and "line 1 has 1 tab-separated fields; a gdelt1 file has 57 or 58" in report.file_errors[0]
    )


def test_several_files_in_one_pass_keep_their_own_line_numbers(tmp_path):
    first = write(
        tmp_path / "a.export.CSV", [gdelt2_line(1), gdelt2_line(2, date="20221301"), gdelt2_line(3)]
    )
    second = write(
        tmp_path / "b.export.CSV", [gdelt2_line(4, goldstein="x"), "\t".join(["5"] * 9), gdelt2_line(6)]
    )
    with zipfile.ZipFile(tmp_path / "c.export.CSV.zip", "w") as archive:
        archive.writestr("c.export.CSV", "\n".join([gdelt2_line(7), gdelt2_line(8, a1="XQZ")]) + "\n")
    events, report = read_events(
        str(tmp_path / "*.export.CSV*"), source_format="gdelt2", rejects_dir=tmp_path
    )
    assert events["event_id"].tolist() == ["gdelt:1", "gdelt:3", "gdelt:6", "gdelt:7"]
    assert (report.read, report.kept, report.rejected) == (8, 4, 4)
    rejects = pd.read_csv(report.rejects_path)
    assert rejects[["file", "line", "reason"]].values.tolist() == [
        [str(first), 2, "invalid date"],
        [str(second), 1, "non-numeric Goldstein"],
        [str(second), 2, "wrong number of fields (9)"],
        [f"{tmp_path / 'c.export.CSV.zip'}!c.export.CSV", 2, "unknown country code XQZ"],
    ]


def test_hostile_inputs_are_reported_and_never_stop_the_run(tmp_path):
    good = write(tmp_path / "good.export.CSV", [gdelt2_line(1)])
    stray_cr = tmp_path / "cr.export.CSV"  # \n line ends, one line ending \r\n: DuckDB cannot parse it
    stray_cr.write_bytes((gdelt2_line(2) + "\n" + gdelt2_line(3) + "\r\n" + gdelt2_line(4) + "\n").encode())
    folder = tmp_path / "sub.export.CSV"
    folder.mkdir()
    with zipfile.ZipFile(tmp_path / "deflated.zip", "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("x.export.CSV", "\n".join(gdelt2_line(i) for i in range(100, 400)))
    damaged = bytearray((tmp_path / "deflated.zip").read_bytes())
    damaged[300:302] = b"\xff\xff"
    (tmp_path / "damaged.zip").write_bytes(bytes(damaged))
    brackets = write(tmp_path / "events [copy].export.CSV", [gdelt2_line(5)])
    gz = tmp_path / "day.export.CSV.gz"
    gz.write_bytes(gzip.compress((gdelt2_line(6) + "\n").encode()))
    files = [good, stray_cr, folder, tmp_path / "damaged.zip", brackets, good, str(tmp_path / "*.none"), gz]
    events, report = read_events(files, source_format="gdelt2", rejects_dir=tmp_path)
    assert {"gdelt:1", "gdelt:5", "gdelt:6"} <= set(events["event_id"])
    assert report.read == report.kept + report.filtered + report.rejected
    errors = " | ".join(report.file_errors)
    for expected in (
        "cr.export.CSV: reading stopped with an error",
        "sub.export.CSV: a folder, not a file",
        "damaged.zip: not a readable zip file",
        "good.export.CSV: named more than once; read once",
        "*.none: no file matches this pattern",
    ):
        assert expected in errors, errors
    assert events["event_id"].tolist().count("gdelt:1") == 1


def test_duplicate_ids_bad_values_and_bom(tmp_path):
    lines = [
        gdelt2_line(1),
        gdelt2_line(1, goldstein="x"),  # same id as the valid line 1: only this line is listed
        gdelt2_line(2, goldstein="55"),
        gdelt2_line(3, goldstein="nan"),
        gdelt2_line(4, date="2024125"),
        gdelt2_line(5, code="000"),
        gdelt2_line(6, SOURCEURL="u" * 3_000_000),  # longer than DuckDB's default line limit
        gdelt2_line(7),
    ]
    path = tmp_path / "bom.export.CSV"
    path.write_bytes(b"\xef\xbb\xbf" + "\n".join(lines).encode() + b"\n")
    events, report = read_events(path, source_format="gdelt2", rejects_dir=tmp_path)
    assert events["event_id"].tolist() == ["gdelt:1", "gdelt:7"] and not report.file_errors
    rejects = pd.read_csv(report.rejects_path).set_index("line")["reason"].to_dict()
    assert rejects == {
        2: "non-numeric Goldstein",
        3: "Goldstein outside -10..10",
        4: "Goldstein outside -10..10",
        5: "invalid date",
        6: "invalid CAMEO code",
        7: "malformed record: line size over maximum",
    }
    icews = tmp_path / "bom.tab"
    icews.write_bytes(b"\xef\xbb\xbf" + ICEWS.read_bytes())
    _, report = read_events(icews, source_format="icews", rejects_dir=tmp_path)
    assert report.read == 2359 and not report.file_errors


def test_filters_are_normalised_or_refused(tmp_path):
    path = write(tmp_path / "f.export.CSV", [gdelt2_line(1), gdelt2_line(2, a1="KAZ", a2="UZB")])
    events, _ = read_events(
        path, source_format="gdelt2", countries=["rus"], pairs=["RUS-AZE"], root_codes=["19"]
    )
    assert events["event_id"].tolist() == ["gdelt:1"]
    with pytest.raises(ValueError, match="CAMEO root codes are 01..20"):
        read_events(path, source_format="gdelt2", root_codes=["190"])
    with pytest.raises(ValueError, match="alpha-3"):
        read_events(path, source_format="gdelt2", countries=["Russia"])


def test_csv_confidence_must_be_one_of_ours(tmp_path):
    path = tmp_path / "conf.csv"
    pd.DataFrame(
        {
            "id": ["a", "b", "c"],
            "when": ["2024-12-25"] * 3,
            "from": ["RUS"] * 3,
            "to": ["AZE"] * 3,
            "code": ["190"] * 3,
            "weight": ["-10"] * 3,
            "how_sure": ["Confirmed", "maybe", ""],
        }
    ).to_csv(path, index=False)
    mapping = {**CSV_MAPPING, "confidence": "how_sure"}
    events, report = read_events(path, source_format="csv", mapping=mapping, rejects_dir=tmp_path)
    assert events.set_index("event_id")["confidence"].to_dict() == {"a": "confirmed", "c": "reported"}
    assert pd.read_csv(report.rejects_path)[["line", "reason"]].values.tolist() == [
        [3, "unknown confidence maybe"]
    ]


@pytest.mark.parametrize(
    "date", ["2024122", " 2024122", "2024122 ", "20241225x", "2024-1-1", "2024 1 1", "2024é01"]
)
def test_a_gdelt_date_is_eight_digits_exactly(tmp_path, date):
    path = write(tmp_path / "dates.export.CSV", [gdelt2_line(1), gdelt2_line(2, date=date)])
    events, report = read_events(path, source_format="gdelt2", rejects_dir=tmp_path)
    assert (report.kept, report.rejected) == (1, 1)
    assert report.reasons == {"rejected: invalid date": 1}
