"""Export: every chart to PNG, SVG, PDF and offline HTML in one call, with the data behind it as CSV.

Static formats use kaleido, which drives the system Chromium (``apt-get install chromium``); HTML needs
nothing. HTML files inline plotly.js (never a CDN link) and, for maps, the outlines shipped in
``data/geo/``, so they open with no network. CSV cells that a spreadsheet would run as a formula are
neutralised.
"""

from __future__ import annotations

import html
import os
import re
import shutil
from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from pathlib import Path

import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio

from tensions import paths
from tensions.charts.geo import TOPOJSON_NAMES, geo_assets_script, has_geo
from tensions.docs import render_markdown_html

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

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def neutralise_formula(value: object) -> object:
    """Prefix a text cell that a spreadsheet would read as a formula with ``'``.

    Only text is touched: numbers (negative ones included) are left as they are.

    >>> neutralise_formula("=HYPERLINK(\\"http://x\\")"), neutralise_formula("-2+3"), neutralise_formula(-2.0)
    ('\\'=HYPERLINK("http://x")', "'-2+3", -2.0)
    >>> neutralise_formula("Baku")
    'Baku'
    """
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def safe_csv_frame(data: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``data`` whose text cells cannot be run as spreadsheet formulas."""
    out = data.copy()
    for column in out.columns:
        if out[column].dtype == object or pd.api.types.is_string_dtype(out[column]):
            out[column] = out[column].map(neutralise_formula, na_action="ignore")
    return out


def write_csv(data: pd.DataFrame, path: Path) -> Path:
    """Write ``data`` as UTF-8 CSV with formula cells neutralised."""
    safe_csv_frame(data).to_csv(path, index=False)
    return path


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
        script = f"<script>{geo_assets_script(TOPOJSON_NAMES)}</script>"
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
        width, height: size in CSS pixels of the static images (default: the figure's own height, 1200 wide).
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
            path = folder / f"{name}.html"
            path.write_text(figure_to_html(fig), encoding="utf-8")
            written.append(path)
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
    """Render every job with one kaleido session (one Chromium) and map outlines available offline."""
    _require_chromium()
    import kaleido

    geo_file = None
    if any(has_geo(job["fig"]) for job in jobs):
        geo_file = paths.ensure_dir(paths.REPORTS_DIR / ".cache") / "plotly-geo-assets.js"
        geo_file.write_text(geo_assets_script(TOPOJSON_NAMES), encoding="utf-8")
    specs = [
        {
            "fig": job["fig"],
            "path": job["file"],
            "opts": {
                "format": job["format"],
                "width": job["width"],
                "height": job["height"],
                "scale": job["scale"],
            },
        }
        for job in jobs
    ]
    # no MathJax (kaleido would load it from a CDN); the map outlines come from a local script
    page = kaleido.PageGenerator(mathjax=False, others=[geo_file] if geo_file else None)
    try:
        kaleido.write_fig_from_object_sync(specs, kopts={"page_generator": page})
    except Exception as exc:  # kaleido/choreographer raise their own types when the browser fails
        if "browser" in str(exc).lower() or "chrom" in str(exc).lower():
            raise ChromiumMissingError(f"{CHROMIUM_HELP}\n(kaleido said: {exc})") from exc
        raise


def export_each_separately(
    items: Iterable[tuple[go.Figure, str]],
    formats: Sequence[str],
    out_dir: Path,
    width: int = 1200,
    height: int = 700,
) -> list[Path]:
    """The naive way, one Chromium per image (``plotly.io.write_image`` per file): the benchmark's baseline."""
    _require_chromium()
    written = []
    for fig, name in items:
        for fmt in formats:
            path = Path(out_dir) / f"{name}.{fmt}"
            pio.write_image(fig, path, format=fmt, width=width, height=height)
            written.append(path)
    return written


# ------------------------------------------------------------------------------------------------ report


def build_report(
    figures: Mapping[str, go.Figure] | Sequence[tuple[str, go.Figure]],
    events: pd.DataFrame,
    method_md: str = "",
    out: str | Path | None = None,
    title: str = "Eurasia tensions: report",
) -> Path:
    """One offline HTML file with every chart (plotly.js inlined once), the method and the event table.

    Text that comes from the data (titles, descriptions, quotes) is escaped; ``method_md`` is Markdown
    (``tensions.docs.read_method_markdown()``), rendered with markdown-it-py, raw HTML in it escaped.
    """
    items = list(figures.items()) if isinstance(figures, Mapping) else list(figures)
    out_path = Path(out) if out is not None else paths.REPORT_HTML
    paths.ensure_dir(out_path.parent)
    parts = [
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>",
        f"<title>{html.escape(title)}</title>",
        "<style>body{font-family:'DejaVu Sans',Arial,sans-serif;max-width:1250px;margin:2em auto;color:#222}"
        "table{border-collapse:collapse;font-size:12px}td,th{border:1px solid #ddd;padding:4px;vertical-align:top}"
        "th{background:#f3f3f3}h2{margin-top:2em}.method{line-height:1.45}"
        ".method pre{background:#f6f6f6;padding:8px;overflow-x:auto}.method code{font-size:90%}</style>",
        "</head><body>",
        f"<h1>{html.escape(title)}</h1>",
        f"<p>Generated on {date.today().isoformat()} from {len(events)} events "
        f"({events['date'].min():%Y-%m-%d} to {events['date'].max():%Y-%m-%d}).</p>",
    ]
    if any(has_geo(fig) for _, fig in items):
        parts.append(f"<script>{geo_assets_script(TOPOJSON_NAMES)}</script>")
    parts.append(_plotlyjs_script())
    for i, (heading, fig) in enumerate(items):
        parts.append(f"<h2>{html.escape(heading)}</h2>")
        parts.append(
            pio.to_html(
                fig,
                full_html=False,
                include_plotlyjs=False,
                div_id=f"figure-{i}",
                config={"displaylogo": False, "responsive": True},
            )
        )
    if method_md:
        parts.append(f"<h2>Method</h2><div class='method'>{render_markdown_html(method_md)}</div>")
    parts.append("<h2>Events</h2>")
    parts.append(_events_table(events))
    parts.append("</body></html>")
    out_path.write_text("\n".join(parts), encoding="utf-8")
    return out_path


def _plotlyjs_script() -> str:
    from plotly.offline import get_plotlyjs

    return f"<script type='text/javascript'>{get_plotlyjs()}</script>"


def _events_table(events: pd.DataFrame) -> str:
    columns = [
        c
        for c in (
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
        if c in events.columns
    ]
    head = "".join(f"<th>{html.escape(c)}</th>" for c in columns)
    rows = []
    for record in events[columns].itertuples(index=False):
        cells = []
        for value in record:
            if isinstance(value, pd.Timestamp):
                text = value.strftime("%Y-%m-%d")
            else:
                text = "" if value is None or (not isinstance(value, str) and pd.isna(value)) else str(value)
            cells.append(f"<td>{html.escape(text)}</td>")
        rows.append("<tr>" + "".join(cells) + "</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"
