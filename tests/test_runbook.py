"""The report runner: notebooks side by side, results in the given order, a failure stops the run."""

from __future__ import annotations

from pathlib import Path

import nbformat
import papermill
import pytest

from tensions.runbook import StepTiming, format_timings, run_all


def write_notebook(folder: Path, name: str, code: str) -> Path:
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell(f"# {name}"), nbformat.v4.new_code_cell(code)]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    path = folder / name
    nbformat.write(nb, path)
    return path


@pytest.mark.notebook
def test_notebooks_run_side_by_side_and_come_back_in_order(tmp_path: Path):
    notebooks = [
        write_notebook(tmp_path, f"0{i}-n.ipynb", f"print({i} * 7)\nopen('ran-{i}', 'w').write('x')")
        for i in (1, 2, 3)
    ]
    timings = run_all(notebooks, out_dir=tmp_path / "out", jobs=2)
    assert [t.notebook for t in timings] == [p.name for p in notebooks]
    for i, t in enumerate(timings, start=1):
        assert t.executed.exists() and t.executed.with_suffix(".html").exists()
        assert f"{i * 7}" in t.executed.read_text(encoding="utf-8")
        assert (tmp_path / f"ran-{i}").exists() and t.execute_s > 0 and t.html_s > 0


@pytest.mark.notebook
def test_a_failing_notebook_stops_the_run_and_names_its_cell(tmp_path: Path):
    good = write_notebook(tmp_path, "01-good.ipynb", "x = 1")
    bad = write_notebook(tmp_path, "02-bad.ipynb", "raise ValueError('the data is wrong')")
    with pytest.raises(papermill.PapermillExecutionError, match="the data is wrong"):
        run_all([good, bad], out_dir=tmp_path / "out", jobs=2)


def test_timing_table_sums_the_steps():
    timings = [StepTiming("01-a.ipynb", 3.0, 1.0, Path("a")), StepTiming("02-b.ipynb", 5.0, 0.5, Path("b"))]
    table = format_timings(timings, 6.2, 2).splitlines()
    assert table[0].split() == ["notebook", "execute", "s", "HTML", "s", "total", "s"]
    assert table[1].split() == ["01-a.ipynb", "3.0", "1.0", "4.0"]
    assert table[-1].split()[-8:] == ["8.0", "1.5", "9.5", "->", "6.2", "s", "wall", "time"]


EXPORTING = """
import os
from tensions import charts, load_events, static_session
from tensions.export import export_figure
written = export_figure(charts.build_event_mix_figure(load_events()), "{name}", formats=("png",), out_dir=r"{out}")
print("server:", bool(os.environ.get("TENSIONS_EXPORT_SOCKET")), "own sessions:", len(static_session._SESSIONS))
print(written)
"""


@pytest.mark.notebook
@pytest.mark.timeout(900)
def test_the_report_run_renders_every_notebook_s_images_in_one_server(tmp_path: Path, capfd, monkeypatch):
    from tensions import paths, runbook

    monkeypatch.setenv("TENSIONS_REPORTS_DIR", str(tmp_path / "reports"))  # the notebook processes
    reports = tmp_path / "reports"  # and this one (the timings it keeps)
    monkeypatch.setattr(paths, "REPORTS_DIR", reports)
    monkeypatch.setattr(paths, "FIGURES_DIR", reports / "figures")
    monkeypatch.setattr(paths, "REPORT_HTML", reports / "report.html")
    notebooks = [
        write_notebook(tmp_path, f"0{i}-x.ipynb", EXPORTING.format(name=f"fig{i}", out=tmp_path / "figs"))
        for i in (1, 2)
    ]
    assert runbook.main([str(p) for p in notebooks] + ["--jobs", "2"]) == 0
    printed = capfd.readouterr().out
    assert "static export: 2 images in 2 batches, one Chromium session" in printed
    for notebook in notebooks:
        executed = (tmp_path / "reports" / "notebooks" / notebook.name).read_text(encoding="utf-8")
        assert "server: True own sessions: 0" in executed  # the kernel opened no Chromium of its own
        assert "1 file(s) written to" in executed  # and printed what it wrote, once written
    assert sorted(p.name for p in (tmp_path / "figs").iterdir()) == ["fig1.png", "fig2.png"]
