"""The real curated dataset: it validates, covers what the articles state, and its quotes are real."""

from __future__ import annotations

import pandas as pd
import pytest

import tensions
from tensions import paths
from tensions.schema import EVENT_FIELDS, MAX_EVIDENCE_WORDS

SEEDS = paths.ROOT.parent / "shared" / "seeds"


@pytest.fixture(scope="module")
def dataset() -> dict[str, pd.DataFrame]:
    return tensions.load_dataset()


def test_real_dataset_validates_with_expected_shape(dataset):
    events = dataset["events"]
    assert 50 <= len(events) <= 90
    assert list(events.columns[: len(EVENT_FIELDS)]) == [f.name for f in EVENT_FIELDS]
    assert events["event_id"].is_unique
    assert len(dataset["sources"]) == 5
    assert set(events["source_ids"].str.split(";").explode()) == set(dataset["sources"]["source_id"])


def test_every_source_and_the_three_crises_are_covered(dataset):
    events = dataset["events"]
    eras = dataset["eras"].set_index("era_id")
    for era in ("kazakhstan-jan-2022", "azal-8243", "yekaterinburg-2025"):
        start, end = eras.loc[era, ["start", "end"]]
        assert ((events["date"] >= start) & (events["date"] <= end)).sum() >= 3, era
    assert (events["date"] == "2024-12-25").sum() >= 1  # the downing of AZAL 8243
    assert events["date"].min() < pd.Timestamp("1991-01-01")  # background: January 1990 in Baku


def test_corrected_dates_are_documented(dataset):
    notes = dataset["events"]["date_note"].dropna()
    assert notes.str.contains("2020").any(), "the 'January 2020' unrest (January 2022) must be noted"
    source_notes = dataset["sources"]["notes"].dropna()
    assert source_notes.str.contains("January 2024").any(), (
        "the 'January 2024' mistake (January 2025) is noted"
    )
    imprecise = dataset["events"][dataset["events"]["date_precision"] != "day"]
    assert imprecise["date_note"].notna().all(), "every month/year-precision date says why in date_note"


def test_evidence_quotes_are_short(dataset):
    words = dataset["events"]["evidence"].dropna().str.split().str.len()
    assert words.max() <= MAX_EVIDENCE_WORDS


@pytest.mark.skipif(not SEEDS.exists(), reason="the source articles are not distributed with the workbook")
def test_evidence_quotes_are_verbatim_from_their_first_source(dataset):
    files = dataset["sources"].set_index("source_id")["file"]
    texts = {sid: " ".join((SEEDS / name).read_text(encoding="utf-8").split()) for sid, name in files.items()}
    missing = []
    for row in dataset["events"].dropna(subset=["evidence"]).itertuples():
        first = row.source_ids.split(";")[0]
        if " ".join(row.evidence.split()) not in texts[first]:
            missing.append(row.event_id)
    assert not missing, f"evidence not found verbatim in the first source: {missing}"


def test_pair_counts_and_coordinates(dataset):
    events = dataset["events"]
    assert events["pair"].value_counts().index[0] == "AZE-RUS"
    located = events.dropna(subset=["latitude"])
    assert located["longitude"].notna().all()
    assert len(located) >= 0.8 * len(events)
