"""Real browser: the notebooks run in JupyterLab, the dashboard reacts to controls and clicks, Voilà serves it.

Drives the system Chromium with Playwright against servers started here on 127.0.0.1 (free ports, a token),
on copies of the notebooks in a temporary folder so nothing is saved into ``notebooks/``. Every request the
page makes to another host is blocked and recorded: the views must render offline. Screenshots go to
``reports/browser/``. Run with ``make test-browser`` (about a minute).
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlparse

import pytest

import tensions
from tensions import paths
from tensions.export import find_chromium

pytestmark = [pytest.mark.browser, pytest.mark.timeout(300)]
playwright = pytest.importorskip("playwright.sync_api")
PANEL = ".jp-NotebookPanel:not(.lm-mod-hidden)"  # the notebook in front
TOKEN = "workbook-browser-test"
SHOTS = paths.ROOT / "reports" / "browser"
LOCAL_HOSTS = {"127.0.0.1", "localhost"}
LAB_SETTINGS = {  # no news prompt over the page; every cell rendered, so every prompt can be read
    "@jupyterlab/apputils-extension:notification": {"fetchNews": "false"},
    "@jupyterlab/notebook-extension:tracker": {"windowingMode": "none"},
}
# Where a point of a plotly trace is on screen: axis offset + data-to-pixel, from the graph's own layout.
POINT_JS = """([index, trace, point]) => {
  const gd = document.querySelectorAll('.js-plotly-plot')[index];
  const t = gd.data[trace], xa = gd._fullLayout.xaxis, ya = gd._fullLayout.yaxis;
  const box = gd.getBoundingClientRect();
  return {x: box.left + xa._offset + xa.l2p(xa.d2l(t.x[point])),
          y: box.top + ya._offset + ya.l2p(ya.d2l(t.y[point]))};
}"""


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_for(url: str, server: subprocess.Popen, log: Path, seconds: int = 90) -> None:
    """Wait until ``url`` answers (or, for a URL without a path, until its port accepts connections)."""
    deadline = time.time() + seconds
    parsed = urlparse(url)
    while time.time() < deadline:
        if server.poll() is not None:
            pytest.fail(f"server exited with {server.returncode}: {log.read_text()[-2000:]}")
        try:
            if parsed.path:
                urllib.request.urlopen(url, timeout=2)
            else:
                socket.create_connection((parsed.hostname, parsed.port), timeout=2).close()
            return
        except OSError:
            time.sleep(0.5)
    pytest.fail(f"server did not answer {url} within {seconds} s: {log.read_text()[-2000:]}")


@contextlib.contextmanager
def _serve(command: list[str], root: Path, probe: str, name: str) -> Iterator[str]:
    """Start a server on a free port, yield its base URL, and always stop it (and its kernels)."""
    port = _free_port()
    for plugin, values in LAB_SETTINGS.items():
        package, name = plugin.rsplit(":", 1)
        folder = root / "lab-settings" / package
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"{name}.jupyterlab-settings").write_text(json.dumps(values))
    env = {
        **os.environ,
        "TENSIONS_REPORTS_DIR": str(root / "reports"),
        "JUPYTER_CONFIG_DIR": str(root / "config"),
        "JUPYTERLAB_SETTINGS_DIR": str(root / "lab-settings"),
        "JUPYTERLAB_WORKSPACES_DIR": str(root / "workspaces"),
        "JUPYTER_PATH": str(paths.ROOT / "scripts" / "jupyter"),
    }
    log = root / f"{name}.log"
    with log.open("w") as out:
        server = subprocess.Popen(
            [*command, f"--port={port}"],
            cwd=root,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_for(f"{base}{probe}", server, log)
        yield base
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, 9)
            server.wait(timeout=10)


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
    command = [
        sys.executable,
        "-m",
        "jupyterlab",
        "--no-browser",
        "--ip=127.0.0.1",
        f"--IdentityProvider.token={TOKEN}",
        f"--ServerApp.root_dir={workdir}",
        "--LabApp.news_url=",
        "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
        "--allow-root",
    ]
    with _serve(command, workdir, f"/api/status?token={TOKEN}", "jupyterlab") as base:
        yield base


@pytest.fixture(scope="module")
def browser(workdir):
    with playwright.sync_playwright() as p:
        chromium = p.chromium.launch(
            executable_path=find_chromium(),
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--no-first-run",
            ],
        )
        try:
            yield chromium
        finally:
            chromium.close()


def _page(browser, width: int = 1400, height: int = 1000):
    """A page whose requests to any other host than this machine are blocked and recorded."""
    context = browser.new_context(
        viewport={"width": width, "height": height}
    )  # no cache shared between pages
    page = context.new_page()
    page.on("close", lambda _: context.close())
    page.set_default_timeout(60_000)
    page.external_requests = []

    def route(request_route):
        if urlparse(request_route.request.url).hostname in LOCAL_HOSTS:
            request_route.continue_()
        else:
            page.external_requests.append(request_route.request.url)
            request_route.abort()

    page.route("**/*", route)
    page.page_errors = []
    page.on("pageerror", lambda exc: page.page_errors.append(f"{exc} {exc.stack}"))
    page.console_errors = []
    page.on("console", lambda m: page.console_errors.append(m.text) if m.type == "error" else None)
    return page


def _run_all(page, base: str, notebook: str, timeout_s: int = 150) -> None:
    workspace = Path(notebook).stem  # a fresh workspace per notebook: no tab restored from another test
    page.goto(
        f"{base}/lab/workspaces/{workspace}/tree/{notebook}?reset&token={TOKEN}",
        wait_until="domcontentloaded",
    )
    page.wait_for_selector(f"{PANEL} .jp-Notebook .jp-Cell")
    page.wait_for_function(  # the kernel is connected and idle
        "() => /\\|\\s*Idle/.test(document.querySelector('.jp-StatusBar-Widget, #jp-main-statusbar')?.innerText)",
        timeout=90_000,
    )
    for _attempt in range(4):  # Run All is ignored while the kernel is still connecting: try again
        page.get_by_role("menuitem", name="Run", exact=True).click()
        page.get_by_text("Run All Cells", exact=True).click()
        started = time.time()
        while time.time() - started < 15:
            prompts = page.locator(f"{PANEL} .jp-CodeCell .jp-InputPrompt").all_inner_texts()
            if any(re.fullmatch(r"\[(\*|\d+)\]:", p.strip()) for p in prompts):
                break
            time.sleep(0.5)
        else:
            continue
        break
    deadline = time.time() + timeout_s
    while time.time() < deadline:
        prompts = page.locator(f"{PANEL} .jp-CodeCell .jp-InputPrompt").all_inner_texts()
        if prompts and all(re.fullmatch(r"\[\d+\]:", p.strip()) for p in prompts):
            return
        time.sleep(0.5)
    _shot(page, f"{Path(notebook).stem}-timeout.png")
    pytest.fail(f"{notebook}: cells still running after {timeout_s} s (screenshot in {SHOTS})")


def _errors(page, scope: str = "body") -> list[str]:
    outputs = page.locator(
        f"{scope} .jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr'], "
        f"{scope} .jp-OutputArea-output.jp-mod-error, {scope} .jp-RenderedText[data-mime-type*='error']"
    )
    texts = outputs.all_inner_texts()
    return [t for t in texts if "Traceback" in t or "Error" in t]


def _shot(page, name: str, locator=None) -> Path:
    path = paths.ensure_dir(SHOTS) / name
    (locator or page).screenshot(path=str(path), **({} if locator else {"full_page": True}))
    return path


def _plots(page) -> int:
    return page.locator(".js-plotly-plot").count()


def _click_point(page, plot: int, trace: int, point: int) -> None:
    page.locator(".js-plotly-plot").nth(plot).scroll_into_view_if_needed()
    where = page.evaluate(POINT_JS, [plot, trace, point])
    page.mouse.move(where["x"], where["y"])
    time.sleep(0.3)  # plotly picks the point under the cursor on hover
    page.mouse.click(where["x"], where["y"])


def _wait_for_new_status(page, old: str) -> None:
    """Wait until the dashboard's status line ("... pass the filters ...") reads something other than ``old``."""
    page.wait_for_function(
        "(old) => [...document.querySelectorAll('.tensions-dash .widget-html')]"
        ".some(e => e.innerText.includes('pass the filters') && e.innerText !== old)",
        arg=old,
    )


def _trace(page, plot: int, predicate: str) -> tuple[int, dict]:
    """Index and data of the first trace of plot ``plot`` for which the JS ``predicate(t)`` holds."""
    found = page.evaluate(
        f"""(plot) => {{ const data = document.querySelectorAll('.js-plotly-plot')[plot].data;
        const i = data.findIndex(t => ({predicate})(t));
        return i < 0 ? null : [i, {{name: data[i].name, x: data[i].x, y: data[i].y,
                                     customdata: data[i].customdata}}]; }}""",
        plot,
    )
    assert found is not None, f"no trace matching {predicate}"
    return found[0], found[1]


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
    status = dash.locator(".widget-html", has_text="pass the filters").first
    before_status = status.inner_text()
    line_index, line = _trace(page, 0, "t => t.name === 'AZE-RUS' && t.mode === 'lines'")
    alleged = [
        row.split("\t")[0]
        for row in dash.locator("table tr").all_inner_texts()
        if row.split("\t")[-2:-1] == ["alleged"]
    ]
    assert alleged, "the table lists alleged events before the filter"

    # a control change: the status, the table and the line's values change in the browser
    dash.locator(".widget-dropdown", has_text="Confidence at least").locator("select").select_option(
        "confirmed"
    )
    _wait_for_new_status(page, before_status)
    _, after = _trace(page, 0, "t => t.name === 'AZE-RUS' && t.mode === 'lines'")
    assert after["y"] != line["y"]
    table = dash.inner_text()
    assert not any(event_id in table for event_id in alleged)  # alleged events left the table

    # a click on the AZE-RUS line on 2024-12-27 explains that point, with a waterfall
    _click_point(page, 0, line_index, after["x"].index("2024-12-27"))
    page.wait_for_function(
        "() => document.querySelector('.tensions-dash').innerText.includes('AZE-RUS on 2024-12-27')"
    )
    page.wait_for_function("() => document.querySelectorAll('.tensions-dash .js-plotly-plot').length >= 3")
    events = tensions.load_events()
    downing = events[(events["date"] == "2024-12-25") & (events["cameo_code"] == "190")]
    detail = dash.locator(".widget-html", has_text="AZE-RUS on 2024-12-27").first.inner_text()
    assert downing["event_id"].item() in detail and "add up to the pressure" in detail
    _shot(page, "dashboard.png", dash)

    # a click on an event of the timeline shows its sources and evidence quote
    timeline = page.locator(".tensions-dash .js-plotly-plot").count() - 1  # tension, waterfall, timeline
    event_id = downing["event_id"].item()
    marker_index, markers = _trace(
        page,
        timeline,
        f"t => t.mode === 'markers' && t.customdata && t.customdata.some(r => r[8] === '{event_id}')",
    )
    _click_point(page, timeline, marker_index, [row[-1] for row in markers["customdata"]].index(event_id))
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
    with _serve(command, workdir, "", "voila") as base:  # any request to "/" would run the notebook
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
        dash.locator(".widget-select-multiple", has_text="Quad class").locator("select").select_option(
            ["Verbal conflict", "Material conflict"]
        )
        _wait_for_new_status(page, before)
        _, after = _trace(page, 0, "t => t.name === 'AZE-RUS' && t.mode === 'lines'")
        assert after["y"] != line["y"]
        assert not _errors(page)
        assert "Traceback" not in page.inner_text("body")
        _shot(page, "voila.png", dash)
        # anywidget gives each model 2 s to load its module (plotly's, 5 MB) and reports a page error past that
        # even when the model then works, as checked above; on a loaded machine that happens: tolerate it
        slow = "[anywidget] Failed to initialize model"
        assert not [e for e in page.page_errors if not e.startswith(slow)], (
            page.page_errors,
            page.console_errors,
        )
        assert not page.external_requests, page.external_requests
        page.close()
