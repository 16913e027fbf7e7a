"""Dashboard benchmark: how long it takes to open, and from a control change to the redrawn view.

Three parts:

* **open**: a fresh Python process imports the libraries and the workbook (the imports), loads the curated
  set and builds the dashboard and its display bundle (the construction); the median wall and CPU time of
  each phase over five processes is printed, with a second build in the same process. The baseline, run
  in a fresh process just before each open: pandas, ipywidgets and plotly's FigureWidget imported alone.
* **kernel**: a control value is set programmatically and the clock stops when its observer has returned
  (observers run synchronously, so by then every trace, the table and the status are updated and the
  messages to the browser are sent). Measured on the curated set and on a synthetic 100,000-event set over
  a cycle of changes of every kind. The baseline (:class:`RebuildingDashboard`) handles the same changes by
  deleting the views' traces and drawing them again from scratch, as the dashboard once did.
* **browser**: JupyterLab in Chromium (``bench/browser.py``), wall time from the input event to the last
  change of the dashboard's DOM, for changes of pairs, months, half-life and confidence, a click that
  explains a point, and *Table as CSV*; on the curated set and on 100,000 synthetic events. Skipped with
  ``BENCH_BROWSER=0`` or without Chromium.

Run: ``python -m bench dashboard`` (``BENCH_QUICK=1`` for a 20,000-event synthetic set and fewer changes).
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

import tensions
from bench.bench_scoring import make_synthetic_events
from tensions import paths
from tensions.widgets import Dashboard

KERNEL_TARGET_MS = 150
BROWSER_TARGET_MS = {"curated": 300, "synthetic": 600}
OPEN_TARGET_S = 1.0
LIBRARIES_SCRIPT = """
import json, sys, time
marks = [("start", time.perf_counter(), time.process_time())]
import pandas
marks.append(("pandas", time.perf_counter(), time.process_time()))
import ipywidgets
marks.append(("ipywidgets", time.perf_counter(), time.process_time()))
sys.modules.setdefault("rfc3987_syntax", None)  # what tensions.widgets.view does before FigureWidget loads
import plotly.graph_objects as go
go.FigureWidget
marks.append(("plotly", time.perf_counter(), time.process_time()))
"""
OPEN_SCRIPT = (
    LIBRARIES_SCRIPT
    + """
from tensions.checks_library import import_pandera
import_pandera()
marks.append(("pandera", time.perf_counter(), time.process_time()))
import tensions
from tensions.widgets import Dashboard
marks.append(("workbook", time.perf_counter(), time.process_time()))
ds = tensions.load_dataset()
marks.append(("data", time.perf_counter(), time.process_time()))
board = Dashboard(ds["events"], eras=ds["eras"], sources=ds["sources"])
marks.append(("first build", time.perf_counter(), time.process_time()))
board._repr_mimebundle_()
marks.append(("display", time.perf_counter(), time.process_time()))
Dashboard(ds["events"], eras=ds["eras"], sources=ds["sources"])
marks.append(("second build", time.perf_counter(), time.process_time()))
"""
)
REPORT_LINE = """
print(json.dumps({b[0]: [b[1] - a[1], b[2] - a[2]] for a, b in zip(marks, marks[1:])}))
"""
LIBRARY_PHASES = ("pandas", "ipywidgets", "plotly")
IMPORT_PHASES = (*LIBRARY_PHASES, "pandera", "workbook")
BUILD_PHASES = ("data", "first build", "display")


class RebuildingDashboard(Dashboard):
    """The baseline: every change deletes the views' traces and draws them again from scratch."""

    def update(self, rebuild: bool = False) -> set[str]:
        """Clear both views, then draw them again with the chart builders."""
        for fig in (self.tension, self.timeline):
            fig.data = []
        return super().update(rebuild=True)


def make_synthetic_dashboard_events(n: int, seed: int = 2) -> pd.DataFrame:
    """Synthetic events with every column the dashboard uses (40 made-up countries over three years)."""
    events = make_synthetic_events(n, 40, 3, seed=seed)
    events["pair"] = tensions.canonical_pairs(events["actor"], events["target"])
    rng = np.random.default_rng(seed + 1)
    events["themes"] = rng.choice(["security", "trade;energy", "diplomacy", "media;security"], n)
    events["quad_class"] = np.select(
        [events["goldstein"] >= 5, events["goldstein"] >= 0, events["goldstein"] >= -5], [2, 1, 3], 4
    )
    events["title"] = "synthetic event " + events["event_id"].astype(str)
    events["cameo_code"] = "010"
    events["source_ids"] = "synthetic"
    events["date_precision"] = "day"
    return events


def change_cycle(board: Dashboard) -> list[tuple[str, object]]:
    """One change of each kind, then back, so the cycle can repeat (the first change is never a no-op)."""
    months = len(board.controls["dates"].options)
    wide, narrow = board.controls["dates"].index, (max(0, months - 13), months - 1)
    themes = board.controls["themes"].allowed_tags
    return [
        ("half_life", 14.0),
        ("confidence", "confirmed"),
        ("half_life", 60.0),
        ("quads", (3, 4)),
        ("dates", narrow),
        ("goldstein", "GDELT"),
        ("themes", list(themes[: max(1, len(themes) // 2)])),
        ("confidence", "reported"),
        ("dates", wide),
        ("quads", (1, 2, 3, 4)),
        ("goldstein", "events' own weights"),
        ("themes", []),
        ("confidence", "alleged"),
        ("half_life", 30.0),
    ]


def set_control(board: Dashboard, name: str, value) -> float:
    """Seconds from setting the control to its observer having updated the views."""
    control = board.controls[name]
    started = time.perf_counter()
    if name == "dates":
        control.index = value
    else:
        control.value = value
    return time.perf_counter() - started


def structural_changes(board: Dashboard, pairs: list[str]) -> list[float]:
    """Pairs -1, +1, -2, +2, then method GDELT-style and back: seconds each."""
    return [
        set_control(board, "pairs", pairs[:-1]),
        set_control(board, "pairs", pairs),
        set_control(board, "pairs", pairs[:2]),
        set_control(board, "pairs", pairs),
        set_control(board, "method", "gdelt"),
        set_control(board, "method", "index"),
    ]


def summarise(times: list[float]) -> tuple[float, float]:
    """Median and 95th percentile."""
    ordered = sorted(times)
    p95 = ordered[min(len(ordered) - 1, int(np.ceil(0.95 * len(ordered))) - 1)]
    return statistics.median(times), p95


def bench_kernel(name: str, events: pd.DataFrame, rounds: int, eras=None) -> dict:
    """Kernel-side update times, in place against the rebuilding baseline, on one events set."""
    pairs = events["pair"].value_counts().index[:4].tolist()
    board = Dashboard(events, eras=eras, pairs=pairs)
    baseline = RebuildingDashboard(events, eras=eras, pairs=pairs)
    set_control(board, "half_life", 20.0)  # warm-up
    cycle = change_cycle(board)
    fast = [set_control(board, n, v) for _ in range(rounds) for n, v in cycle]
    slow = [set_control(baseline, n, v) for n, v in cycle]
    structural = [t for _ in range(rounds) for t in structural_changes(board, pairs)]
    structural_slow = structural_changes(baseline, pairs)
    (f_med, f_p95), (s_med, _) = summarise(fast), summarise(slow)
    pairs_fast = [t for i, t in enumerate(structural) if i % 6 < 4]
    pairs_slow = structural_slow[:4]
    print(f"{name}: {len(events):,} events, {len(board.context):,} in the 4 chosen pairs")
    print(
        f"  filter/knob change, in place: median {f_med * 1000:6.0f} ms, p95 {f_p95 * 1000:6.0f} ms over "
        f"{len(fast)} changes; rebuilt: median {s_med * 1000:6.0f} ms ({s_med / f_med:.1f}x)"
    )
    p_med, p_max = statistics.median(pairs_fast), max(pairs_fast)
    print(
        f"  pairs change, in place: median {p_med * 1000:6.0f} ms, max {p_max * 1000:6.0f} ms "
        f"(aim < {KERNEL_TARGET_MS} ms: {'met' if p_max < KERNEL_TARGET_MS / 1000 else 'NOT met'}); "
        f"rebuilt: median {statistics.median(pairs_slow) * 1000:.0f} ms "
        f"({statistics.median(pairs_slow) / p_med:.1f}x)"
    )
    methods = [t for i, t in enumerate(structural) if i % 6 >= 4]
    print("  method change: " + ", ".join(f"{t * 1000:.0f}" for t in methods) + " ms")
    return {"set": name, "fast_median": f_med, "pairs_median": p_med}


def phase_times(script: str) -> dict[str, tuple[float, float]]:
    """Run ``script`` in a fresh Python process: its phases' (wall, CPU) seconds."""
    out = subprocess.run(
        [sys.executable, "-W", "ignore", "-c", script + REPORT_LINE],
        capture_output=True,
        text=True,
        check=True,
        cwd=paths.ROOT,
    ).stdout.splitlines()
    return {name: (wall, cpu) for name, (wall, cpu) in json.loads(out[-1]).items()}


def median_phases(samples: list[dict[str, tuple[float, float]]]) -> dict[str, tuple[float, float]]:
    """Per phase, the median wall and CPU seconds of the samples."""
    return {
        name: (statistics.median(s[name][0] for s in samples), statistics.median(s[name][1] for s in samples))
        for name in samples[0]
    }


def bench_open(runs: int = 5) -> dict[str, float]:
    """Open times in fresh processes, phase by phase (median of ``runs``); printed and returned.

    "Open" is what a notebook cell ``tensions.dashboard()`` costs in a fresh kernel: importing the libraries
    and the workbook (the imports), then loading (and validating) the curated set, building the dashboard
    and its display bundle (the construction). It does not count the kernel's own start or the browser
    drawing the widgets. The baseline, in a fresh process of its own run just before each open: importing
    pandas, ipywidgets and plotly's FigureWidget alone, which no dashboard can go without.
    """
    opens, floors = [], []
    for _ in range(runs):
        floors.append(phase_times(LIBRARIES_SCRIPT))
        opens.append(phase_times(OPEN_SCRIPT))
    load = os.getloadavg()[0]
    phases, floor = median_phases(opens), median_phases(floors)
    totals = {}
    for kind, column in (("wall", 0), ("CPU", 1)):
        libraries = sum(floor[name][column] for name in LIBRARY_PHASES)
        imports = sum(phases[name][column] for name in IMPORT_PHASES)
        build = sum(phases[name][column] for name in BUILD_PHASES)
        totals[kind] = (imports + build, imports, build, libraries)
    total, imports, build, libraries = totals["wall"]
    detail = ", ".join(f"{name} {phases[name][0]:.2f}" for name in IMPORT_PHASES)
    print(
        f"open, curated set, fresh process (median of {runs}, load average {load:.1f}): {total:.2f} s = "
        f"imports {imports:.2f} s ({detail}) + construction {build:.2f} s (data {phases['data'][0]:.2f}, "
        f"first build {phases['first build'][0]:.2f}, display {phases['display'][0]:.2f}); a second build "
        f"in the same process {phases['second build'][0]:.2f} s; aim < {OPEN_TARGET_S:.0f} s: "
        f"{'met' if total < OPEN_TARGET_S else 'NOT met'}"
    )
    cpu_total, cpu_imports, cpu_build, cpu_libraries = totals["CPU"]
    print(
        f"  CPU seconds: {cpu_total:.2f} = imports {cpu_imports:.2f} + construction {cpu_build:.2f}; baseline "
        f"(pandas, ipywidgets and FigureWidget imported alone, fresh process, same run): {libraries:.2f} s "
        f"wall, {cpu_libraries:.2f} s CPU -> open / baseline {total / libraries:.2f}x wall, "
        f"{cpu_total / cpu_libraries:.2f}x CPU; the workbook's own part {total - libraries:.2f} s"
    )
    return {name: wall for name, (wall, _) in phases.items()} | {
        "imports": imports,
        "construction": build,
        "total": total,
        "baseline": libraries,
    }


def write_latency_notebooks(root: Path, synthetic_events: int) -> dict[str, str]:
    """Notebook 03 (curated set) and a synthetic-set notebook in ``root``; name -> notebook."""
    import nbformat

    (root / "curated.ipynb").write_bytes(
        (paths.NOTEBOOKS_DIR / "03-interactive-dashboard.ipynb").read_bytes()
    )
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.cells = [
        nbformat.v4.new_code_cell(
            "import tensions\nfrom bench.bench_dashboard import make_synthetic_dashboard_events\n\n"
            f"events = make_synthetic_dashboard_events({synthetic_events})\n"
            "board = tensions.dashboard(events, pairs=events['pair'].value_counts().index[:4].tolist())\nboard"
        )
    ]
    nbformat.write(nb, root / "synthetic.ipynb")
    return {"curated": "curated.ipynb", "synthetic": "synthetic.ipynb"}


def measure_in_browser(
    root: Path, notebooks: dict[str, str], rounds: int
) -> dict[str, dict[str, list[float]]]:
    """Latency of every kind of change in JupyterLab in Chromium, per notebook; also screenshots."""
    from bench import browser

    results = {}
    with browser.lab_server(root) as base, browser.chromium_browser() as chromium:
        for name, notebook in notebooks.items():
            page = browser.open_page(chromium, height=3400)
            try:
                opened = browser.run_all(page, base, notebook)
                page.wait_for_function(
                    "() => document.querySelectorAll('.tensions-dash .js-plotly-plot').length >= 2",
                    timeout=90_000,
                )
                time.sleep(1.0)
                times = browser.measure_latency(page, tuple(browser.pair_tags(page)), rounds=rounds)
                times |= browser.measure_clicks(page, rounds=rounds)
                times["run_all_s"] = [opened]
                browser.shot(page, f"bench-dashboard-{name}.png", page.locator(".tensions-dash").first)
            finally:
                page.close()
            results[name] = times
    return results


def print_browser(results: dict[str, dict[str, list[float]]]) -> None:
    """One line per events set: median (max) ms per kind of change, against the aim."""
    for name, times in results.items():
        opened = times.pop("run_all_s", [float("nan")])[0]
        worst = max(statistics.median(v) for k, v in times.items() if k != "table_csv")
        aim = BROWSER_TARGET_MS[name]
        print(
            f"browser, {name}: Run All {opened:.1f} s; median (max) ms: {browser_line(times)}; "
            f"aim < {aim} ms: {'met' if worst < aim else 'NOT met'} (slowest median {worst:.0f} ms)"
        )


def browser_line(times: dict[str, list[float]]) -> str:
    """``name median (max)`` per kind of change."""
    from bench import browser

    return browser.summarise_latency(times)


def bench_browser(quick: bool) -> None:
    """The browser part, skipped without Chromium or Playwright."""
    from tensions.export import find_chromium

    if os.environ.get("BENCH_BROWSER") == "0" or find_chromium() is None:
        print("browser: skipped (BENCH_BROWSER=0 or no Chromium)")
        return
    with tempfile.TemporaryDirectory(prefix="bench-dashboard-") as folder:
        root = Path(folder)
        notebooks = write_latency_notebooks(root, 20_000 if quick else 100_000)
        results = measure_in_browser(root, notebooks, rounds=2 if quick else 3)
    out = paths.ensure_dir(paths.ROOT / "reports" / "browser") / "latency.json"
    out.write_text(json.dumps(results, indent=1))
    print_browser(results)


def main(argv: list[str]) -> int:
    """Open, kernel and browser timings."""
    quick = os.environ.get("BENCH_QUICK") == "1"
    rounds = 1 if quick else 3
    bench_open()
    ds = tensions.load_dataset()
    bench_kernel("curated", ds["events"], rounds, eras=ds["eras"])
    bench_kernel("synthetic", make_synthetic_dashboard_events(20_000 if quick else 100_000), rounds)
    bench_browser(quick)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
