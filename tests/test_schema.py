"""Each kind of bad row in a curated file produces a clear error naming file, line, column and reason."""

from __future__ import annotations

import copy
from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from tensions.data import DatasetError, load_countries, load_eras, load_events, load_sources
from tensions.schema import ERA_FIELDS, EVENT_FIELDS, data_dictionary, render_data_dictionary_markdown

from conftest import MINI_COUNTRIES, MINI_EVENTS, write_csv

TODAY = date(2026, 1, 1)


def _load(ds: dict[str, Path]) -> pd.DataFrame:
    countries = load_countries(ds["countries"])
    sources = load_sources(ds["sources"])
    return load_events(ds["events"], countries=countries, sources=sources, today=TODAY)


def _with_event_change(ds: dict[str, Path], row: int, **changes: str) -> dict[str, Path]:
    rows = copy.deepcopy(MINI_EVENTS)
    rows[row].update(changes)
    write_csv(ds["events"], EVENT_FIELDS, rows)
    return ds


def test_valid_mini_dataset_loads_with_types(mini_dataset):
    events = _load(mini_dataset)
    assert len(events) == 2
    assert str(events["date"].dtype).startswith("datetime64")
    assert events["goldstein"].dtype == "float64"
    assert events["quad_class"].dtype == "int64"
    assert events["cameo_code"].tolist() == ["190", "1246"]
    assert events["pair"].tolist() == ["AZE-RUS", "AZE-RUS"]
    assert events["end_date"].isna().tolist() == [True, False]


@pytest.mark.parametrize(
    ("row", "changes", "column", "reason"),
    [
        (0, {"date": "2024-13-01"}, "date", "is not a calendar date"),
        (0, {"date": "25/12/2024"}, "date", "must be an ISO date"),
        (0, {"date_precision": "week"}, "date_precision", "must be one of day, month, year"),
        (1, {"date": "2025-02-15"}, "date", "month precision: the date must be the 1st"),
        (0, {"actor": "XYZ"}, "actor", "country code is not in countries.csv"),
        (0, {"actor": "Russia"}, "actor", "must be an ISO 3166 alpha-3 code"),
        (0, {"target": "RUS"}, "target", "target is the same country as actor"),
        (0, {"cameo_code": "999"}, "cameo_code", "is not a CAMEO code of the reference table"),
        (0, {"quad_class": "2"}, "quad_class", "CAMEO root 19 belongs to quad class 4"),
        (0, {"goldstein": "-7.0"}, "goldstein", "differs from the GDELT weight -10.0"),
        (0, {"goldstein": "-12"}, "goldstein", "must lie in [-10, 10]"),
        (0, {"goldstein": "high"}, "goldstein", "must be a number"),
        (0, {"title": "x" * 81}, "title", "must be 1 to 80 characters"),
        (0, {"title": ""}, "title", "is required but empty"),
        (0, {"themes": "aviation;gossip"}, "themes", "has a theme outside the vocabulary"),
        (0, {"confidence": "maybe"}, "confidence", "must be one of confirmed, reported, alleged"),
        (0, {"source_ids": "S009"}, "source_ids", "source S009 is not in sources.csv"),
        (0, {"source_ids": "article one"}, "source_ids", "must be ;-separated source ids"),
        (0, {"latitude": "123"}, "latitude", "must be a number in [-90, 90]"),
        (0, {"evidence": " ".join(["word"] * 25)}, "evidence", "quote is longer than"),
        (0, {"event_id": "EV-0002"}, "event_id", "duplicate id"),
        (0, {"event_id": "event 1"}, "event_id", "must look like EV-0001"),
        (1, {"end_date": "2025-01-01"}, "end_date", "is before date"),
        (0, {"date": "2026-06-01"}, "date", "lies in the future"),
        (0, {"group_id": "group"}, "group_id", "must look like GR-01"),
    ],
)
def test_bad_event_row_names_file_line_column_and_reason(mini_dataset, row, changes, column, reason):
    ds = _with_event_change(mini_dataset, row, **changes)
    with pytest.raises(DatasetError) as info:
        _load(ds)
    problems = info.value.problems
    matching = [p for p in problems if p.column == column and reason in p.reason]
    assert matching, f"no problem on {column!r} with {reason!r}: {problems}"
    bad_line = 2 + row if row == 0 or changes.get("event_id") != "EV-0002" else 2
    assert matching[0].file == "events.csv"
    assert matching[0].line == (3 if column == "event_id" and "duplicate" in reason else bad_line)
    message = str(info.value)
    assert "events.csv, line" in message and column in message


def test_goldstein_override_with_note_is_accepted(mini_dataset):
    ds = _with_event_change(mini_dataset, 0, goldstein="-9.5", goldstein_note="analyst judgement: shoot-down")
    assert _load(ds)["goldstein"].iloc[0] == -9.5


def test_multi_line_quoted_field_keeps_true_line_numbers(mini_dataset):
    rows = copy.deepcopy(MINI_EVENTS)
    rows[0]["description"] = "First line.\nSecond line of the same field."
    rows[1]["themes"] = "nonsense"
    write_csv(mini_dataset["events"], EVENT_FIELDS, rows)
    with pytest.raises(DatasetError) as info:
        _load(mini_dataset)
    (problem,) = info.value.problems
    assert problem.column == "themes"
    assert problem.line == 4  # header 1, first record spans lines 2-3


def test_wrong_field_count_is_reported_not_dropped(mini_dataset):
    text = mini_dataset["events"].read_text(encoding="utf-8").splitlines()
    text[2] = text[2] + ",extra"
    mini_dataset["events"].write_text("\n".join(text) + "\n", encoding="utf-8")
    with pytest.raises(DatasetError, match=r"events.csv, line 3.*record has 25 fields but the header has 24"):
        _load(mini_dataset)


def test_missing_and_misordered_columns(mini_dataset):
    names = [f.name for f in EVENT_FIELDS]
    write_csv(mini_dataset["events"], [n for n in names if n != "evidence"], MINI_EVENTS)
    with pytest.raises(DatasetError, match="column 'evidence': required column is missing"):
        _load(mini_dataset)
    swapped = names.copy()
    swapped[0], swapped[1] = swapped[1], swapped[0]
    write_csv(mini_dataset["events"], swapped, MINI_EVENTS)
    with pytest.raises(DatasetError, match="columns must come in this order"):
        _load(mini_dataset)


def test_empty_file_is_a_clear_error(mini_dataset):
    mini_dataset["events"].write_text("", encoding="utf-8")
    with pytest.raises(DatasetError, match="file is empty"):
        _load(mini_dataset)


def test_all_problems_are_reported_at_once(mini_dataset):
    rows = copy.deepcopy(MINI_EVENTS)
    rows[0]["confidence"] = "maybe"
    rows[1]["themes"] = "gossip"
    write_csv(mini_dataset["events"], EVENT_FIELDS, rows)
    with pytest.raises(DatasetError) as info:
        _load(mini_dataset)
    assert {(p.line, p.column) for p in info.value.problems} == {(2, "confidence"), (3, "themes")}


def test_country_codes_must_exist_in_iso_3166(mini_dataset):
    rows = copy.deepcopy(MINI_COUNTRIES)
    rows[0]["iso3"] = "RUX"
    write_csv(
        mini_dataset["countries"],
        [f for f in ("iso3", "name", "capital", "capital_lat", "capital_lon", "memberships", "notes")],
        rows,
    )
    with pytest.raises(DatasetError, match=r"countries.csv, line 2, column 'iso3': is not an ISO 3166"):
        load_countries(mini_dataset["countries"])


def test_bad_era_pairs_and_dates(tmp_path, mini_dataset):
    countries = load_countries(mini_dataset["countries"])
    era = {
        "era_id": "azal",
        "name": "AZAL",
        "start": "2025-01-10",
        "end": "2024-12-25",
        "description": "x",
        "pairs": "RUS-AZE",
    }
    path = write_csv(tmp_path / "eras.csv", ERA_FIELDS, [era])
    with pytest.raises(DatasetError) as info:
        load_eras(path, countries=countries)
    reasons = {p.column: p.reason for p in info.value.problems}
    assert reasons["end"] == "is before start"
    assert "alphabetical order" in reasons["pairs"]


def test_data_dictionary_covers_every_event_column():
    dd = data_dictionary()
    assert dd.loc[dd["table"] == "events", "column"].tolist() == [f.name for f in EVENT_FIELDS]
    assert dd["description"].str.len().min() > 10
    markdown = render_data_dictionary_markdown()
    assert "| `cameo_code` | string | yes |" in markdown
