"""JupyterLab and Voilà driven in Chromium: servers, pages, and the dashboard's wall-time latency.

Shared by ``tests/test_browser.py`` (which checks what the dashboard shows and prints its latency) and
``bench/bench_dashboard.py`` (which prints the same latency figures in ``make bench``). Servers run on
127.0.0.1 on free ports with a token, on copies of the notebooks in a scratch folder; every request a page
makes to another host is blocked and recorded.

Latency is measured in the page: a capturing listener notes the time of the first input event of a control
change (a key, a pointer press, a ``change``), a ``MutationObserver`` on the dashboard notes every DOM
change that follows (the plotly redraws, the table, the status line), and the latency is the time from the
input to the last change once the dashboard has been quiet for a while.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import urlparse

from tensions import paths
from tensions.export import find_chromium

PANEL = ".jp-NotebookPanel:not(.lm-mod-hidden)"  # the notebook in front
TOKEN = "workbook-browser-test"
SHOTS = paths.ROOT / "reports" / "browser"
LOCAL_HOSTS = {"127.0.0.1", "localhost"}
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
LAB_SETTINGS = {  # no news prompt over the page; every cell rendered, so every prompt can be read
    "@jupyterlab/apputils-extension:notification": {"fetchNews": "false"},
    "@jupyterlab/notebook-extension:tracker": {"windowingMode": "none"},
}
QUIET_MS = 400  # once the kernel is done, the dashboard is redrawn when nothing in it changed for this long
# Where a point of a plotly trace is on screen: axis offset + data-to-pixel, from the graph's own layout.
POINT_JS = """([index, trace, point]) => {
  const gd = document.querySelectorAll('.js-plotly-plot')[index];
  const t = gd.data[trace], xa = gd._fullLayout.xaxis, ya = gd._fullLayout.yaxis;
  const box = gd.getBoundingClientRect();
  return {x: box.left + xa._offset + xa.l2p(xa.d2l(t.x[point])),
          y: box.top + ya._offset + ya.l2p(ya.d2l(t.y[point]))};
}"""
ARM_JS = """() => {
  const root = document.querySelector('.tensions-dash');
  if (!window.__dash) {
    window.__dash = {t0: null, last: 0};
    const mark = () => { window.__dash.last = performance.now(); };
    new MutationObserver(mark).observe(root, {subtree: true, childList: true, attributes: true,
                                              characterData: true});
    for (const type of ['keydown', 'pointerdown', 'change']) {
      document.addEventListener(type, () => {
        if (window.__dash.t0 === null) window.__dash.t0 = performance.now();
      }, true);
    }
  }
  window.__dash.t0 = null;
  window.__dash.last = 0;
  window.__dash.status = document.querySelector('.tensions-dash [data-update]')?.dataset.update;
}"""
SETTLED_JS = """async ([quiet, limit, status]) => {
  const d = window.__dash, begun = performance.now();
  // the status line's counter moves once the kernel is done (a page without one: quiet is enough)
  const counter = () => document.querySelector('.tensions-dash [data-update]')?.dataset.update;
  const moved = () => !status || d.status === undefined || counter() !== d.status;
  while (performance.now() - begun < limit) {
    await new Promise(r => setTimeout(r, 20));
    if (d.t0 !== null && d.last > d.t0 && moved() && performance.now() - d.last > quiet) return d.last - d.t0;
  }
  return -1;
}"""


def free_port() -> int:
    """A TCP port free on 127.0.0.1 right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class ServerError(RuntimeError):
    """A server did not start or answer."""


def wait_for(url: str, server: subprocess.Popen, log: Path, seconds: int = 90) -> None:
    """Wait until ``url`` answers (or, for a URL without a path, until its port accepts connections)."""
    deadline = time.time() + seconds
    parsed = urlparse(url)
    while time.time() < deadline:
        if server.poll() is not None:
            raise ServerError(f"server exited with {server.returncode}: {log.read_text()[-2000:]}")
        try:
            if parsed.path:
                urllib.request.urlopen(url, timeout=2)
            else:
                socket.create_connection((parsed.hostname, parsed.port), timeout=2).close()
            return
        except OSError:
            time.sleep(0.5)
    raise ServerError(f"server did not answer {url} within {seconds} s: {log.read_text()[-2000:]}")


@contextlib.contextmanager
def serve(command: list[str], root: Path, probe: str, name: str) -> Iterator[str]:
    """Start a server on a free port in ``root``, yield its base URL, and always stop it (and its kernels)."""
    port = free_port()
    for plugin, values in LAB_SETTINGS.items():
        package, setting = plugin.rsplit(":", 1)
        folder = root / "lab-settings" / package
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"{setting}.jupyterlab-settings").write_text(json.dumps(values))
    env = {
        **os.environ,
        "TENSIONS_REPORTS_DIR": str(root / "reports"),
        "JUPYTER_CONFIG_DIR": str(root / "config"),
        "JUPYTERLAB_SETTINGS_DIR": str(root / "lab-settings"),
        "JUPYTERLAB_WORKSPACES_DIR": str(root / "workspaces"),
        "JUPYTER_PATH": str(paths.ROOT / "scripts" / "jupyter"),
        "PYTHONPATH": os.pathsep.join(filter(None, [str(paths.ROOT), os.environ.get("PYTHONPATH")])),
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
        wait_for(f"{base}{probe}", server, log)
        yield base
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, 9)
            server.wait(timeout=10)


def lab_command(root: Path) -> list[str]:
    """The command line of a JupyterLab server on ``root`` (no browser, no news, a fixed token)."""
    return [
        sys.executable,
        "-m",
        "jupyterlab",
        "--no-browser",
        "--ip=127.0.0.1",
        f"--IdentityProvider.token={TOKEN}",
        f"--ServerApp.root_dir={root}",
        "--LabApp.news_url=",
        "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
        "--allow-root",
    ]


@contextlib.contextmanager
def lab_server(root: Path) -> Iterator[str]:
    """A JupyterLab server on ``root``; yields its base URL."""
    with serve(lab_command(root), root, f"/api/status?token={TOKEN}", "jupyterlab") as base:
        yield base


@contextlib.contextmanager
def chromium_browser() -> Iterator[object]:
    """The system Chromium, headless, driven by Playwright."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=find_chromium(), headless=True, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


def open_page(browser, width: int = 1400, height: int = 1000):
    """A page whose requests to any other host than this machine are blocked and recorded (files are local)."""
    context = browser.new_context(viewport={"width": width, "height": height})  # no cache shared
    page = context.new_page()
    page.on("close", lambda _: context.close())
    page.set_default_timeout(60_000)
    page.external_requests = []

    def route(request_route):
        url = urlparse(request_route.request.url)
        if url.hostname in LOCAL_HOSTS or url.scheme in ("file", "data", "blob"):  # this machine, this page
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


def shot(page, name: str, locator=None) -> Path:
    """Save a screenshot under ``reports/browser/`` (the whole page, or one element)."""
    path = paths.ensure_dir(SHOTS) / name
    (locator or page).screenshot(path=str(path), **({} if locator else {"full_page": True}))
    return path


def run_all(page, base: str, notebook: str, timeout_s: int = 150) -> float:
    """Open ``notebook`` in JupyterLab, Run All, wait for every cell; return the seconds from Run All."""
    workspace = Path(notebook).stem  # a fresh workspace per notebook: no tab restored from another run
    page.goto(
        f"{base}/lab/workspaces/{workspace}/tree/{notebook}?reset&token={TOKEN}",
        wait_until="domcontentloaded",
    )
    page.wait_for_selector(f"{PANEL} .jp-Notebook .jp-Cell")
    page.wait_for_function(  # the kernel is connected and idle
        "() => /\\|\\s*Idle/.test(document.querySelector('.jp-StatusBar-Widget, #jp-main-statusbar')?.innerText)",
        timeout=90_000,
    )
    started = time.perf_counter()
    for _attempt in range(4):  # Run All is ignored while the kernel is still connecting: try again
        started = time.perf_counter()
        page.get_by_role("menuitem", name="Run", exact=True).click()
        page.get_by_text("Run All Cells", exact=True).click()
        while time.perf_counter() - started < 15:
            prompts = page.locator(f"{PANEL} .jp-CodeCell .jp-InputPrompt").all_inner_texts()
            if any(re.fullmatch(r"\[(\*|\d+)\]:", p.strip()) for p in prompts):
                break
            time.sleep(0.2)
        else:
            continue
        break
    deadline = time.time() + timeout_s
    while time.time() < deadline:
        prompts = page.locator(f"{PANEL} .jp-CodeCell .jp-InputPrompt").all_inner_texts()
        if prompts and all(re.fullmatch(r"\[\d+\]:", p.strip()) for p in prompts):
            return time.perf_counter() - started
        time.sleep(0.2)
    shot(page, f"{Path(notebook).stem}-timeout.png")
    raise TimeoutError(f"{notebook}: cells still running after {timeout_s} s (screenshot in {SHOTS})")


def click_point(page, plot: int, trace: int, point: int) -> None:
    """Hover, then click, the point ``point`` of trace ``trace`` of the ``plot``-th plotly graph."""
    page.locator(".js-plotly-plot").nth(plot).scroll_into_view_if_needed()
    where = page.evaluate(POINT_JS, [plot, trace, point])
    page.mouse.move(where["x"], where["y"])
    time.sleep(0.3)  # plotly picks the point under the cursor on hover
    page.mouse.click(where["x"], where["y"])


def trace_data(page, plot: int, predicate: str) -> tuple[int, dict] | None:
    """Index and data of the first trace of plot ``plot`` for which the JS ``predicate(t)`` holds."""
    return page.evaluate(
        f"""(plot) => {{ const data = document.querySelectorAll('.js-plotly-plot')[plot].data;
        const i = data.findIndex(t => ({predicate})(t));
        return i < 0 ? null : [i, {{name: data[i].name, x: data[i].x, y: data[i].y,
                                     customdata: data[i].customdata}}]; }}""",
        plot,
    )


def timed(page, action: Callable[[], None], status: bool = True, limit_ms: float = 30_000) -> float:
    """Milliseconds from the first input event of ``action`` to the dashboard's last redraw (-1: none).

    With ``status`` the redraw counts only once the status line says the kernel has finished the change
    (a control change); without, the dashboard just has to be quiet (a click that explains a point).
    """
    page.evaluate(ARM_JS)
    action()
    return float(page.evaluate(SETTLED_JS, [QUIET_MS if status else 2 * QUIET_MS, limit_ms, status]))


# ------------------------------------------------------------------------------------------ controls


def _dashboard(page):
    return page.locator(".tensions-dash").first


def select_confidence(page, level: str) -> None:
    """Choose the minimum confidence in its dropdown."""
    _dashboard(page).locator(".widget-dropdown", has_text="Confidence at least").locator(
        "select"
    ).select_option(level)


def nudge_slider(page, label: str, key: str, handle: int = 0) -> None:
    """Press ``key`` (``ArrowLeft``/``ArrowRight``) on handle ``handle`` of the slider labelled ``label``."""
    slider = _dashboard(page).locator(".widget-slider", has_text=label).first
    knob = slider.locator(".noUi-handle").nth(handle)
    knob.focus()
    knob.press(key)


def pair_tags(page) -> list[str]:
    """The pairs chosen in the pair picker, in order."""
    picker = _dashboard(page).locator(".jupyter-widget-tagsinput").first
    return [t.strip() for t in picker.locator("div.jupyter-widget-tag").all_inner_texts()]


def remove_last_pair(page) -> None:
    """Remove the last chosen pair (the cross of its tag)."""
    picker = _dashboard(page).locator(".jupyter-widget-tagsinput").first
    picker.locator("div.jupyter-widget-tag").last.locator(".jupyter-widget-tag-close").click()


def type_pair(page, pair: str):
    """Type a pair into the pair picker (not yet added); return its input box."""
    picker = _dashboard(page).locator(".jupyter-widget-tagsinput").first
    box = picker.locator("input.jupyter-widget-taginput").first
    if not box.is_visible():  # the input shows once the picker is clicked
        where = picker.bounding_box()
        page.mouse.click(where["x"] + where["width"] - 8, where["y"] + where["height"] / 2)
    box.fill(pair)
    return box


def commit_pair(box) -> None:
    """Add the pair typed in ``box``: its value committed (what Enter or leaving the box does)."""
    box.dispatch_event("change")


def add_pair(page, pair: str) -> None:
    """Type a pair into the pair picker and add it."""
    commit_pair(type_pair(page, pair))


def measure_latency(page, pairs_cycle: tuple[str, ...] = (), rounds: int = 3) -> dict[str, list[float]]:
    """Wall times (ms) of control changes in the dashboard on ``page``, each change made ``rounds`` times.

    Changes: remove then add a pair (``pairs_cycle`` names the pair to add back), a month more or less at
    the start of the window, half-life up or down a step, minimum confidence confirmed/alleged. Each change
    is undone by the next, so the dashboard ends as it began.
    """
    page.evaluate("() => document.querySelector('.tensions-dash').scrollIntoView()")
    out: dict[str, list[float]] = {"pairs": [], "months": [], "half_life": [], "confidence": []}
    for _ in range(rounds):
        if pairs_cycle:
            last = pairs_cycle[-1]
            out["pairs"].append(timed(page, lambda: remove_last_pair(page)))
            box = type_pair(page, last)
            out["pairs"].append(timed(page, lambda box=box: commit_pair(box)))
        out["months"].append(timed(page, lambda: nudge_slider(page, "Months", "ArrowRight")))
        out["months"].append(timed(page, lambda: nudge_slider(page, "Months", "ArrowLeft")))
        out["half_life"].append(timed(page, lambda: nudge_slider(page, "Half-life", "ArrowRight")))
        out["half_life"].append(timed(page, lambda: nudge_slider(page, "Half-life", "ArrowLeft")))
        out["confidence"].append(timed(page, lambda: select_confidence(page, "confirmed")))
        out["confidence"].append(timed(page, lambda: select_confidence(page, "alleged")))
    return {k: v for k, v in out.items() if v}


def click_peak(page) -> None:
    """Click the highest point of the first line of the tension view (it explains that point)."""
    found = trace_data(page, 0, "t => (t.mode || '').startsWith('lines') && t.name && t.visible !== false")
    if found is None:
        raise LookupError("no line on the tension view")
    index, line = found
    ys = line["y"]
    click_point(page, 0, index, max(range(len(ys)), key=lambda i: ys[i]))


def click_button(page, label: str) -> None:
    """Click the dashboard's button labelled ``label``."""
    _dashboard(page).get_by_role("button", name=label).click()


def measure_clicks(page, rounds: int = 3) -> dict[str, list[float]]:
    """Wall times (ms) of a click that explains a point of a line and of *Table as CSV* (when present)."""
    out: dict[str, list[float]] = {"explain": []}
    for _ in range(rounds):
        try:
            out["explain"].append(timed(page, lambda: click_peak(page), status=False))
        except LookupError:  # no line drawn (every event filtered out): nothing to explain
            break
        page.mouse.move(5, 5)
        time.sleep(0.3)
    if not out["explain"]:
        del out["explain"]
    if _dashboard(page).get_by_role("button", name="Table as CSV").count():
        out["table_csv"] = [
            timed(page, lambda: click_button(page, "Table as CSV"), status=False) for _ in range(rounds)
        ]
    return out


def summarise_latency(times: dict[str, list[float]]) -> str:
    """``name median (max)`` per kind of change, in ms, on one line."""
    return ", ".join(
        f"{name} {statistics.median(values):.0f} ({max(values):.0f})" for name, values in times.items()
    )
