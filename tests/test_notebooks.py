"""Notebook hygiene (committed without outputs, a title, one parameters cell) and every notebook executed."""

from __future__ import annotations

import json
from pathlib import Path

import nbformat
import pytest

from tensions import paths
from tensions.notebook_html import find_remote_references
from tensions.runbook import NOTEBOOK_NAME, execute_notebook, list_notebooks

NOTEBOOKS = list_notebooks()
LOCAL = ("file:", "data:", "blob:")


def test_there_are_numbered_notebooks_and_nothing_else():
    assert [p.name[:2] for p in NOTEBOOKS][:2] == ["01", "02"]
    strays = [p.name for p in paths.NOTEBOOKS_DIR.glob("*.ipynb") if not NOTEBOOK_NAME.match(p.name)]
    assert not strays, f"notebooks must be named NN-kebab-name.ipynb: {strays}"


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_is_committed_clean(notebook: Path):
    nb = nbformat.read(notebook, as_version=4)
    first = nb.cells[0]
    assert first.cell_type == "markdown" and first.source.lstrip().startswith("# "), "first cell: markdown H1"
    tagged = [c for c in nb.cells if "parameters" in c.get("metadata", {}).get("tags", [])]
    assert len(tagged) == 1 and tagged[0].cell_type == "code", "exactly one code cell tagged 'parameters'"
    dirty = [i for i, c in enumerate(nb.cells) if c.cell_type == "code" and (c.outputs or c.execution_count)]
    assert not dirty, f"cells {dirty} have outputs: run `make strip` before committing"
    assert '"output_type"' not in notebook.read_text(encoding="utf-8")


@pytest.mark.notebook
@pytest.mark.timeout(900)
@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_executes_headless(notebook: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("TENSIONS_REPORTS_DIR", str(tmp_path / "reports"))
    executed = execute_notebook(notebook, out_dir=tmp_path / "executed", html=True)
    nb = json.loads(executed.read_text(encoding="utf-8"))
    errors = [o for c in nb["cells"] for o in c.get("outputs", []) if o.get("output_type") == "error"]
    assert not errors
    warnings = [
        "".join(o["text"])
        for c in nb["cells"]
        for o in c.get("outputs", [])
        if o.get("name") == "stderr" and "Warning" in "".join(o["text"])
    ]
    assert not warnings, warnings
    shown = "".join("".join(o.get("text", "")) for c in nb["cells"] for o in c.get("outputs", []))
    assert "PosixPath(" not in shown, "export cells print a listing, not a list of paths"
    pages = [executed.with_suffix(".html"), *sorted((tmp_path / "reports").rglob("*.html"))]
    remote = {p.name: find_remote_references(p.read_text(encoding="utf-8")) for p in pages}
    assert not any(remote.values()), {k: v[:3] for k, v in remote.items() if v}
    if "widgets" in nb["metadata"]:
        # a dashboard's figures must show their traces; other widget views (the review) their controls
        plotly = "plotly" in json.dumps(nb["metadata"]["widgets"])
        selector = PLOTLY_TRACES if plotly else ".widget-subarea .jupyter-widgets button"
        assert count_offline_widgets(executed.with_suffix(".html"), selector) > 0, "widgets not drawn offline"


PLOTLY_TRACES = ".widget-subarea .js-plotly-plot .scatterlayer .trace"


def count_offline_widgets(page: Path, selector: str = PLOTLY_TRACES) -> int:
    """Open ``page`` in Chromium with every non-file request aborted; count the ``selector`` elements drawn."""
    from playwright.sync_api import sync_playwright

    from tensions.export import find_chromium

    args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"]
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=find_chromium(), args=args)
        try:
            tab = browser.new_page(viewport={"width": 1300, "height": 900})
            tab.route("**/*", lambda r: r.continue_() if r.request.url.startswith(LOCAL) else r.abort())
            tab.goto(page.resolve().as_uri())
            tab.wait_for_selector(selector, state="attached", timeout=60_000)
            return tab.locator(selector).count()
        finally:
            browser.close()
