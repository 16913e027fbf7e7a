"""The dashboard driven without a browser: controls change the views, clicks explain the right events."""

from __future__ import annotations

import pandas as pd
import pytest

import tensions
from tensions.widgets import Dashboard, dashboard


@pytest.fixture(scope="module")
def board() -> Dashboard:
    return dashboard(pairs=["AZE-RUS", "KAZ-RUS"])


def _lines(board: Dashboard) -> dict[str, object]:
    return {t.name: t for t in board.tension.data if t.mode == "lines" and t.name}


def test_opens_with_the_chosen_pairs_and_a_table(board):
    assert set(_lines(board)) >= {"AZE-RUS", "KAZ-RUS"}
    assert "EV-0032" in board.table.value  # the downing of AZAL 8243 is listed
    assert len(board.timeline.data) > 0


def test_half_life_moves_the_lines_without_rebuilding(board):
    before = _lines(board)["AZE-RUS"].y
    n_traces = len(board.tension.data)
    board.controls["half_life"].value = 90
    after = _lines(board)["AZE-RUS"].y
    assert len(board.tension.data) == n_traces
    assert max(after) > max(before)  # a longer memory keeps more pressure at the peak
    board.controls["half_life"].value = 30


def test_filters_change_the_views_and_table(board):
    board.controls["pairs"].value = ("AZE-RUS",)
    assert set(_lines(board)) == {"AZE-RUS"}
    board.controls["confidence"].value = "confirmed"
    assert set(board.selection["confidence"]) == {"confirmed"}
    assert "EV-0053" not in board.table.value  # an alleged event leaves the table
    board.controls["quads"].value = (1, 2)
    assert set(board.selection["quad_class"]) <= {1, 2}
    board.controls["quads"].value = (1, 2, 3, 4)
    board.controls["confidence"].value = "alleged"
    board.controls["method"].value = "cumulative"
    assert "cumulative" in set(board.scores.columns)
    board.controls["method"].value = "gdelt"
    assert "mean_goldstein" in set(board.scores.columns)
    board.controls["method"].value = "index"
    board.controls["pairs"].value = ("AZE-RUS", "KAZ-RUS")


def test_weights_table_changes_scores(board):
    before = board.scores.copy()
    board.controls["goldstein"].value = "Phoenix"
    assert not board.scores["pressure"].equals(before["pressure"])
    board.controls["goldstein"].value = "events' own weights"


def test_click_on_tension_line_explains_that_point(board):
    breakdown = board.on_tension_click("AZE-RUS", "2024-12-27")
    row = board.scores[(board.scores["pair"] == "AZE-RUS") & (board.scores["date"] == "2024-12-27")]
    assert breakdown["contribution"].sum() == pytest.approx(row["pressure"].item(), abs=1e-9)
    assert breakdown["event_id"].iloc[0] == "EV-0032"
    assert "AZE-RUS on 2024-12-27" in board.detail.value


def test_click_on_event_shows_source_and_evidence(board):
    event = board.on_event_click("EV-0032")
    assert event["cameo_code"] == "190"
    assert "Pantsir-S1" in board.detail.value and "INSS" in board.detail.value


def test_export_button_writes_the_view(board, tmp_path):
    board.export_dir = tmp_path
    written = board.export_view(formats=("html",))
    assert {p.name for p in written} == {
        "dashboard-scores.html",
        "dashboard-scores.csv",
        "dashboard-timeline.html",
        "dashboard-timeline.csv",
    }
    assert "dashboard-scores.html" in board.export_output.value


def test_opens_on_any_events_table():
    events = tensions.load_events()
    other = events[events["pair"].isin(["AZE-RUS", "RUS-UZB"])].reset_index(drop=True)
    board = Dashboard(other)
    assert set(board.controls["pairs"].options) == {"AZE-RUS", "RUS-UZB"}
    with pytest.raises(ValueError, match="at least one event"):
        Dashboard(other.iloc[:0])
    assert isinstance(board.selection, pd.DataFrame)
