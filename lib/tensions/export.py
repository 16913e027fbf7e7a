"""Export: every chart to PNG, SVG, PDF and offline HTML in one call, with the data behind it as CSV.

Static formats use kaleido, which drives the system Chromium (``apt-get install chromium``); HTML needs
nothing. HTML files inline plotly.js (never a CDN link) and, for maps, the outlines shipped in
``data/geo/``, so they open with no network. CSV cells that a spreadsheet would run as a formula are
neutralised. Every file goes through :mod:`tensions.outputs`: written atomically, never inside ``data/``
(symbolic links followed).
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Iterable, Mapping, Sequence
from contextlib import ExitStack
from datetime import date
from pathlib import Path

import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio
from markupsafe import Markup

from tensions import outputs, paths
from tensions.charts.geo import TOPOJSON_NAMES, geo_assets_script, has_geo
from tensions.docs import render_markdown_html
from tensions.html_templates import render_template
from tensions.outputs import neutralise_formula, safe_csv_frame  # noqa: F401 - the CSV guard, kept importable here

STATIC_FORMATS = ("png", "svg", "pdf")
ALL_FORMATS = (*STATIC_FORMATS, "html")
DEFAULT_SIZE = (1200, 700)
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
CHROMIUM_HELP = (
    "Static chart export (PNG, SVG, PDF) needs a system Chromium, and none was found. Install it with\n"
    "    sudo apt-get update && sudo apt-get install -y chromium\n"
    "(or set BROWSER_PATH to a Chrome/Chromium executable). HTML export works without it: "
    "formats=('html',)."
)


class ChromiumMissingError(RuntimeError):
    """Raised when static export is asked for and no Chromium can be found."""


def find_chromium() -> str | None:
    """Path of the Chromium/Chrome kaleido will drive, or None (``BROWSER_PATH`` wins when set)."""
    explicit = os.environ.get("BROWSER_PATH")
    if explicit:
        return explicit if Path(explicit).exists() else None
    for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "chrome"):
        found = shutil.which(name)
        if found:
            return found
    return None


def _require_chromium() -> str:
    browser = find_chromium()
    if browser is None:
        raise ChromiumMissingError(CHROMIUM_HELP)
    os.environ.setdefault("BROWSER_PATH", browser)
    return browser


# ------------------------------------------------------------------------------------------------ CSV


def write_csv(data: pd.DataFrame, path: Path) -> Path:
    """Write ``data`` as UTF-8 CSV with formula cells neutralised (atomically, never into ``data/``)."""
    return outputs.write_csv(data, path)


# ------------------------------------------------------------------------------------------------ HTML


def figure_to_html(
    fig: go.Figure, full_html: bool = True, include_plotlyjs: bool = True, div_id: str | None = None
) -> str:
    """Offline HTML of a figure: plotly.js inlined (or left out for a page that has it), map outlines embedded."""
    body = pio.to_html(
        fig,
        full_html=full_html,
        include_plotlyjs=include_plotlyjs,
        div_id=div_id,
        config={"displaylogo": False, "responsive": True, "topojsonURL": "./"},
    )
    if has_geo(fig):
        script = render_template("report/scripts.html.j2", scripts=[_geo_script()], separator="")
        body = body.replace("<body>", "<body>" + script, 1) if full_html else script + body
    return body


# ------------------------------------------------------------------------------------------------ export


def _check_name(name: str) -> str:
    if not _NAME.match(name) or ".." in name:
        raise ValueError(f"figure name {name!r} must be a plain file name (letters, digits, '.', '_', '-')")
    return name


class WrittenFiles(list):
    """The paths an export wrote (a plain list of ``Path``), shown as a short listing: folder, names, sizes.

    >>> WrittenFiles([])
    no files written
    """

    def __repr__(self) -> str:
        if not self:
            return "no files written"
        folders = sorted({str(Path(p).parent) for p in self})
        lines = [f"{len(self)} file(s) written to {', '.join(folders)}:"]
        for p in self:
            size = Path(p).stat().st_size if Path(p).exists() else 0
            lines.append(f"  {Path(p).name}  ({_format_size(size)})")
        return "\n".join(lines)

    __str__ = __repr__

    def _repr_pretty_(self, printer, cycle: bool) -> None:  # IPython display
        printer.text(repr(self))


def _format_size(n_bytes: int) -> str:
    """``1536`` -> ``'1.5 KB'``."""
    size = float(n_bytes)
    for unit in ("B", "KB", "MB"):
        if size < 1024 or unit == "MB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024
    return f"{size:.1f} MB"


def export_figure(
    fig: go.Figure,
    name: str,
    formats: Sequence[str] = ALL_FORMATS,
    data: pd.DataFrame | None = None,
    out_dir: str | Path | None = None,
    width: int | None = None,
    height: int | None = None,
    scale: float = 2,
) -> WrittenFiles:
    """Write a figure to ``<out_dir>/<name>.<ext>`` for each format, and its data to ``<name>.csv``.

    Args:
        fig: the figure (from a ``tensions.charts`` builder).
        name: file name without extension.
        formats: any of ``png``, ``svg``, ``pdf``, ``html``.
        data: the DataFrame behind the chart, written beside it as CSV (formula cells neutralised).
        out_dir: folder (default ``reports/figures/``); never inside ``data/``.
        width: width in CSS pixels of the static images (default 1200).
        height: height in CSS pixels of the static images (default: the figure's own height).
        scale: pixel density of PNG output (2 gives a 2400-pixel-wide image by default).

    Returns:
        The paths written, figure formats first, then the CSV (a list that prints as a short listing).

    Raises:
        ChromiumMissingError: a static format was asked for and no Chromium is installed.
    """
    return export_figures(
        [(fig, name, data)], formats=formats, out_dir=out_dir, width=width, height=height, scale=scale
    )


def export_figures(
    items: Iterable[tuple[go.Figure, str, pd.DataFrame | None]],
    formats: Sequence[str] = ALL_FORMATS,
    out_dir: str | Path | None = None,
    width: int | None = None,
    height: int | None = None,
    scale: float = 2,
) -> WrittenFiles:
    """Export several figures at once: static images go through one Chromium session for all of them.

    Returns the paths written as :class:`WrittenFiles` (a list that prints as a short listing).
    """
    items = list(items)
    unknown = set(formats) - set(ALL_FORMATS)
    if unknown:
        raise ValueError(f"unknown format(s) {sorted(unknown)}; choose from {', '.join(ALL_FORMATS)}")
    folder = paths.ensure_dir(Path(out_dir) if out_dir is not None else paths.FIGURES_DIR)
    written = WrittenFiles()
    static = [f for f in formats if f in STATIC_FORMATS]
    jobs = []
    for fig, name, _ in items:
        _check_name(name)
        for fmt in static:
            w = width or DEFAULT_SIZE[0]
            h = height or (fig.layout.height or DEFAULT_SIZE[1])
            jobs.append(
                {
                    "fig": static_figure(fig),
                    "file": folder / f"{name}.{fmt}",
                    "format": fmt,
                    "width": w,
                    "height": h,
                    "scale": scale if fmt == "png" else 1,
                }
            )
    if jobs:
        _write_static(jobs)
        written += [job["file"] for job in jobs]
    for fig, name, data in items:
        if "html" in formats:
            written.append(outputs.write_text(folder / f"{name}.html", figure_to_html(fig)))
        if data is not None:
            written.append(write_csv(data, folder / f"{name}.csv"))
    return written


def static_figure(fig: go.Figure) -> go.Figure:
    """The figure as a static image should show it: without range sliders (their mini-plot is for dragging).

    The figure itself is left unchanged; a copy is made only when there is a slider to drop.
    """
    if not any(axis.rangeslider.visible for axis in fig.select_xaxes()):
        return fig
    copy = go.Figure(fig)
    copy.update_xaxes(rangeslider_visible=False)
    return copy


def _write_static(jobs: list[dict]) -> None:
    """Render every job in this process's kept kaleido session (one Chromium), map outlines offline.

    Every image is rendered to a temporary file and renamed into place once all are done; an image kaleido
    returns without writing is rendered again (:data:`RENDER_RETRIES`), then :class:`ExportError` names it.
    """
    _require_chromium()
    with ExitStack() as stack:
        temps = [stack.enter_context(outputs.atomic_path(job["file"])) for job in jobs]
        pending = list(zip(jobs, temps, strict=True))
        problem: Exception | None = None
        for _ in range(1 + RENDER_RETRIES):
            problem = _render_static(pending)
            pending = [(job, temp) for job, temp in pending if not temp.exists() or not temp.stat().st_size]
            if not pending:
                return
        names = ", ".join(str(job["file"]) for job, _ in pending)
        reason = f": {problem}" if problem else ""
        raise ExportError(f"kaleido rendered no image for {names} ({1 + RENDER_RETRIES} attempts){reason}")


class ExportError(RuntimeError):
    """kaleido returned without writing some images (a render that timed out, for one); nothing was replaced."""


#: Renders tried again when kaleido returns without writing an image (on a loaded machine a render can time out).
RENDER_RETRIES = 1


def _render_static(pending: list[tuple[dict, Path]]) -> Exception | None:
    """Render ``(job, temporary file)`` pairs in the kept session; return the error kaleido raised, if any."""
    from tensions.static_session import write_static

    specs = [
        {
            "fig": job["fig"],
            "path": temp,
            "opts": {
                "format": job["format"],
                "width": job["width"],
                "height": job["height"],
                "scale": job["scale"],
            },
        }
        for job, temp in pending
    ]
    try:
        write_static(specs)
    except Exception as exc:  # kaleido/choreographer raise their own types when the browser fails
        if "browser" in str(exc).lower() or "chrom" in str(exc).lower():
            raise ChromiumMissingError(f"{CHROMIUM_HELP}\n(kaleido said: {exc})") from exc
        return exc
    return None


# ------------------------------------------------------------------------------------------------ report


def build_report(
    figures: Mapping[str, go.Figure] | Sequence[tuple[str, go.Figure]],
    events: pd.DataFrame,
    method_md: str = "",
    out: str | Path | None = None,
    title: str = "Eurasia tensions: report",
) -> Path:
    """One offline HTML file with every chart (plotly.js inlined once), the method and the event table.

    The page is the template ``templates/report/page.html.j2`` with autoescape on: text that comes from the
    data (titles, descriptions, quotes) is escaped; ``method_md`` is Markdown
    (``tensions.docs.read_method_markdown()``), rendered with markdown-it-py, raw HTML in it escaped.
    """
    items = list(figures.items()) if isinstance(figures, Mapping) else list(figures)
    out_path = Path(out) if out is not None else paths.REPORT_HTML
    outputs.check_output_path(out_path)  # the final file, symbolic links followed: never inside data/
    page = render_template(
        "report/page.html.j2",
        title=title,
        generated=date.today().isoformat(),
        n_events=len(events),
        first=f"{events['date'].min():%Y-%m-%d}",
        last=f"{events['date'].max():%Y-%m-%d}",
        geo_script=_geo_script() if any(has_geo(fig) for _, fig in items) else None,
        plotlyjs=_plotlyjs(),
        figures=[
            {"heading": heading, "html": _figure_div(fig, f"figure-{i}")}
            for i, (heading, fig) in enumerate(items)
        ],
        method_html=Markup(render_markdown_html(method_md)) if method_md else None,
        events_table=_events_table(events),
    )
    outputs.write_text(out_path, page)
    return out_path


def _figure_div(fig: go.Figure, div_id: str) -> Markup:
    """Plotly's HTML for one chart of a page that already has plotly.js (plotly escapes the figure's text)."""
    return Markup(
        pio.to_html(
            fig,
            full_html=False,
            include_plotlyjs=False,
            div_id=div_id,
            config={"displaylogo": False, "responsive": True},
        )
    )


def _geo_script() -> Markup:
    """The JavaScript that registers the shipped map outlines (``</`` already escaped in its JSON)."""
    return Markup(geo_assets_script(TOPOJSON_NAMES))


def _plotlyjs() -> Markup:
    """plotly.js itself, to inline once in a page."""
    from plotly.offline import get_plotlyjs

    return Markup(get_plotlyjs())


def _events_table(events: pd.DataFrame) -> Markup:
    """The event table of the report: dates as ``YYYY-MM-DD``, missing values empty, every cell escaped."""
    columns = [c for c in REPORT_COLUMNS if c in events.columns]
    rows = [[_cell_text(value) for value in record] for record in events[columns].itertuples(index=False)]
    return Markup(render_template("report/events_table.html.j2", columns=columns, rows=rows))


#: The event columns the report's table shows, in order (those the events have).
REPORT_COLUMNS = (
    "event_id",
    "date",
    "pair",
    "actor",
    "target",
    "title",
    "description",
    "confidence",
    "source_ids",
    "evidence",
    "date_note",
)


def _cell_text(value: object) -> str:
    """A table cell as plain text: a timestamp as its date, a missing value empty."""
    if isinstance(value, pd.Timestamp):
        return value.strftime("%Y-%m-%d")
    return "" if value is None or (not isinstance(value, str) and pd.isna(value)) else str(value)
