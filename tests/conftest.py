"""Shared fixtures: a tiny valid dataset written to a temporary folder, and event frames for scoring."""

from __future__ import annotations

import csv
import os
import tempfile
from pathlib import Path

import pandas as pd
import pytest

from tensions.schema import COUNTRY_FIELDS, EVENT_FIELDS, SOURCE_FIELDS

# The analyst's own events never leak into the tests (nor the tests' into them): an empty workspace.
os.environ["TENSIONS_WORKSPACE_DIR"] = tempfile.mkdtemp(prefix="tensions-workspace-")

MINI_COUNTRIES = [
    {
        "iso3": "RUS",
        "name": "Russia",
        "capital": "Moscow",
        "capital_lat": "55.7558",
        "capital_lon": "37.6173",
        "memberships": "CSTO;EAEU;CIS;SCO",
        "notes": "",
    },
    {
        "iso3": "AZE",
        "name": "Azerbaijan",
        "capital": "Baku",
        "capital_lat": "40.4093",
        "capital_lon": "49.8671",
        "memberships": "CIS;OTS",
        "notes": "",
    },
    {
        "iso3": "KAZ",
        "name": "Kazakhstan",
        "capital": "Astana",
        "capital_lat": "51.1694",
        "capital_lon": "71.4491",
        "memberships": "CSTO;EAEU;CIS;OTS;SCO",
        "notes": "",
    },
]
MINI_SOURCES = [
    {
        "source_id": "S001",
        "file": "001.txt",
        "title": "An article",
        "publisher": "A publisher",
        "author": "",
        "published": "2025-03-25",
        "url": "",
        "notes": "",
    },
]
MINI_EVENTS = [
    {
        "event_id": "EV-0001",
        "date": "2024-12-25",
        "date_precision": "day",
        "end_date": "",
        "actor": "RUS",
        "target": "AZE",
        "actor_detail": "Russian air defence",
        "target_detail": "Azerbaijan Airlines",
        "cameo_code": "190",
        "quad_class": "4",
        "goldstein": "-10.0",
        "goldstein_note": "",
        "title": "Airliner shot down",
        "description": "A test event, with a comma.",
        "themes": "aviation;security",
        "location": "Aktau, Kazakhstan",
        "latitude": "43.65",
        "longitude": "51.17",
        "confidence": "confirmed",
        "source_ids": "S001",
        "evidence": "a short quote",
        "date_note": "",
        "group_id": "",
        "notes": "",
    },
    {
        "event_id": "EV-0002",
        "date": "2025-02-01",
        "date_precision": "month",
        "end_date": "2025-02-28",
        "actor": "AZE",
        "target": "RUS",
        "actor_detail": "",
        "target_detail": "",
        "cameo_code": "1246",
        "quad_class": "3",
        "goldstein": "-4.0",
        "goldstein_note": "",
        "title": "Cultural centre closed",
        "description": "Another test event.",
        "themes": "culture",
        "location": "",
        "latitude": "",
        "longitude": "",
        "confidence": "reported",
        "source_ids": "S001",
        "evidence": "",
        "date_note": "month only",
        "group_id": "",
        "notes": "",
    },
]


def write_csv(path: Path, fields, rows: list[dict[str, str]]) -> Path:
    """Write rows as CSV with the columns of ``fields`` (or a list of column names) in order."""
    names = [f if isinstance(f, str) else f.name for f in fields]
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=names, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)
    return path


@pytest.fixture
def mini_dataset(tmp_path: Path) -> dict[str, Path]:
    """A valid three-country, one-source, two-event dataset on disk."""
    return {
        "countries": write_csv(tmp_path / "countries.csv", COUNTRY_FIELDS, MINI_COUNTRIES),
        "sources": write_csv(tmp_path / "sources.csv", SOURCE_FIELDS, MINI_SOURCES),
        "events": write_csv(tmp_path / "events.csv", EVENT_FIELDS, MINI_EVENTS),
    }


def make_events(rows: list[tuple]) -> pd.DataFrame:
    """Events frame for scoring from (event_id, date, actor, target, goldstein, confidence[, precision])."""
    records = []
    for row in rows:
        event_id, day, actor, target, goldstein, confidence, *rest = row
        records.append(
            {
                "event_id": event_id,
                "date": pd.Timestamp(day),
                "actor": actor,
                "target": target,
                "goldstein": float(goldstein),
                "confidence": confidence,
                "date_precision": rest[0] if rest else "day",
                "end_date": pd.NaT,
                "title": f"event {event_id}",
                "cameo_code": "190",
            }
        )
    return pd.DataFrame(records)
