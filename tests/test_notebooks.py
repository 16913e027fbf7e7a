"""Notebook hygiene (committed without outputs, a title, one parameters cell) and every notebook executed."""

from __future__ import annotations

import json
from pathlib import Path

import nbformat
import pytest

from tensions import paths
from tensions.runbook import NOTEBOOK_NAME, execute_notebook, list_notebooks

NOTEBOOKS = list_notebooks()


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
    html = executed.with_suffix(".html").read_text(encoding="utf-8")
    assert '<script src="http' not in html and "<script src='http" not in html
