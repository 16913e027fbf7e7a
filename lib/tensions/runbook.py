"""Execute the numbered notebooks headless, side by side, and keep executed copies and HTML.

``python -m tensions.runbook`` (what ``make report`` runs) executes every ``notebooks/NN-*.ipynb`` with
papermill, writes the executed copy to ``reports/notebooks/`` and renders it to self-contained HTML
beside it. The notebooks themselves export their charts to ``reports/figures/``.

The notebooks do not depend on each other (each reads ``data/`` and writes files of its own name), so they
run concurrently, as many at once as there are cores (``--jobs`` overrides), the longest of the last run
first. At the end a table gives each notebook's execution and HTML rendering time.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import re
import sys
import time
from collections.abc import Iterable, Mapping
from concurrent.futures import FIRST_EXCEPTION, ProcessPoolExecutor, wait
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tensions import notebook_html, paths

NOTEBOOK_NAME = re.compile(r"^\d{2}-[a-z0-9]+(-[a-z0-9]+)*\.ipynb$")

#: Plotly renderer used while executing: embeds plotly.js once per notebook so the HTML is offline.
EXECUTION_RENDERER = "plotly_mimetype+notebook"


def list_notebooks(folder: Path | None = None) -> list[Path]:
    """The numbered notebooks of ``folder`` (default ``notebooks/``), in order.

    >>> [p.name[:3] for p in list_notebooks()][:1]
    ['01-']
    """
    folder = folder or paths.NOTEBOOKS_DIR
    return sorted(p for p in folder.glob("*.ipynb") if NOTEBOOK_NAME.match(p.name))


def execute_notebook(
    notebook: Path,
    out_dir: Path | None = None,
    parameters: Mapping[str, Any] | None = None,
    timeout: int = 900,
    html: bool = True,
) -> Path:
    """Execute one notebook headless with papermill and return the executed copy's path.

    The notebook runs with ``notebooks/`` as its working directory; ``parameters`` are injected after the
    cell tagged ``parameters``. A failing cell raises ``papermill.PapermillExecutionError`` naming it.
    """
    import papermill

    out_dir = paths.ensure_dir(out_dir or paths.REPORT_NOTEBOOKS_DIR)
    executed = out_dir / notebook.name
    previous = os.environ.get("PLOTLY_RENDERER")
    os.environ["PLOTLY_RENDERER"] = EXECUTION_RENDERER
    try:
        papermill.execute_notebook(
            str(notebook),
            str(executed),
            parameters=dict(parameters or {}),
            cwd=str(notebook.parent),
            kernel_name="python3",
            progress_bar=False,
            execution_timeout=timeout,
            log_output=False,
        )
    finally:
        if previous is None:
            os.environ.pop("PLOTLY_RENDERER", None)
        else:
            os.environ["PLOTLY_RENDERER"] = previous
    if html:
        render_html(executed)
    return executed


def render_html(executed: Path) -> Path:
    """Render an executed notebook to HTML beside it, without any script loaded from the network.

    Math becomes MathML and widgets are drawn by an inline widget manager (:mod:`tensions.notebook_html`).
    """
    import nbformat

    body = notebook_html.export_offline_html(nbformat.read(executed, as_version=4))
    body = strip_remote_scripts(body)
    out = executed.with_suffix(".html")
    out.write_text(body, encoding="utf-8")
    return out


_REMOTE_SCRIPT = re.compile(r"<script[^>]*\bsrc=[\"']https?://[^>]*>\s*</script>", re.IGNORECASE)


def strip_remote_scripts(html: str) -> str:
    """Remove ``<script src="http...">`` tags (MathJax, require.js from a CDN) so a page stays offline.

    >>> strip_remote_scripts('<p>a</p><script src="https://cdn.example/x.js"></script><p>b</p>')
    '<p>a</p><p>b</p>'
    """
    return _REMOTE_SCRIPT.sub("", html)


@dataclass(frozen=True)
class StepTiming:
    """What one notebook of a run cost: execution (kernel start included) and HTML rendering, in seconds."""

    notebook: str
    execute_s: float
    html_s: float
    executed: Path

    @property
    def total_s(self) -> float:
        """Execution and rendering together."""
        return self.execute_s + self.html_s


def run_notebook(notebook: Path, out_dir: Path | None = None) -> StepTiming:
    """Execute one notebook, render its HTML, and time both steps."""
    started = time.perf_counter()
    executed = execute_notebook(notebook, out_dir, html=False)
    executed_at = time.perf_counter()
    render_html(executed)
    return StepTiming(notebook.name, executed_at - started, time.perf_counter() - executed_at, executed)


def default_jobs() -> int:
    """Notebooks run at once: the cores this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


_TIMES_FILE = "runbook-times.json"


def _order_longest_first(notebooks: list[Path]) -> list[Path]:
    """The notebooks, the longest of the last run first (so that the last to start are short ones)."""
    try:
        last = json.loads((paths.REPORTS_DIR / ".cache" / _TIMES_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        last = {}
    return sorted(notebooks, key=lambda p: -float(last.get(p.name, 0.0)))


def _remember_times(timings: list[StepTiming]) -> None:
    cache = paths.ensure_dir(paths.REPORTS_DIR / ".cache")
    tmp = cache / f".{_TIMES_FILE}.tmp"
    tmp.write_text(json.dumps({t.notebook: round(t.total_s, 2) for t in timings}), encoding="utf-8")
    tmp.replace(cache / _TIMES_FILE)


def run_all(
    notebooks: Iterable[Path] | None = None, out_dir: Path | None = None, jobs: int | None = None
) -> list[StepTiming]:
    """Execute every numbered notebook, ``jobs`` at once (default: one per core).

    The first failure stops the run: notebooks not yet started are cancelled, those running finish, and the
    failure (``papermill.PapermillExecutionError`` naming the cell) is raised.

    Returns:
        The timing of each notebook, in the order of ``notebooks``.
    """
    chosen = list(notebooks or list_notebooks())
    jobs = max(1, min(jobs or default_jobs(), len(chosen)))
    if jobs == 1:
        return [_run_reporting(notebook, out_dir) for notebook in chosen]
    # spawn: the workers start clean (no copy of this process's threads or open kernels)
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=jobs, mp_context=context) as pool:
        futures = {pool.submit(_run_reporting, nb, out_dir): nb for nb in _order_longest_first(chosen)}
        done, pending = wait(futures, return_when=FIRST_EXCEPTION)
        for future in pending:
            future.cancel()
        failed = [f for f in done if f.exception() is not None]
        if failed:
            raise failed[0].exception()
        by_name = {futures[f].name: f.result() for f in done}
    return [by_name[notebook.name] for notebook in chosen]


def _run_reporting(notebook: Path, out_dir: Path | None) -> StepTiming:
    print(f"executing {notebook.name} ...", flush=True)
    timing = run_notebook(notebook, out_dir)
    print(f"  {notebook.name} done in {timing.total_s:.1f} s -> {timing.executed}", flush=True)
    return timing


def format_timings(timings: list[StepTiming], wall_s: float, jobs: int) -> str:
    """The per-step table printed at the end of a run.

    >>> print(format_timings([StepTiming("01-a.ipynb", 2.0, 0.5, Path("x"))], 2.6, 1))
    notebook         execute s  HTML s  total s
    01-a.ipynb             2.0     0.5      2.5
    all (1 at once)        2.0     0.5      2.5  -> 2.6 s wall time
    """
    width = max([len("all (1 at once)")] + [len(t.notebook) for t in timings])
    lines = [f"{'notebook':<{width}}  execute s  HTML s  total s"]
    for t in timings:
        lines.append(f"{t.notebook:<{width}}  {t.execute_s:9.1f}  {t.html_s:6.1f}  {t.total_s:7.1f}")
    execute, render = sum(t.execute_s for t in timings), sum(t.html_s for t in timings)
    label = f"all ({jobs} at once)"
    lines.append(
        f"{label:<{width}}  {execute:9.1f}  {render:6.1f}  {execute + render:7.1f}  -> {wall_s:.1f} s wall time"
    )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Run the notebooks from the command line (``python -m tensions.runbook``); return the exit status."""
    parser = argparse.ArgumentParser(prog="python -m tensions.runbook", description=__doc__)
    parser.add_argument("notebooks", nargs="*", type=Path, help="notebooks to run (default: all)")
    parser.add_argument("--jobs", "-j", type=int, help="notebooks run at once (default: one per core)")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    chosen = args.notebooks or list_notebooks()
    jobs = max(1, min(args.jobs or default_jobs(), len(chosen)))
    timings = run_all(chosen, jobs=jobs)
    wall = time.perf_counter() - started
    _remember_times(timings)
    figures = sorted(paths.FIGURES_DIR.glob("*")) if paths.FIGURES_DIR.exists() else []
    print()
    print(format_timings(timings, wall, jobs))
    print(f"{len(timings)} notebook(s) executed, {len(figures)} file(s) in {paths.FIGURES_DIR}")
    if paths.REPORT_HTML.exists():
        print(f"report: {paths.REPORT_HTML}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
