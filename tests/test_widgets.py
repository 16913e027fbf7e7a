"""The dashboard driven without a browser: controls change the views, clicks explain the right events."""

from __future__ import annotations

import html
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from ipywidgets import TagsInput, ToggleButton
from traitlets import TraitError

import tensions
from tensions.charts.style import QUAD_NAMES
from tensions.widgets import Dashboard, dashboard, iso_days

PAIRS = ["AZE-RUS", "KAZ-RUS"]


@pytest.fixture(scope="module")
def dataset() -> dict[str, pd.DataFrame]:
    return tensions.load_dataset()


@pytest.fixture(scope="module")
def downing(dataset) -> pd.Series:
    """The downing of AZAL 8243 (25 December 2024), the event behind the sharpest AZE-RUS spike."""
    ev = dataset["events"]
    found = ev[(ev["date"] == "2024-12-25") & (ev["cameo_code"] == "190") & (ev["pair"] == "AZE-RUS")]
    assert len(found) == 1
    return found.iloc[0]


@pytest.fixture
def board(dataset) -> Dashboard:
    return Dashboard(dataset["events"], eras=dataset["eras"], sources=dataset["sources"], pairs=PAIRS)


def _lines(board: Dashboard) -> dict[str, object]:
    return {t.name: t for t in board.tension.data if t.mode in ("lines", "lines+markers") and t.name}


def _markers(board: Dashboard) -> list:
    return [t for t in board.timeline.data if t.mode == "markers" and t.customdata is not None]


def _click(fig, trace_index: int, point_index: int) -> None:
    """Send the message the browser sends when a point is clicked."""
    trace = fig.data[trace_index]
    fig._handler_js2py_pointsCallback(
        {
            "new": {
                "event_type": "plotly_click",
                "points": {
                    "xs": [trace.x[point_index]],
                    "ys": [trace.y[point_index]],
                    "point_indexes": [point_index],
                    "trace_indexes": [trace_index],
                },
            }
        }
    )


def _uids(fig) -> list[str]:
    return [t.uid for t in fig.data]


def test_opens_with_the_chosen_pairs_the_window_and_a_table(board, dataset, downing):
    assert set(_lines(board)) == set(PAIRS)
    start, end = board.window
    assert board.tension.layout.xaxis.range == (f"{start:%Y-%m-%d}", f"{end:%Y-%m-%d}")
    line = _lines(board)["AZE-RUS"]
    assert line.x[0] == f"{start:%Y-%m-%d}" and line.x[-1] == f"{end:%Y-%m-%d}"  # ISO days, not nanoseconds
    eras = dataset["eras"]
    mine = eras[eras["pairs"].str.split(";").map(lambda p: bool(set(p) & set(PAIRS)))]
    assert len(mine) >= 3 and (mine["start"] >= start).all() and (mine["end"] <= end).all()  # every era
    assert start == pd.Timestamp("2022-01-01")  # the Kazakhstan crisis included
    assert downing["event_id"] in board.table.value  # the downing of AZAL 8243 is listed
    timeline_ids = {row[-1] for t in _markers(board) for row in t.customdata}
    assert timeline_ids == set(board.context["event_id"])
    assert "pass the filters" in board.status.value
    options = [value for _, value in board.controls["dates"].options]
    board.controls["dates"].index = (options.index(pd.Timestamp("2024-01-01")), len(options) - 1)
    early = board.context[board.context["date"] < "2024-01-01"]
    assert len(early) and not any(e in board.table.value for e in early["event_id"])  # earlier ones are not
    assert board.timeline.layout.xaxis.range[0] == "2023-12-22"  # the time axis zooms to the window


def test_display_bundle_names_the_views_without_printing_their_figures(board):
    bundle = board._repr_mimebundle_()
    assert bundle["application/vnd.jupyter.widget-view+json"]["model_id"] == board.widget.model_id
    assert repr(board.tension).startswith(f"FigureView({len(board.tension.data)} traces: scatter, ")
    assert len(repr(board.timeline)) < 200 and "customdata" not in repr(board.widget)


def test_pair_picker_is_searchable_and_refuses_unknown_pairs(board):
    picker = board.controls["pairs"]
    assert isinstance(picker, TagsInput) and not picker.allow_duplicates
    assert set(picker.allowed_tags) == set(board.events["pair"].astype(str))
    with pytest.raises(ValueError, match="closest: AZE-RUS"):
        dashboard(board.events, pairs=["AZE-RUSS"])
    with pytest.raises(TraitError, match="unknown pair 'AZE-RUSS'; did you mean 'AZE-RUS'"):
        picker.value = ["AZE-RUSS"]


def test_theme_picker_is_searchable_and_refuses_misspelt_themes(board, dataset):
    picker = board.controls["themes"]
    assert type(picker).__name__ == "NamePicker" and isinstance(picker, TagsInput)
    carried = {t for s in dataset["events"]["themes"].dropna() for t in s.split(";") if t}
    assert set(picker.allowed_tags) == carried and picker.value == []  # none chosen: every event
    assert board.state.settings.themes is None and len(board.selection) == len(board.context)
    with pytest.raises(TraitError, match="did you mean 'aviation'"):
        picker.value = ["aviaton"]
    with pytest.raises(ValueError, match="unknown theme 'energi'; did you mean 'energy'"):
        dashboard(board.events, pairs=PAIRS, themes=["energi"])
    opened = dashboard(board.events, pairs=PAIRS, themes=["energy"])
    assert opened.state.settings.themes == ("energy",)
    assert opened.selection["themes"].str.contains("energy").all() and len(opened.selection)
    picker.value = ["energy", "trade"]
    assert set(board.selection["event_id"]) == set(
        board.context.loc[board.context["themes"].str.contains("energy|trade"), "event_id"]
    )
    picker.value = []
    assert len(board.selection) == len(board.context)


def test_half_life_moves_the_lines_without_rebuilding(board):
    uids, before = _uids(board.tension), np.array(_lines(board)["AZE-RUS"].y)
    board.controls["half_life"].value = 90
    after = np.array(_lines(board)["AZE-RUS"].y)
    assert _uids(board.tension) == uids  # same traces, new values
    assert after.max() > before.max()  # a longer memory keeps more pressure at the peak
    expected = tensions.score_dyads(
        board.selection, half_life_days=90, start=board.window[0], end=board.window[1]
    )
    expected = expected[expected["pair"] == "AZE-RUS"]
    np.testing.assert_allclose(after, expected["index_value"].to_numpy())


def test_confidence_filter_fades_events_and_changes_table_and_scores(board):
    uids = _uids(board.timeline)
    before = np.array(_lines(board)["AZE-RUS"].y)
    alleged = board.shown.loc[board.shown["confidence"] == "alleged", "event_id"]
    assert len(alleged) and all(e in board.table.value for e in alleged)
    board.controls["confidence"].value = "confirmed"
    assert set(board.selection["confidence"]) == {"confirmed"}
    assert not any(e in board.table.value for e in alleged)  # alleged events leave the table
    assert _uids(board.timeline) == uids  # the timeline was not rebuilt
    kept = set(board.selection["event_id"])
    for trace in _markers(board):
        ids = [row[-1] for row in trace.customdata]
        opacity = np.broadcast_to(np.asarray(trace.marker.opacity, dtype=float), (len(ids),))
        assert {ids[i] for i, o in enumerate(opacity) if o > 0.2} == kept & set(ids)
        assert 0 < opacity.min() <= 0.2 or kept >= set(ids)  # left-out events stay visible, faded
    assert not np.allclose(np.array(_lines(board)["AZE-RUS"].y), before)
    board.controls["confidence"].value = "alleged"
    assert all(np.min(t.marker.opacity) > 0.2 for t in _markers(board))


def test_quad_classes_are_toggle_buttons_and_refuse_misspelt_classes(board):
    picker = board.controls["quads"]
    buttons = [b for b in picker.children if isinstance(b, ToggleButton)]
    assert [b.description for b in buttons] == list(QUAD_NAMES.values()) and all(b.value for b in buttons)
    updates = board.updates
    buttons[0].value = False  # a click leaves out verbal cooperation: one update, its events gone
    assert picker.value == (2, 3, 4) and board.updates == updates + 1
    assert 1 not in set(board.selection["quad_class"]) and board.state.settings.quads == (2, 3, 4)
    picker.value = ("material conflict", 3)  # names (any case) or numbers, from Python
    assert [b.value for b in buttons] == [False, False, True, True] and picker.value == (3, 4)
    assert board.updates == updates + 2
    with pytest.raises(
        TraitError, match="unknown quad class 'Verbal conflit'; did you mean 'Verbal conflict'"
    ):
        picker.value = ("Verbal conflit",)
    with pytest.raises(
        ValueError, match="unknown quad class 'materal conflict'; did you mean 'Material conflict'"
    ):
        dashboard(board.events, pairs=PAIRS, quads=["materal conflict"])
    assert dashboard(board.events, pairs=PAIRS, quads=[4]).state.settings.quads == (4,)
    picker.value = (1, 2, 3, 4)
    assert board.state.settings.quads is None and len(board.selection) == len(board.context)


def test_quad_class_and_theme_filters(board, downing):
    board.controls["quads"].value = (3, 4)
    assert set(board.selection["quad_class"]) <= {3, 4}
    assert len(board.selection) < len(board.context)
    board.controls["quads"].value = (1, 2, 3, 4)
    board.controls["themes"].value = ("aviation",)
    assert board.selection["themes"].str.contains("aviation").all()
    assert downing["event_id"] in board.table.value
    assert 0 < len(board.shown) < len(board.context[board.context["date"] >= board.window[0]])


def test_date_window_moves_the_axes_and_the_table(board, downing):
    options = [value for _, value in board.controls["dates"].options]
    first = options.index(pd.Timestamp("2024-12-01"))
    board.controls["dates"].index = (first, first + 1)
    assert board.tension.layout.xaxis.range == ("2024-12-01", "2025-01-31")
    assert _lines(board)["AZE-RUS"].x[0] == "2024-12-01"
    assert set(board.shown["date"].dt.strftime("%Y-%m")) <= {"2024-12", "2025-01"}
    assert downing["event_id"] in board.table.value
    assert board.timeline.layout.xaxis.range[0] < "2024-12-01" < board.timeline.layout.xaxis.range[1]


def test_weights_table_changes_scores(board):
    before = board.scores.copy()
    board.controls["goldstein"].value = "Phoenix"
    assert not np.allclose(board.scores["pressure"], before["pressure"])


def test_a_click_on_a_tension_line_explains_the_pressure_shown(board, downing):
    index = list(board.tension.data).index(_lines(board)["AZE-RUS"])
    line = board.tension.data[index]
    point = list(line.x).index("2024-12-27")
    _click(board.tension, index, point)
    pressure_shown = line.customdata[point][0]
    assert "AZE-RUS on 2024-12-27" in board.detail.value
    breakdown = board.explain_point("AZE-RUS", "2024-12-27")
    assert breakdown["contribution"].sum() == pytest.approx(pressure_shown, abs=1e-9)
    assert breakdown["event_id"].iloc[0] == downing["event_id"]
    assert f"{pressure_shown:.3f}" in board.detail.value
    waterfall = board.waterfall.data[0]
    assert waterfall.type == "waterfall" and waterfall.x[-1] == pytest.approx(pressure_shown)
    assert board.waterfall_box.layout.display is None  # shown


@pytest.mark.parametrize(("method", "column"), [("gdelt", "mean_goldstein"), ("cumulative", "cumulative")])
def test_baseline_methods_draw_their_scores_and_explain_them(board, method, column):
    board.controls["method"].value = method
    assert column in board.scores.columns
    line = _lines(board)["AZE-RUS"]
    part = board.scores[board.scores["pair"] == "AZE-RUS"]
    np.testing.assert_allclose(line.y, part[column].to_numpy())
    day = part.loc[part[column].abs().idxmax(), "date"]
    breakdown = board.on_tension_click("AZE-RUS", day)
    assert breakdown["contribution"].sum() == pytest.approx(part.set_index("date").loc[day, column])
    board.controls["method"].value = "index"
    assert set(_lines(board)) == set(PAIRS) and "index_value" in board.scores.columns


def test_components_draw_their_index_and_explain_it(board, dataset):
    """Tension (the default), cooperation and net: each drawn line is that component, each click adds up."""
    assert (
        board.controls["method"].value == "index" and board.scores.attrs["settings"]["component"] == "tension"
    )
    for method, component in (("cooperation", "cooperation"), ("net", "net"), ("index", "tension")):
        board.controls["method"].value = method
        expected = tensions.score_dyads(
            board.state.selection, start=board.state.settings.start, end=board.state.settings.end,
            component=component, half_life_days=board.state.settings.half_life_days,
        )  # fmt: skip
        part = expected[expected["pair"] == "AZE-RUS"]
        np.testing.assert_allclose(_lines(board)["AZE-RUS"].y, part["index_value"].to_numpy())
        day = part.loc[part["pressure"].abs().idxmax(), "date"]
        breakdown = board.on_tension_click("AZE-RUS", day)
        assert breakdown["contribution"].sum() == pytest.approx(part.set_index("date").loc[day, "pressure"])


def test_a_click_on_an_event_shows_its_sources_and_evidence(board, dataset, downing):
    event_id = downing["event_id"]
    trace = next(t for t in _markers(board) if event_id in [row[-1] for row in t.customdata])
    index = list(board.timeline.data).index(trace)
    _click(board.timeline, index, [row[-1] for row in trace.customdata].index(event_id))
    detail = html.unescape(re.sub(r"<[^>]+>", "", board.detail.value))
    assert event_id in detail and str(downing["evidence"]) in detail  # the evidence quote
    sources = dataset["sources"].set_index("source_id")
    for source_id in str(downing["source_ids"]).split(";"):
        assert sources.loc[source_id, "title"] in detail  # by title
        url = sources.loc[source_id, "url"]
        if isinstance(url, str):
            assert f'href="{html.escape(url)}"' in board.detail.value  # with its link
    with pytest.raises(KeyError, match="no event"):
        board.on_event_click("EV-9999")


def test_pairs_change_updates_traces_in_place_and_matches_a_full_rebuild(board):
    uids = _uids(board.tension)
    board.controls["pairs"].value = ["AZE-RUS", "RUS-UZB", "AZE-KAZ"]
    assert set(_lines(board)) == {"AZE-RUS", "RUS-UZB", "AZE-KAZ"}
    assert _uids(board.tension)[: len(uids)] == uids  # the traces drawn are reused
    board.controls["pairs"].value = ["RUS-UZB"]
    assert set(_lines(board)) == {"RUS-UZB"} and len(_uids(board.tension)) >= len(uids)
    board.controls["pairs"].value = ["AZE-RUS", "RUS-UZB", "AZE-KAZ"]
    board.controls["confidence"].value = "reported"
    board.controls["half_life"].value = 14
    fast = {name: list(t.y) for name, t in _lines(board).items()}
    table, timeline = board.table.value, [list(t.x) for t in _markers(board)]
    board.rebuild()
    slow = {name: list(t.y) for name, t in _lines(board).items()}
    assert fast.keys() == slow.keys()
    for name in fast:
        np.testing.assert_allclose(fast[name], slow[name])
    assert board.table.value == table and [list(t.x) for t in _markers(board)] == timeline


def test_a_page_that_connects_later_gets_the_current_figure(board):
    board.controls["half_life"].value = 90
    traces = board.tension.get_state()["_widget_data"]
    y = next(t for t in traces if t.get("name") == "AZE-RUS")["y"]
    assert isinstance(y, dict) and {"buffer", "dtype"} <= set(y)  # numbers go as a binary buffer, not text
    y = np.frombuffer(y["buffer"], dtype=y["dtype"])
    np.testing.assert_allclose(y, _lines(board)["AZE-RUS"].y)


def test_table_exports_as_csv_in_one_click_guarded_against_formulas(dataset, tmp_path):
    events = dataset["events"].copy()
    row = events.index[(events["pair"] == "AZE-RUS") & (events["date"] >= "2024-12-01")][0]
    events.loc[row, "title"] = '=HYPERLINK("http://x","y")'
    board = Dashboard(events, sources=dataset["sources"], pairs=PAIRS, export_dir=tmp_path)
    board.controls["export_table"].click()
    written = list(tmp_path.glob("dashboard-events-*.csv"))
    assert len(written) == 1 and written[0].name in board.export_output.value
    exported = pd.read_csv(written[0])
    assert set(exported["event_id"]) == set(board.shown["event_id"]) and len(exported) == len(board.shown)
    assert exported.loc[exported["event_id"] == events.loc[row, "event_id"], "title"].item().startswith("'=")
    assert 'download="' in board.export_output.value and "data:text/csv" in board.export_output.value
    assert not list(tmp_path.glob("*.part"))


def test_no_private_plotly_attributes_in_the_dashboard():
    folder = Path(tensions.widgets.__file__).parent
    for path in folder.glob("*.py"):
        code = path.read_text()
        assert not re.search(r"\._(trait_values|data|layout)\b", code), path


def test_export_button_writes_the_view(board, tmp_path):
    board.export_dir = tmp_path
    board.export_formats = ("html",)
    board.controls["export"].click()
    names = {p.name for p in tmp_path.iterdir()}
    assert names == {
        "dashboard-tension-202201-202507.html",
        "dashboard-tension-202201-202507.csv",
        "dashboard-timeline-202201-202507.html",
        "dashboard-timeline-202201-202507.csv",
    }
    assert "dashboard-tension-202201-202507.html" in board.export_output.value
    exported = pd.read_csv(tmp_path / "dashboard-timeline-202201-202507.csv")
    assert set(exported["event_id"]) == set(board.shown["event_id"])


def test_text_is_escaped_everywhere():
    events = tensions.load_events()
    events = events[events["pair"] == "AZE-RUS"].reset_index(drop=True)
    events.loc[0, "title"] = "<script>alert(1)</script>"
    events.loc[0, "evidence"] = "<img src=x onerror=alert(2)>"
    board = Dashboard(events)
    board.controls["dates"].index = (0, len(board.controls["dates"].options) - 1)
    board.on_event_click(events.loc[0, "event_id"])
    for text in (board.table.value, board.detail.value):
        assert "<script>" not in text and "<img" not in text
    assert "&lt;script&gt;" in board.detail.value


def test_opens_on_any_events_table_and_refuses_bad_ones():
    events = tensions.load_events()
    other = (
        events[events["pair"].isin(["AZE-RUS", "RUS-UZB"])].drop(columns=["themes"]).reset_index(drop=True)
    )
    board = dashboard(other, pairs=["RUS-UZB"])
    assert set(board.controls["pairs"].allowed_tags) == {"AZE-RUS", "RUS-UZB"}
    assert board.controls["pairs"].value == ["RUS-UZB"]
    assert board.controls["themes"].allowed_tags == []
    with pytest.raises(ValueError, match="XXX-YYY"):  # a pair without events is an error, not an empty view
        dashboard(other, pairs=["RUS-UZB", "XXX-YYY"])
    with pytest.raises(ValueError, match="at least one event"):
        Dashboard(other.iloc[:0])
    with pytest.raises(ValueError, match="lacks the column"):
        Dashboard(other.drop(columns=["goldstein"]))


def test_large_sets_cap_the_timeline_and_the_table():
    rng = np.random.default_rng(0)
    n = 6000
    events = pd.DataFrame(
        {
            "event_id": [f"S{i:05d}" for i in range(n)],
            "date": pd.Timestamp("2023-01-01") + pd.to_timedelta(rng.integers(0, 700, n), unit="D"),
            "date_precision": "day",
            "actor": rng.choice(["RUS", "KAZ"], n),
            "target": "AZE",
            "cameo_code": "190",
            "quad_class": 4,
            "goldstein": rng.uniform(-10, 10, n).round(1),
            "title": "synthetic",
            "themes": "security",
            "confidence": rng.choice(["confirmed", "reported"], n),
            "source_ids": "X",
        }
    )
    events["pair"] = tensions.canonical_pairs(events["actor"], events["target"])
    board = Dashboard(events, max_timeline_events=500, table_rows=50)
    assert sum(len(t.customdata) for t in _markers(board)) == 500
    assert board.table.value.count("<tr>") == 51 and "50 most recent of" in board.table.value
    assert "500 most salient" in board.status.value
    board.controls["confidence"].value = "confirmed"
    assert board.last_update_seconds > 0 and set(board.shown["confidence"]) == {"confirmed"}


def test_iso_days_keeps_calendar_days():
    days = iso_days(pd.Series(pd.date_range("2024-02-28", periods=3, freq="D")))
    assert days.tolist() == ["2024-02-28", "2024-02-29", "2024-03-01"]


def _source_note(fig) -> str:
    return next(a["text"] for a in fig.to_dict()["layout"]["annotations"] if a.get("name") == "source-note")


def test_source_lines_credit_the_events_shown(dataset):
    board = Dashboard(dataset["events"], eras=dataset["eras"], pairs=PAIRS)
    assert "data/events.csv" in _source_note(board.tension)
    assert f"{len(board.selection)} events" in _source_note(board.tension)
    board.controls["confidence"].value = "confirmed"  # the count follows the filters
    assert f"{len(board.selection)} events" in _source_note(board.tension)
    coded = dataset["events"].assign(source_ids="gdelt:" + dataset["events"]["event_id"].astype(str))
    board = Dashboard(coded, pairs=PAIRS)
    for method in ("index", "gdelt"):  # the index and a baseline, drawn by two builders
        board.controls["method"].value = method
        for fig in (board.tension, board.timeline):
            assert "GDELT records" in _source_note(fig) and "events.csv" not in _source_note(fig), method


def _timeline_points(board) -> list[tuple[list, list]]:
    return [
        (
            [row[-1] for row in t.customdata],
            np.broadcast_to(np.asarray(t.marker.opacity, dtype=float), len(t.x)).tolist(),
        )
        for t in _markers(board)
    ]


def test_a_set_of_pairs_seen_before_draws_its_timeline_without_the_builder(board, monkeypatch):
    board.controls["confidence"].value = "confirmed"
    first, notes = _timeline_points(board), board.timeline.to_dict()["layout"]["annotations"]
    calls = []
    build = tensions.charts.build_timeline_figure
    monkeypatch.setattr(
        tensions.charts, "build_timeline_figure", lambda *a, **k: calls.append(1) or build(*a, **k)
    )
    board.controls["pairs"].value = ["AZE-RUS"]
    assert len(_timeline_points(board)) and _timeline_points(board) != first
    board.controls["pairs"].value = list(reversed(PAIRS))  # the same set, in another order
    assert len(calls) == 1  # only the new set was built
    assert _timeline_points(board) == first  # the same events, the same ones faded
    assert board.timeline.to_dict()["layout"]["annotations"] == notes
    board.rebuild()
    assert len(calls) == 2  # a rebuild draws with the builder again


def test_window_without_eras_opens_on_the_chosen_pairs_events():
    from tensions import paths
    from tensions.ingest import read_events

    events, _ = read_events(paths.EXTERNAL_DIR / "gdelt1_events_sample.tsv", source_format="gdelt1")
    assert events["date"].min().year == 1982 and events["date"].max().year == 2016
    early = dashboard(events, pairs=["IRN-IRQ", "ISR-PSE"])  # 5 events in Jan 1982, 1 in Jul 2016
    assert early.window == (pd.Timestamp("1982-01-01"), pd.Timestamp("1982-07-31"))
    assert all(max(t.y) > 10 for t in early.tension.data if t.mode == "lines")  # lines with pressure
    late = dashboard(events, pairs=["AUS-CHN"])  # one event, in July 2016: the data's last month
    assert late.window == (pd.Timestamp("2016-07-01"), pd.Timestamp("2016-07-31"))


def test_views_carry_plotly_module_patched_to_draw_only_what_an_update_changes():
    import plotly.graph_objects as go

    from tensions.widgets.view import UPDATE_COUNTED, UPDATE_MARKED, FigureView, patch_widget_module

    shipped = str(go.FigureWidget._esm)
    patched = patch_widget_module(shipped)
    assert patched is not None, "plotly's widget module changed: update tensions.widgets.view"
    assert UPDATE_MARKED not in patched and UPDATE_COUNTED in patched
    assert FigureView()._esm == patched
    assert patch_widget_module("export default {}") is None  # another module: left as plotly ships it


def test_a_confidence_filter_fades_whole_timeline_traces(board):
    board.controls["confidence"].value = "confirmed"
    for trace in _markers(board):
        assert np.ndim(trace.marker.opacity) == 0  # one opacity per trace: a restyle, not a redraw
        confidence = set(
            board.events.set_index("event_id").loc[[r[-1] for r in trace.customdata], "confidence"]
        )
        assert len(confidence) == 1
        assert (trace.marker.opacity < 0.5) == (confidence != {"confirmed"})
