"""Execute the numbered notebooks headless, in order, and keep executed copies and HTML.

``python -m tensions.runbook`` (what ``make report`` runs) executes every ``notebooks/NN-*.ipynb`` with
papermill, writes the executed copy to ``reports/notebooks/`` and renders it to self-contained HTML
beside it. The notebooks themselves export their charts to ``reports/figures/``.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
import time
from collections.abc import Iterable, Mapping
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


def run_all(notebooks: Iterable[Path] | None = None, out_dir: Path | None = None) -> list[Path]:
    """Execute every numbered notebook in order; stop at the first failure."""
    done = []
    for notebook in notebooks or list_notebooks():
        started = time.perf_counter()
        print(f"executing {notebook.name} ...", flush=True)
        done.append(execute_notebook(notebook, out_dir))
        print(f"  done in {time.perf_counter() - started:.1f} s -> {done[-1]}", flush=True)
    return done


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tensions.runbook", description=__doc__)
    parser.add_argument("notebooks", nargs="*", type=Path, help="notebooks to run (default: all, in order)")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    executed = run_all(args.notebooks or None)
    figures = sorted(paths.FIGURES_DIR.glob("*")) if paths.FIGURES_DIR.exists() else []
    print(
        f"{len(executed)} notebook(s) executed, {len(figures)} file(s) in {paths.FIGURES_DIR}, "
        f"{time.perf_counter() - started:.0f} s"
    )
    if paths.REPORT_HTML.exists():
        print(f"report: {paths.REPORT_HTML}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
