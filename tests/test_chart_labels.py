"""Every label of every chart of the standard set is readable.

Each chart is exported to SVG and drawn in Chromium: no two text boxes overlap, none leaves the figure, and no
data line or marker runs under a label.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import pytest

import tensions
from tensions import paths, scoring
from tensions.charts import build_sensitivity_figure, build_timeline_figure
from tensions.export import export_figures, find_chromium
from tensions.figures import build_standard_figures
from tensions.ingest import read_events

pytestmark = pytest.mark.timeout(600)
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"]
#: Boxes of every visible text element (tspans of one text count as one box per line), in page pixels, each
#: marked ``legend`` when it is a legend entry and with the rank of its data ``trace`` (-1: none); points sampled every few pixels along every drawn data line
#: (scatter and map traces, only where the plot's clip lets them show), the boxes of the data markers and
#: the frames of maps.
MEASURE_JS = """() => {
  const svg = document.querySelector('svg');
  const frame = svg.getBoundingClientRect();
  const visible = (el) => {
    const style = getComputedStyle(el);
    return style.display !== 'none' && style.visibility !== 'hidden' && Number(style.opacity) !== 0;
  };
  const boxOf = (r) => ({x0: r.left, y0: r.top, x1: r.right, y1: r.bottom});
  const traceOf = (el) => {  // rank of the data trace an element belongs to in its layer, -1 outside traces
    const trace = el.closest('.scatterlayer .trace');
    return trace ? [...trace.parentElement.children].indexOf(trace) : -1;
  };
  const boxes = [];
  for (const el of svg.querySelectorAll('text')) {
    if (!visible(el)) continue;
    const legend = el.closest('.legend') !== null, trace = traceOf(el);
    const lines = el.querySelectorAll('tspan.line');
    for (const part of (lines.length ? lines : [el])) {
      const text = part.textContent.trim();
      if (!text) continue;
      const r = part.getBoundingClientRect();
      if (r.width === 0 || r.height === 0) continue;
      boxes.push({text, legend, trace, ...boxOf(r)});
    }
  }
  const clipOf = (el) => {  // the screen rectangle a clip-path of an ancestor lets the element show in
    const holder = el.parentElement.closest('[clip-path]');
    if (!holder) return null;
    const id = holder.getAttribute('clip-path').match(/url\\(["']?#([^"')]+)/);
    const rect = id && document.getElementById(id[1]) && document.getElementById(id[1]).querySelector('rect');
    if (!rect) return null;
    const m = holder.getScreenCTM();
    const x = Number(rect.getAttribute('x') || 0), y = Number(rect.getAttribute('y') || 0);
    const w = Number(rect.getAttribute('width')), h = Number(rect.getAttribute('height'));
    const a = new DOMPoint(x, y).matrixTransform(m), b = new DOMPoint(x + w, y + h).matrixTransform(m);
    return {x0: Math.min(a.x, b.x), y0: Math.min(a.y, b.y), x1: Math.max(a.x, b.x), y1: Math.max(a.y, b.y)};
  };
  const traces = '.scatterlayer .trace';
  const lines = [];
  for (const path of svg.querySelectorAll(`${traces} path.js-line`)) {
    const style = getComputedStyle(path);
    if (!visible(path) || style.stroke === 'none' || parseFloat(style.strokeWidth) <= 0) continue;
    if (Number(style.strokeOpacity) === 0 || !path.closest('.trace') || !visible(path.closest('.trace'))) continue;
    const clip = clipOf(path), m = path.getScreenCTM(), total = path.getTotalLength();
    const points = [];
    for (let at = 0; at <= total; at += 2) {
      const p = path.getPointAtLength(at).matrixTransform(m);
      if (clip && (p.x < clip.x0 || p.x > clip.x1 || p.y < clip.y0 || p.y > clip.y1)) continue;
      points.push([Math.round(p.x * 2) / 2, Math.round(p.y * 2) / 2]);
    }
    const trace = path.closest('.trace');  // named by its type and rank in its layer (the SVG has no names)
    const name = `${trace.classList[1]} trace ${[...trace.parentElement.children].indexOf(trace)}`;
    if (points.length) lines.push({name, points});
  }
  const markers = [];
  for (const point of svg.querySelectorAll(`${traces} path.point`)) {
    if (!visible(point) || !visible(point.closest('.trace'))) continue;
    const r = point.getBoundingClientRect();
    if (r.width > 0 && r.height > 0) markers.push({trace: traceOf(point), ...boxOf(r)});
  }
  const maps = [...svg.querySelectorAll('.geo .frame path')].map((el) => boxOf(el.getBoundingClientRect()));
  return {boxes, lines, markers, maps, frame: boxOf(frame)};
}"""
EXTERNAL = {"gdelt1": "gdelt1_events_sample.tsv", "icews": "icews_events_2018-06-01.tab"}
SLACK = 1.5  # pixels of overlap tolerated (glyph boxes include line spacing)
#: Pixels a data line may run into a text box (the box includes the line spacing above and below the glyphs).
LINE_SLACK = 2.0


def find_label_problems(boxes: list[dict], frame: dict) -> list[str]:
    """Pairs of text boxes that overlap and boxes that leave the figure, described for a reader."""
    problems = []
    for b in boxes:
        if (
            b["x0"] < frame["x0"] - SLACK
            or b["x1"] > frame["x1"] + SLACK
            or b["y0"] < frame["y0"] - SLACK
            or (b["y1"] > frame["y1"] + SLACK)
        ):
            problems.append(f"leaves the figure: {b['text']!r}")
    for i, a in enumerate(boxes):
        for b in boxes[i + 1 :]:
            dx = min(a["x1"], b["x1"]) - max(a["x0"], b["x0"])
            dy = min(a["y1"], b["y1"]) - max(a["y0"], b["y0"])
            if dx > SLACK and dy > SLACK:
                problems.append(f"overlap: {a['text']!r} / {b['text']!r}")
    return problems


def test_problem_finder_can_fail() -> None:
    frame = {"x0": 0, "y0": 0, "x1": 100, "y1": 100}
    ok = [
        {"text": "a", "x0": 0, "y0": 0, "x1": 10, "y1": 10},
        {"text": "b", "x0": 20, "y0": 0, "x1": 30, "y1": 10},
    ]
    assert find_label_problems(ok, frame) == []
    bad = [
        *ok,
        {"text": "c", "x0": 5, "y0": 5, "x1": 15, "y1": 15},
        {"text": "d", "x0": 95, "y0": 0, "x1": 120, "y1": 9},
    ]
    assert find_label_problems(bad, frame) == [
        "leaves the figure: 'd'",
        "overlap: 'a' / 'c'",
    ]


def find_line_crossings(boxes: list[dict], lines: list[dict], markers: list[dict]) -> list[str]:
    """Text boxes that a data line runs through or that cover a data marker (legend entries left out)."""
    problems = []
    points = {line["name"]: np.asarray(line["points"], dtype=float).reshape(-1, 2) for line in lines}
    for b in boxes:
        if b.get("legend"):
            continue  # a legend draws its own sample lines, on its own background
        x0, y0, x1, y1 = (
            b["x0"] + LINE_SLACK,
            b["y0"] + LINE_SLACK,
            b["x1"] - LINE_SLACK,
            b["y1"] - LINE_SLACK,
        )
        for name, xy in points.items():
            inside = (xy[:, 0] > x0) & (xy[:, 0] < x1) & (xy[:, 1] > y0) & (xy[:, 1] < y1)
            if inside.any():
                problems.append(f"crossed by a data line ({name}): {b['text']!r}")
                break
        for m in markers:
            dx = min(b["x1"], m["x1"]) - max(b["x0"], m["x0"])
            dy = min(b["y1"], m["y1"]) - max(b["y0"], m["y0"])
            if dx > SLACK and dy > SLACK:
                problems.append(f"covers a data marker: {b['text']!r}")
                break
    return problems


def test_line_crossing_finder_can_fail() -> None:
    label = {"text": "label", "legend": False, "x0": 10, "y0": 10, "x1": 50, "y1": 24}
    legend = {**label, "text": "legend entry", "legend": True}
    beside = [{"name": "line", "points": [[0, 30], [60, 30], [60, 0]]}]
    assert find_line_crossings([label, legend], beside, [{"x0": 52, "y0": 0, "x1": 58, "y1": 6}]) == []
    through = [{"name": "line", "points": [[0, 17], [30, 17], [60, 17]]}]
    marker = [{"x0": 45, "y0": 20, "x1": 55, "y1": 30}]
    assert find_line_crossings([label, legend], through, marker) == [
        "crossed by a data line (line): 'label'",
        "covers a data marker: 'label'",
    ]


#: Pixels at most between a capital's code and its ring (box edge to ring edge) without a leader line.
CODE_NEAR = 15.0


def find_far_codes(boxes: list[dict], lines: list[dict], markers: list[dict]) -> list[str]:
    """Capital codes of a map written further than :data:`CODE_NEAR` from their ring without a leader line.

    The codes are the texts of the last data trace that writes only three-letter codes; their rings are the
    markers of the last marker trace before it, point for point. A leader line joins a ring and its code when
    it starts within 3 px of the ring's edge and ends within 4 px of the code's box.
    """
    traces = {b["trace"] for b in boxes if b["trace"] >= 0}
    coded = [t for t in traces if all(re.fullmatch("[A-Z]{3}", b["text"]) for b in boxes if b["trace"] == t)]
    if not coded:
        return []
    codes = [b for b in boxes if b["trace"] == max(coded)]
    ring_trace = max(m["trace"] for m in markers if m["trace"] < max(coded))
    rings = [m for m in markers if m["trace"] == ring_trace]
    assert len(rings) == len(codes), (len(rings), len(codes))
    ends = [np.asarray(line["points"], dtype=float).reshape(-1, 2)[[0, -1]] for line in lines]
    problems = []
    for code, ring in zip(codes, rings, strict=True):
        centre = np.array([(ring["x0"] + ring["x1"]) / 2, (ring["y0"] + ring["y1"]) / 2])
        radius = (ring["x1"] - ring["x0"]) / 2
        gap = _box_distance(code, centre) - radius
        if gap <= CODE_NEAR:
            continue
        joined = any(
            abs(np.hypot(*(a - centre)) - radius) < 3 and _box_distance(code, b) < 4
            for first, last in ends
            for a, b in ((first, last), (last, first))
        )
        if not joined:
            problems.append(f"{code['text']} is {gap:.0f} px from its ring, with no leader line")
    return problems


def _box_distance(box: dict, point: np.ndarray) -> float:
    dx = max(box["x0"] - point[0], 0, point[0] - box["x1"])
    dy = max(box["y0"] - point[1], 0, point[1] - box["y1"])
    return float(np.hypot(dx, dy))


def test_far_code_finder_can_fail() -> None:
    def code(text, x, y):
        return {"text": text, "legend": False, "trace": 2, "x0": x, "y0": y, "x1": x + 30, "y1": y + 15}

    rings = [
        {"trace": 0, "x0": 0, "y0": 0, "x1": 12, "y1": 12},
        {"trace": 0, "x0": 100, "y0": 0, "x1": 112, "y1": 12},
    ]
    other = [{"text": "a title", "legend": False, "trace": -1, "x0": 0, "y0": 50, "x1": 90, "y1": 64}]
    near = [code("ARM", -10, -20), code("AZE", 115, -5)]
    assert find_far_codes(other + near, [], rings) == []
    far = [code("ARM", -10, -45), code("AZE", 140, 20)]
    assert find_far_codes(other + far, [], rings) == [
        "ARM is 30 px from its ring, with no leader line",
        "AZE is 31 px from its ring, with no leader line",
    ]
    leader = [{"name": "scattergeo trace 1", "points": [[6, -0.5], [6, -20], [6, -28.5]]}]
    assert find_far_codes(other + far, leader, rings) == ["AZE is 31 px from its ring, with no leader line"]


def build_planted_collisions() -> dict[str, go.Figure]:
    """Charts with a label planted on a line, on a marker, and one where the label stays clear of both."""
    days = pd.date_range("2024-01-01", periods=60)
    values = np.linspace(10, 90, 60)
    base = go.Figure(go.Scatter(x=days, y=values, mode="lines", name="rising"))
    base.add_trace(go.Scatter(x=[days[10]], y=[80], mode="markers", marker={"size": 12}, name="event"))
    base.update_layout(title="planted", yaxis={"range": [0, 100]}, showlegend=False)
    planted = {}
    for name, (x, y) in {
        "on-line": (days[30], 50),
        "on-marker": (days[10], 80),
        "clear": (days[45], 20),
    }.items():
        fig = go.Figure(base)
        fig.add_annotation(x=x, y=y, text="a planted label", showarrow=False)
        planted[f"planted-{name}"] = fig
    return planted


@pytest.fixture(scope="module")
def exported_svgs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    dataset = tensions.load_dataset()
    chart_set = build_standard_figures(dataset, n_boot=20)
    items = [(fig, name, None) for fig, name, _ in chart_set.items()]
    sweep = scoring.sweep_sensitivity(dataset["events"], "AZE-RUS", half_lives=(15, 30, 60))
    items.append((build_sensitivity_figure(sweep, pair="AZE-RUS"), "sensitivity", None))
    for fmt, file in EXTERNAL.items():  # notebook 05's timelines of machine-coded data
        events, _ = read_events(paths.EXTERNAL_DIR / file, source_format=fmt)
        busy = events[events["pair"].isin(events["pair"].value_counts().index[:6])]
        items.append(
            (build_timeline_figure(busy, label_top=4, title=f"{fmt}: busiest pairs"), f"05-{fmt}", None)
        )
    items += [(fig, name, None) for name, fig in build_planted_collisions().items()]
    folder = tmp_path_factory.mktemp("svg")
    export_figures(items, formats=("svg",), out_dir=folder)
    return {name: folder / f"{name}.svg" for _, name, _ in items}


@pytest.fixture(scope="module")
def measured(exported_svgs: dict[str, Path]) -> dict[str, dict]:
    """Each exported SVG drawn in Chromium: its text boxes, sampled data lines and marker boxes."""
    from playwright.sync_api import sync_playwright

    results = {}
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=find_chromium(), args=ARGS)
        try:
            tab = browser.new_page(viewport={"width": 1400, "height": 1200})
            for name, svg in exported_svgs.items():
                tab.goto(svg.resolve().as_uri())
                results[name] = tab.evaluate(MEASURE_JS)
        finally:
            browser.close()
    return results


def describe_problems(result: dict) -> list[str]:
    """Every label problem of one drawn chart: text on text, off the figure, on the data, a code far from its ring."""
    boxes, lines, markers = result["boxes"], result["lines"], result["markers"]
    return (
        find_label_problems(boxes, result["frame"])
        + find_line_crossings(boxes, lines, markers)
        + (find_far_codes(boxes, lines, markers) if result["maps"] else [])
    )


def test_no_label_overlaps_leaves_or_sits_on_the_data(measured: dict[str, dict]) -> None:
    found: dict[str, list[str]] = {}
    for name, result in measured.items():
        if name.startswith("planted-"):
            continue
        assert len(result["boxes"]) > 3, f"{name}: no text found"
        problems = describe_problems(result)
        if problems:
            found[name] = problems
    assert not found, "\n".join(f"{name}: {p}" for name, ps in found.items() for p in ps)


def test_planted_collisions_are_caught(measured: dict[str, dict]) -> None:
    assert all(
        measured[name]["lines"] for name in ("planted-on-line", "planted-clear", "map", "tension-lines")
    )
    assert describe_problems(measured["planted-clear"]) == []
    assert describe_problems(measured["planted-on-line"]) == [
        "crossed by a data line (scatter trace 0): 'a planted label'"
    ]
    assert describe_problems(measured["planted-on-marker"]) == ["covers a data marker: 'a planted label'"]


def test_the_map_fills_its_canvas(measured: dict[str, dict]) -> None:
    (frame,) = measured["map"]["maps"]
    figure = measured["map"]["frame"]
    assert frame["x0"] - figure["x0"] < 30  # no blank margin on the left of the map
    assert frame["x1"] - frame["x0"] > 0.6 * (figure["x1"] - figure["x0"])
