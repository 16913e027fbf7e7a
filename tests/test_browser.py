"""Real browser: the notebooks run in JupyterLab, the dashboard reacts to controls and clicks, Voilà serves it.

Drives the system Chromium with Playwright against servers started here on 127.0.0.1 (free ports, a token),
on copies of the notebooks in a temporary folder so nothing is saved into ``notebooks/``. Every request the
page makes to another host is blocked and recorded: the views must render offline. Screenshots go to
``reports/browser/``; the dashboard's latency (input event to redrawn view) is printed and written to
``reports/browser/latency.json``, not asserted. The drivers live in ``bench/browser.py`` (``make bench``
prints the same figures). Run with ``make test-browser`` (a few minutes).
"""

from __future__ import annotations

import json
import shutil
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

import tensions
from bench import browser as b
from tensions import paths
from tensions.export import find_chromium

pytestmark = [pytest.mark.browser, pytest.mark.timeout(600)]
playwright = pytest.importorskip("playwright.sync_api")
PANEL, TOKEN, SHOTS = b.PANEL, b.TOKEN, b.SHOTS


@pytest.fixture(scope="module")
def workdir(tmp_path_factory) -> Path:
    if find_chromium() is None:
        pytest.skip("needs Chromium (/usr/bin/chromium)")
    root = tmp_path_factory.mktemp("browser")
    for notebook in paths.NOTEBOOKS_DIR.glob("0[13]-*.ipynb"):
        shutil.copy(notebook, root / notebook.name)
    return root


@pytest.fixture(scope="module")
def lab(workdir) -> Iterator[str]:
    with b.lab_server(workdir) as base:
        yield base


@pytest.fixture(scope="module")
def browser(workdir):
    with b.chromium_browser() as chromium:
        yield chromium


def _page(browser, width: int = 1400, height: int = 1000):
    return b.open_page(browser, width, height)


def _run_all(page, base: str, notebook: str, timeout_s: int = 150) -> float:
    try:
        return b.run_all(page, base, notebook, timeout_s)
    except TimeoutError as exc:
        pytest.fail(str(exc))


def _errors(page, scope: str = "body") -> list[str]:
    outputs = page.locator(
        f"{scope} .jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr'], "
        f"{scope} .jp-OutputArea-output.jp-mod-error, {scope} .jp-RenderedText[data-mime-type*='error']"
    )
    texts = outputs.all_inner_texts()
    return [t for t in texts if "Traceback" in t or "Error" in t]


def _wait_for_new_status(page, old: str) -> None:
    """Wait until the dashboard's status line ("... pass the filters ...") reads something other than ``old``."""
    page.wait_for_function(
        "(old) => [...document.querySelectorAll('.tensions-dash .widget-html')]"
        ".some(e => e.innerText.includes('pass the filters') && e.innerText !== old)",
        arg=old,
    )


def _trace(page, plot: int, predicate: str) -> tuple[int, dict]:
    """Index and data of the first trace of plot ``plot`` for which the JS ``predicate(t)`` holds."""
    found = b.trace_data(page, plot, predicate)
    assert found is not None, f"no trace matching {predicate}"
    return found[0], found[1]


def _wait_for_new_y(page, name: str, old: list) -> dict:
    """Wait until the line ``name`` of the tension view shows other values than ``old``; return its data."""
    page.wait_for_function(
        """([name, old]) => { const t = document.querySelectorAll('.js-plotly-plot')[0].data
            .find(t => t.name === name && t.mode === 'lines');
            return t && JSON.stringify(Array.from(t.y)) !== JSON.stringify(old); }""",
        arg=[name, old],
    )
    return _trace(page, 0, f"t => t.name === '{name}' && t.mode === 'lines'")[1]


def _blank_areas(page) -> list[str]:
    """Plotly graphs or widget boxes of the dashboard drawn with no size (a blank widget area)."""
    return page.evaluate(
        """() => [...document.querySelectorAll('.tensions-dash .js-plotly-plot, .tensions-dash .widget-html')]
        .filter(e => getComputedStyle(e).display !== 'none' && e.closest('[style*="display: none"]') === null)
        .filter(e => e.classList.contains('js-plotly-plot') ? e.getBoundingClientRect().height < 100 : false)
        .map(e => e.className)"""
    )


def _cut_or_touching_controls(page) -> list[str]:
    """Controls whose text is cut (an ellipsis or hidden overflow) or whose boxes touch a neighbour's."""
    return page.evaluate(
        """() => {
        const dash = document.querySelector('.tensions-dash');
        const found = [];
        for (const el of dash.querySelectorAll('button, .widget-readout, .widget-label')) {
            if (el.offsetParent === null) continue;
            if (el.scrollWidth > el.clientWidth + 1) found.push('cut: ' + el.textContent.trim());
        }
        for (const row of dash.querySelectorAll('.widget-hbox')) {
            const kids = [...row.children].filter(k => k.offsetParent !== null && k.getClientRects().length);
            for (let i = 1; i < kids.length; i++) {
                const a = kids[i - 1].getBoundingClientRect(), b = kids[i].getBoundingClientRect();
                const sameLine = a.top < b.bottom && b.top < a.bottom;
                if (sameLine && b.left - a.right < 4)
                    found.push('touching: ' + kids[i - 1].textContent.trim().slice(0, 40) + ' | '
                               + kids[i].textContent.trim().slice(0, 40));
            }
        }
        return found;
    }"""
    )


def test_timeline_notebook_runs_all_in_jupyterlab(lab, browser):
    page = _page(browser)
    _run_all(page, lab, "01-event-timeline.ipynb")
    assert not _errors(page, PANEL)
    page.wait_for_selector(f"{PANEL} .js-plotly-plot")
    assert page.locator(f"{PANEL} .js-plotly-plot").count() >= 1
    assert not page.external_requests, page.external_requests
    page.close()


def test_dashboard_in_jupyterlab_reacts_to_controls_and_clicks(lab, browser):
    started = time.perf_counter()
    page = _page(browser, height=3400)  # tall enough for the whole dashboard to be laid out
    _run_all(page, lab, "03-interactive-dashboard.ipynb")
    assert not _errors(page, PANEL)
    page.wait_for_function("() => document.querySelectorAll('.js-plotly-plot').length >= 2", timeout=90_000)
    dash = page.locator(".tensions-dash").first
    assert not _cut_or_touching_controls(page), "a control's text is cut or runs into its neighbour"
    status = dash.locator(".widget-html", has_text="pass the filters").first
    before_status = status.inner_text()
    line_index, line = _trace(page, 0, "t => t.name === 'AZE-RUS' && t.mode === 'lines'")
    alleged = [
        row.split("\t")[0]
        for row in dash.locator("table tr").all_inner_texts()
        if row.split("\t")[-2:-1] == ["alleged"]
    ]
    assert alleged, "the table lists alleged events before the filter"

    # a control change: the status, the table and the line's values change in the browser; the timeline
    # fades the events left out by restyling its traces, without computing the plot again
    page.evaluate(
        "() => { window.__timelineCalc = document.querySelectorAll('.js-plotly-plot')[1].calcdata; }"
    )
    dash.locator(".widget-dropdown", has_text="Confidence at least").locator("select").select_option(
        "confirmed"
    )
    _wait_for_new_status(page, before_status)
    after = _wait_for_new_y(page, "AZE-RUS", line["y"])
    assert after["y"] != line["y"]
    page.wait_for_function(
        "() => document.querySelectorAll('.js-plotly-plot')[1].data.some(t => t.marker && t.marker.opacity < 0.5)"
    )
    assert page.evaluate(
        "() => document.querySelectorAll('.js-plotly-plot')[1].calcdata === window.__timelineCalc"
    ), "the timeline was computed and drawn again for a fade"
    table = dash.inner_text()
    assert not any(event_id in table for event_id in alleged)  # alleged events left the table

    # a click on the AZE-RUS line on 2024-12-27 explains that point, with a waterfall
    b.click_point(page, 0, line_index, after["x"].index("2024-12-27"))
    page.wait_for_function(
        "() => document.querySelector('.tensions-dash').innerText.includes('AZE-RUS on 2024-12-27')"
    )
    page.wait_for_function("() => document.querySelectorAll('.tensions-dash .js-plotly-plot').length >= 3")
    events = tensions.load_events()
    downing = events[(events["date"] == "2024-12-25") & (events["cameo_code"] == "190")]
    detail = dash.locator(".widget-html", has_text="AZE-RUS on 2024-12-27").first.inner_text()
    assert downing["event_id"].item() in detail and "add up to the tension pressure" in detail
    b.shot(page, "dashboard.png", dash)

    # a click on an event of the timeline shows its sources and evidence quote
    timeline = page.locator(".tensions-dash .js-plotly-plot").count() - 1  # tension, waterfall, timeline
    event_id = downing["event_id"].item()
    marker_index, markers = _trace(
        page,
        timeline,
        f"t => t.mode === 'markers' && t.customdata && t.customdata.some(r => r[8] === '{event_id}')",
    )
    b.click_point(page, timeline, marker_index, [row[-1] for row in markers["customdata"]].index(event_id))
    page.wait_for_function(  # plotly picks the event closest to the cursor (several overlap there)
        "(ids) => [...document.querySelectorAll('.tensions-dash .widget-html h4')]"
        ".some(e => ids.some(id => e.innerText.startsWith(id + ' ')))",
        arg=events["event_id"].tolist(),
    )
    shown = dash.locator(".widget-html", has_text="Sources:").first.inner_text()
    clicked = events.set_index("event_id").loc[shown.split(" ")[0]]
    assert clicked["pair"] == "AZE-RUS"
    for source_id in str(clicked["source_ids"]).split(";"):
        assert source_id in shown
    if isinstance(clicked["evidence"], str):
        assert clicked["evidence"][:40] in shown  # the evidence quote

    # the pair picker searches: typing a pair and Enter adds its line, the cross of a tag removes it
    pairs = b.pair_tags(page)
    assert pairs[:2] == ["AZE-RUS", "KAZ-RUS"], pairs
    b.remove_last_pair(page)
    page.wait_for_function(
        "(n) => document.querySelectorAll('.tensions-dash .jupyter-widget-tagsinput div.jupyter-widget-tag')"
        ".length === n",
        arg=len(pairs) - 1,
    )
    b.add_pair(page, pairs[-1])
    page.wait_for_function(
        "(pair) => document.querySelectorAll('.js-plotly-plot')[0].data"
        ".some(t => t.name === pair && t.visible !== false)",
        arg=pairs[-1],
    )
    page.wait_for_function(
        "(n) => document.querySelectorAll('.tensions-dash .jupyter-widget-tagsinput div.jupyter-widget-tag')"
        ".length === n",
        arg=len(pairs),
    )
    assert b.pair_tags(page) == pairs

    # latency of every kind of change, printed (not asserted: the machine is shared)
    b.select_confidence(page, "alleged")
    time.sleep(1)
    latency = b.measure_latency(page, tuple(pairs), rounds=2) | b.measure_clicks(page, rounds=2)
    out = paths.ensure_dir(SHOTS) / "latency.json"
    out.write_text(json.dumps({"curated": latency}, indent=1))
    print(f"dashboard latency in JupyterLab, curated set, median (max) ms: {b.summarise_latency(latency)}")
    assert all(v >= 0 for values in latency.values() for v in values), latency  # every change redrew
    assert "dashboard-events-" in dash.inner_text()  # the table was written as CSV, with a download link
    assert dash.locator("a[download]").count() >= 1
    assert not _blank_areas(page), _blank_areas(page)
    legend = page.evaluate(
        "() => [...document.querySelectorAll('.tensions-dash .js-plotly-plot')]"
        ".flatMap(g => [...g.querySelectorAll('.legendtext')].map(e => e.textContent))"
    )
    assert pairs[-1] in legend and not [t for t in legend if t.startswith("period (")], legend  # as drawn
    b.shot(page, "dashboard-full.png", dash)
    assert not _errors(page, PANEL)
    assert not page.page_errors, (page.page_errors, page.console_errors)
    assert not page.external_requests, page.external_requests
    page.close()
    print(f"dashboard in JupyterLab: {time.perf_counter() - started:.1f} s")


def test_voila_serves_the_dashboard_offline(workdir, browser):
    command = [
        sys.executable,
        "-m",
        "voila",
        "03-interactive-dashboard.ipynb",
        "--no-browser",
        "--Voila.ip=127.0.0.1",
        f"--token={TOKEN}",
        "--template=offline",  # scripts/jupyter/voila/templates/offline: the lab template minus CDN links
    ]
    with b.serve(command, workdir, "", "voila") as base:  # any request to "/" would run the notebook
        page = _page(browser, height=3000)
        page.goto(f"{base}/?token={TOKEN}", wait_until="domcontentloaded")
        page.wait_for_function(
            "() => document.querySelectorAll('.js-plotly-plot').length >= 2", timeout=120_000
        )
        dash = page.locator(".tensions-dash").first
        before = dash.locator(".widget-html", has_text="pass the filters").first.inner_text()
        _, line = _trace(page, 0, "t => t.name === 'AZE-RUS' && t.mode === 'lines'")
        _, markers = _trace(page, 1, "t => t.mode === 'markers' && t.customdata && t.customdata.length")
        assert len(line["y"]) > 300 and markers["customdata"]  # both views drawn with their data
        quads = dash.locator(".widget-hbox", has_text="Quad class").last
        quads.locator("button", has_text="Material conflict").click()  # a toggle: material conflict off
        assert "mod-active" not in quads.locator("button", has_text="Material conflict").get_attribute(
            "class"
        )
        assert "mod-active" in quads.locator("button", has_text="Verbal conflict").get_attribute("class")
        _wait_for_new_status(page, before)
        after = _wait_for_new_y(page, "AZE-RUS", line["y"])  # the plot redraws after the status line
        assert after["y"] != line["y"]
        assert not _errors(page)
        assert "Traceback" not in page.inner_text("body")
        b.shot(page, "voila.png", dash)
        # anywidget gives each model 2 s to load its module (plotly's, 5 MB) and reports a page error past that
        # even when the model then works, as checked above. Exported pages load the module once for all the
        # figures (notebook_html.share_widget_modules); Voila serves anywidget's own loader, which compiles it
        # once per figure: on a loaded machine that can pass 2 s, so tolerate that one message here
        slow = "[anywidget] Failed to initialize model"
        assert not [e for e in page.page_errors if not e.startswith(slow)], (
            page.page_errors,
            page.console_errors,
        )
        assert not page.external_requests, page.external_requests
        page.close()


def test_exported_dashboard_page_draws_offline_without_page_errors(workdir, browser):
    from tensions.runbook import execute_notebook

    executed = execute_notebook(workdir / "03-interactive-dashboard.ipynb", workdir / "executed")
    html_page = executed.with_suffix(".html")
    page = _page(browser, height=3000)
    page.goto(html_page.as_uri(), wait_until="load")
    page.wait_for_function(
        "() => [...document.querySelectorAll('.js-plotly-plot')].filter(g => g.data && g.data.length).length >= 2",
        timeout=120_000,
    )
    time.sleep(3)  # anywidget would report a model that took over 2 s to load by now
    traces = page.evaluate("() => [...document.querySelectorAll('.js-plotly-plot')].map(g => g.data.length)")
    assert traces[0] >= 4 and traces[1] >= 4, traces  # the tension lines and the timeline, drawn offline
    b.shot(page, "exported-dashboard.png", page.locator(".tensions-dash").first)
    assert not page.page_errors, page.page_errors  # plotly's widget module loaded once for every figure
    assert not page.external_requests, page.external_requests
    page.close()
