"""Every label of every chart of the standard set is readable.

Each chart is exported to SVG and drawn in Chromium: no two text boxes overlap and none leaves the figure.
"""

from __future__ import annotations

from pathlib import Path

import pytest

import tensions
from tensions import paths, scoring
from tensions.charts import build_sensitivity_figure, build_timeline_figure
from tensions.export import export_figures, find_chromium
from tensions.figures import build_standard_figures
from tensions.ingest import read_events

pytestmark = pytest.mark.timeout(600)
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"]
#: Boxes of every visible text element (tspans of one text count as one box per line), in page pixels.
TEXT_BOXES_JS = """() => {
  const svg = document.querySelector('svg');
  const frame = svg.getBoundingClientRect();
  const boxes = [];
  for (const el of svg.querySelectorAll('text')) {
    const style = getComputedStyle(el);
    if (style.display === 'none' || style.visibility === 'hidden' || Number(style.opacity) === 0) continue;
    const lines = el.querySelectorAll('tspan.line');
    for (const part of (lines.length ? lines : [el])) {
      const text = part.textContent.trim();
      if (!text) continue;
      const r = part.getBoundingClientRect();
      if (r.width === 0 || r.height === 0) continue;
      boxes.push({text, x0: r.left, y0: r.top, x1: r.right, y1: r.bottom});
    }
  }
  return {boxes, frame: {x0: frame.left, y0: frame.top, x1: frame.right, y1: frame.bottom}};
}"""
EXTERNAL = {"gdelt1": "gdelt1_events_sample.tsv", "icews": "icews_events_2018-06-01.tab"}
SLACK = 1.5  # pixels of overlap tolerated (glyph boxes include line spacing)


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
    folder = tmp_path_factory.mktemp("svg")
    export_figures(items, formats=("svg",), out_dir=folder)
    return {name: folder / f"{name}.svg" for _, name, _ in items}


def test_no_label_overlaps_or_leaves_any_chart(exported_svgs: dict[str, Path]) -> None:
    from playwright.sync_api import sync_playwright

    found: dict[str, list[str]] = {}
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=find_chromium(), args=ARGS)
        try:
            tab = browser.new_page(viewport={"width": 1400, "height": 1200})
            for name, svg in exported_svgs.items():
                tab.goto(svg.resolve().as_uri())
                result = tab.evaluate(TEXT_BOXES_JS)
                assert len(result["boxes"]) > 3, f"{name}: no text found"
                problems = find_label_problems(result["boxes"], result["frame"])
                if problems:
                    found[name] = problems
        finally:
            browser.close()
    assert not found, "\n".join(f"{name}: {p}" for name, ps in found.items() for p in ps)
