"""Export writes real files: PNG, SVG, PDF, offline HTML, CSV; hostile text is escaped; maps need no network."""

from __future__ import annotations

import importlib
import re
import shutil
import struct
import subprocess
import sys
import textwrap
import zlib
from collections import Counter
from html.parser import HTMLParser
from pathlib import Path
from xml.etree import ElementTree

import pandas as pd
import plotly.graph_objects as go
import pytest

import tensions
from tensions import charts
from tensions.export import (
    ChromiumMissingError,
    build_report,
    export_figure,
    export_figures,
    find_chromium,
    neutralise_formula,
)

HOSTILE = "<script>alert(1)</script>"
needs_chromium = pytest.mark.skipif(find_chromium() is None, reason="static export needs Chromium")


def decode_png(data: bytes) -> tuple[int, int, list[bytes]]:
    """Width, height and unfiltered RGB(A) rows of an 8-bit, non-interlaced PNG."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, idat, width = 8, b"", 0
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos : pos + 8])
        chunk = data[pos + 8 : pos + 8 + length]
        if kind == b"IHDR":
            width, height, depth, colour = struct.unpack(">IIBB", chunk[:10])
            assert depth == 8 and colour in (2, 6)
            channels = 3 if colour == 2 else 4
        elif kind == b"IDAT":
            idat += chunk
        pos += 12 + length
    raw, stride, rows, prev = zlib.decompress(idat), width * channels, [], bytearray(width * channels)
    for y in range(height):
        start = y * (stride + 1)
        kind, line = raw[start], bytearray(raw[start + 1 : start + 1 + stride])
        for i in range(stride):
            a = line[i - channels] if i >= channels else 0
            b = prev[i]
            c = prev[i - channels] if i >= channels else 0
            if kind == 1:
                line[i] = (line[i] + a) & 255
            elif kind == 2:
                line[i] = (line[i] + b) & 255
            elif kind == 3:
                line[i] = (line[i] + (a + b) // 2) & 255
            elif kind == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        rows.append(bytes(line))
        prev = line
    return width, height, rows


def count_colour(png: bytes, rgb: tuple[int, int, int], step: int = 4) -> float:
    """Share of sampled pixels of exactly ``rgb``."""
    width, height, rows = decode_png(png)
    channels = len(rows[0]) // width
    hits = total = 0
    for row in rows[::step]:
        for x in range(0, width, step):
            total += 1
            hits += tuple(row[x * channels : x * channels + 3]) == rgb
    return hits / total


@pytest.fixture(scope="module")
def hostile_dataset() -> dict[str, pd.DataFrame]:
    ds = tensions.load_dataset()
    events = ds["events"].copy()
    events.loc[0, "title"] = HOSTILE
    events.loc[0, "description"] = '=HYPERLINK("http://example.invalid","click")'
    return {**ds, "events": events}


@pytest.fixture(scope="module")
def exported(tmp_path_factory, hostile_dataset) -> dict[str, list[Path]]:
    if find_chromium() is None:
        pytest.skip("static export needs Chromium")
    out = tmp_path_factory.mktemp("figures")
    events = hostile_dataset["events"]
    timeline = charts.build_timeline_figure(events, hostile_dataset["eras"])
    mix = charts.build_event_mix_figure(events)
    written = export_figures([(timeline, "timeline", events), (mix, "mix", None)], out_dir=out, scale=1)
    return {"out": out, "written": written}


@needs_chromium
def test_every_format_is_written_and_valid(exported):
    out: Path = exported["out"]
    names = sorted(p.name for p in exported["written"])
    assert names == sorted(
        [f"{n}.{e}" for n in ("timeline", "mix") for e in ("png", "svg", "pdf", "html")] + ["timeline.csv"]
    )
    width, height, _ = decode_png((out / "mix.png").read_bytes())
    assert (width, height) == (1200, 460)
    ElementTree.fromstring((out / "timeline.svg").read_bytes())  # parses as XML
    assert (out / "timeline.pdf").read_bytes()[:5] == b"%PDF-"


@needs_chromium
def test_png_scale_multiplies_pixels(tmp_path, hostile_dataset):
    fig = charts.build_event_mix_figure(hostile_dataset["events"])
    (png,) = export_figure(fig, "mix2x", formats=("png",), out_dir=tmp_path, width=600, height=300, scale=2)
    assert decode_png(png.read_bytes())[:2] == (1200, 600)


@needs_chromium
def test_html_is_offline_and_escapes_hostile_text(exported):
    html = (exported["out"] / "timeline.html").read_text(encoding="utf-8")
    assert '<script src="http' not in html and "src='http" not in html
    assert "plotly.js v" in html  # inlined
    assert HOSTILE not in html
    assert "&lt;script&gt;alert(1)" in html  # escaped before plotly JSON-encodes it


@needs_chromium
def test_csv_beside_figure_is_formula_safe(exported):
    data = pd.read_csv(exported["out"] / "timeline.csv")
    assert data.loc[0, "description"].startswith("'=HYPERLINK")
    assert (data["goldstein"] < 0).any()  # negative numbers stay numbers
    assert neutralise_formula("@SUM(A1)") == "'@SUM(A1)" and neutralise_formula(-3) == -3


def test_report_is_offline_single_plotlyjs_and_escaped(tmp_path, hostile_dataset):
    events = hostile_dataset["events"]
    figures = {"Timeline": charts.build_timeline_figure(events), "Mix": charts.build_event_mix_figure(events)}
    report = build_report(figures, events, method_md=f"method with {HOSTILE}", out=tmp_path / "report.html")
    html = report.read_text(encoding="utf-8")
    assert html.count("plotly.js v") == 1  # inlined once for every chart
    assert '<script src="http' not in html
    assert HOSTILE not in html and html.count("&lt;script&gt;alert(1)&lt;/script&gt;") >= 2
    assert html.count('class="plotly-graph-div"') == 2


def test_missing_chromium_gives_one_clear_error_and_html_still_works(tmp_path, monkeypatch, hostile_dataset):
    monkeypatch.setenv("BROWSER_PATH", str(tmp_path / "no-such-chromium"))
    fig = charts.build_event_mix_figure(hostile_dataset["events"])
    with pytest.raises(ChromiumMissingError, match="apt-get install -y chromium"):
        export_figure(fig, "x", formats=("png",), out_dir=tmp_path)
    (html,) = export_figure(fig, "x", formats=("html",), out_dir=tmp_path)
    assert html.stat().st_size > 100_000


def test_names_and_folders_are_checked(tmp_path, hostile_dataset):
    fig = charts.build_event_mix_figure(hostile_dataset["events"])
    with pytest.raises(ValueError, match="plain file name"):
        export_figure(fig, "../escape", formats=("html",), out_dir=tmp_path)
    with pytest.raises(PermissionError, match="curated dataset"):
        export_figure(fig, "x", formats=("html",), out_dir=tensions.paths.DATA_DIR)
    with pytest.raises(ValueError, match="unknown format"):
        export_figure(fig, "x", formats=("gif",), out_dir=tmp_path)


MAP_SCRIPT = textwrap.dedent("""
    import sys
    import tensions
    from tensions import charts
    from tensions.export import export_figure
    ds = tensions.load_dataset()
    fig = charts.build_map_figure(ds["events"], ds["countries"])
    export_figure(fig, "map", formats=("png", "html"), out_dir=sys.argv[1], scale=1)
""")


@needs_chromium
@pytest.mark.skipif(shutil.which("unshare") is None, reason="needs unshare to cut the network")
def test_map_renders_with_no_network(tmp_path):
    cut = subprocess.run(["unshare", "-n", "true"], capture_output=True)
    if cut.returncode != 0:
        pytest.skip("cannot create a network namespace here (needs root)")
    result = subprocess.run(
        ["unshare", "-n", sys.executable, "-c", MAP_SCRIPT, str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    land = count_colour((tmp_path / "map.png").read_bytes(), (0xF4, 0xF4, 0xF2))
    assert land > 0.05, f"the outlines did not render (land colour on {land:.1%} of the map)"
    html = (tmp_path / "map.html").read_text(encoding="utf-8")
    assert "PlotlyGeoAssets" in html and '"world_50m"' in html


def test_static_exports_drop_the_range_slider_and_leave_the_figure_alone():
    from tensions.export import static_figure

    fig = go.Figure(go.Scatter(x=[1, 2], y=[1, 2]))
    assert static_figure(fig) is fig  # nothing to drop, no copy
    fig.update_xaxes(rangeslider_visible=True)
    static = static_figure(fig)
    assert not static.layout.xaxis.rangeslider.visible and fig.layout.xaxis.rangeslider.visible


def test_written_files_print_as_a_short_listing(tmp_path):
    from tensions.export import WrittenFiles

    (tmp_path / "a.png").write_bytes(b"x" * 2048)
    text = repr(WrittenFiles([tmp_path / "a.png"]))
    assert text.splitlines() == [f"1 file(s) written to {tmp_path}:", "  a.png  (2.0 KB)"]
    assert "PosixPath" not in str(WrittenFiles([tmp_path / "a.png"]))


#: An f-string (any prefix order) whose text starts with an HTML tag: ``f"<td>"``, ``rf'<b>'``, ``f"""<p>``.
HTML_FSTRING = re.compile(r"""(?<![\w])(?:[rR]?[fF]|[fF][rR])(?:\"\"\"|'''|"|')\s*<[A-Za-z!/]""")


@pytest.mark.parametrize("module", ["tensions.export", "tensions.html_templates"])
def test_report_html_comes_from_templates_not_fstrings(module):
    source = Path(importlib.import_module(module).__file__).read_text(encoding="utf-8")
    found = [line.strip() for line in source.splitlines() if HTML_FSTRING.search(line)]
    assert found == [], f"{module} builds HTML with f-strings (use a template in templates/report/): {found}"
    assert HTML_FSTRING.search('cells.append(f"<td>{x}</td>")') and HTML_FSTRING.search("rf'<b>'")
    assert not HTML_FSTRING.search('f"figure name {name!r}"')


class _TagCounter(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: Counter[str] = Counter()

    def handle_starttag(self, tag: str, attrs) -> None:
        self.tags[tag] += 1


def test_report_escapes_hostile_titles_and_keeps_the_method_markup(tmp_path, hostile_dataset):
    events = hostile_dataset["events"].copy()
    events.loc[1, "evidence"] = "\"'><img src=x onerror=alert(2)>"
    figures = [
        (HOSTILE, charts.build_event_mix_figure(events)),
        ("Map", charts.build_map_figure(events, hostile_dataset["countries"])),
    ]
    method = f"**Bold** method, with `code` and {HOSTILE}"
    report = build_report(
        figures, events, method_md=method, out=tmp_path / "r.html", title=f"Report {HOSTILE}"
    )
    html = report.read_text(encoding="utf-8")
    assert HOSTILE not in html and "<img src=x" not in html
    assert f"<title>Report {HOSTILE.replace('<', '&lt;').replace('>', '&gt;')}</title>" in html
    assert html.count("&lt;script&gt;alert(1)&lt;/script&gt;") >= 5  # title, h1, h2, method, event title
    assert "&#34;&#39;&gt;&lt;img src=x onerror=alert(2)&gt;" in html
    assert (
        "<strong>Bold</strong>" in html and "<code>code</code>" in html
    )  # Markdown rendered, not escaped twice
    tags = _TagCounter()
    tags.feed(html)
    assert tags.tags["script"] == 2 + len(figures)  # map outlines, plotly.js, one per chart: nothing injected
    assert tags.tags["img"] == 0 and tags.tags["table"] == 1 and tags.tags["tr"] == len(events) + 1
    assert html.count("PlotlyGeoAssets = ") == 1 and html.count("plotly.js v") == 1


def test_report_without_a_map_has_no_outlines_script(tmp_path, hostile_dataset):
    events = hostile_dataset["events"]
    report = build_report({"Mix": charts.build_event_mix_figure(events)}, events, out=tmp_path / "r.html")
    html = report.read_text(encoding="utf-8")
    assert "PlotlyGeoAssets = " not in html and "<h2>Method</h2>" not in html
    assert html.startswith("<!DOCTYPE html>") and html.rstrip().endswith("</body></html>")


def test_report_links_the_charts_other_notebooks_export(tmp_path, hostile_dataset):
    events = hostile_dataset["events"]
    linked = [{"heading": "Heat <b>map</b>", "file": "02-heatmap", "notebook": "02-country-pair-tension"}]
    out = tmp_path / "reports" / "report.html"
    report = build_report(
        {"Mix": charts.build_event_mix_figure(events)},
        events,
        out=out,
        linked=linked,
        linked_dir=tmp_path / "reports" / "figures",
    )
    html = report.read_text(encoding="utf-8")
    assert "<img src='figures/02-heatmap.png'" in html and "href='figures/02-heatmap.html'" in html
    assert "Heat &lt;b&gt;map&lt;/b&gt;" in html and "Heat <b>map</b>" not in html  # headings escaped
    assert "Exported by notebook 02-country-pair-tension" in html
    assert (
        html.count("plotly.js v") == 1 and html.count('class="plotly-graph-div"') == 1
    )  # the linked chart is not built
