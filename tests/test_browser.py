"""Real browser: JupyterLab runs the notebooks (Run All) and the dashboard reacts to a control.

Drives the system Chromium with Playwright against a JupyterLab started on 127.0.0.1 by the test, on copies of
the notebooks in a temporary folder (so nothing is saved into ``notebooks/``). Run with ``make test-browser``.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tensions import paths
from tensions.export import find_chromium

pytestmark = pytest.mark.browser
playwright = pytest.importorskip("playwright.sync_api")
PANEL = ".jp-NotebookPanel:not(.lm-mod-hidden)"  # the notebook in front (restored tabs stay in the page)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    if find_chromium() is None:
        pytest.skip("needs Chromium")
    root = tmp_path_factory.mktemp("lab")
    for notebook in paths.NOTEBOOKS_DIR.glob("0[13]-*.ipynb"):
        shutil.copy(notebook, root / notebook.name)
    port, token = _free_port(), "workbook-test-token"
    env = {
        **os.environ,
        "TENSIONS_REPORTS_DIR": str(root / "reports"),
        "JUPYTER_CONFIG_DIR": str(root / "cfg"),
    }
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "jupyterlab",
            "--no-browser",
            f"--port={port}",
            "--ip=127.0.0.1",
            f"--IdentityProvider.token={token}",
            f"--ServerApp.root_dir={root}",
            "--ServerApp.open_browser=False",
            "--LabApp.news_url=",
            "--LabApp.collaborative=False",
            "--allow-root",
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.time() + 90
    while time.time() < deadline:
        try:
            urllib.request.urlopen(f"{base}/api/status?token={token}", timeout=2)
            break
        except OSError:
            time.sleep(1)
    else:
        server.kill()
        pytest.fail("JupyterLab did not start within 90 s")
    try:
        yield {"base": base, "token": token, "root": root}
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()


@pytest.fixture(scope="module")
def browser(lab):
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
                "--disable-sync",
            ],
        )
        yield chromium
        chromium.close()


def _run_all(page, lab, notebook: str, timeout_s: int = 240) -> None:
    page.goto(f"{lab['base']}/lab/tree/{notebook}?token={lab['token']}", wait_until="domcontentloaded")
    page.wait_for_selector(".jp-Notebook .jp-Cell", timeout=60_000)
    page.wait_for_function(
        "() => document.querySelector('.jp-Notebook-ExecutionIndicator, .jp-Toolbar-kernelStatus') !== null",
        timeout=60_000,
    )
    time.sleep(3)  # let the kernel connect
    page.get_by_role("menuitem", name="Run", exact=True).click()
    page.get_by_text("Run All Cells", exact=True).click()
    deadline = time.time() + timeout_s
    while time.time() < deadline:
        busy = page.locator(f"{PANEL} .jp-InputPrompt", has_text="[*]").count()
        pending = page.locator(f"{PANEL} .jp-Cell .jp-InputPrompt", has_text=re.compile(r"^\[\s*\]:")).count()
        if busy == 0 and pending == 0:
            return
        time.sleep(1)
    shots = paths.ensure_dir(paths.ROOT / "reports" / "browser")
    page.screenshot(path=str(Path(shots) / f"{notebook}-timeout.png"), full_page=True)
    pytest.fail(f"{notebook}: cells still running after {timeout_s} s (screenshot in {shots})")


def _errors(page) -> list[str]:
    outputs = page.locator(f"{PANEL} .jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']")
    texts = [outputs.nth(i).inner_text() for i in range(outputs.count())]
    return [t for t in texts if "Traceback" in t or "Error" in t]


def test_timeline_notebook_runs_all_in_jupyterlab(lab, browser):
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    _run_all(page, lab, "01-event-timeline.ipynb")
    assert not _errors(page)
    page.wait_for_selector(".js-plotly-plot", timeout=60_000)
    assert page.locator(".js-plotly-plot").count() >= 1
    page.close()


def test_dashboard_renders_and_reacts_to_a_control(lab, browser):
    page = browser.new_page(viewport={"width": 1400, "height": 1600})
    _run_all(page, lab, "03-interactive-dashboard.ipynb")
    assert not _errors(page)
    page.wait_for_selector(".widget-select-multiple", timeout=60_000)
    page.wait_for_function("() => document.querySelectorAll('.js-plotly-plot').length >= 2", timeout=90_000)
    status = page.locator(".widget-html", has_text="events shown").first
    before = status.inner_text()
    page.locator(".widget-dropdown", has_text="At least").locator("select").select_option("confirmed")
    page.wait_for_function(
        "(old) => [...document.querySelectorAll('.widget-html')].some(e => e.innerText.includes('events shown')"
        " && e.innerText !== old)",
        arg=before,
        timeout=30_000,
    )
    after = status.inner_text()
    assert after != before
    shots = paths.ensure_dir(paths.ROOT / "reports" / "browser")
    page.screenshot(path=str(Path(shots) / "dashboard.png"), full_page=True)
    page.close()
