"""The house style: one plotly template, a colour-blind-safe palette, stable pair colours, a source line."""

from __future__ import annotations

import hashlib
import html
import textwrap
from datetime import date

import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio

from tensions.vocabulary import QUAD_NAMES  # noqa: F401  (charts read the names from here too)

TEMPLATE_NAME = "tensions"
FONT = "DejaVu Sans, Arial, Helvetica, sans-serif"

#: Okabe-Ito palette (colour-blind safe), without black and yellow for lines.
PALETTE: tuple[str, ...] = (
    "#0072B2",
    "#D55E00",
    "#009E73",
    "#CC79A7",
    "#E69F00",
    "#56B4E9",
    "#8C6D31",
    "#666666",
)

#: Quad classes: blue-green for cooperation, orange-red for conflict (verbal lighter than material).
QUAD_COLORS: dict[int, str] = {1: "#56B4E9", 2: "#0072B2", 3: "#E69F00", 4: "#D55E00"}

#: Fixed colours for the pairs analysts look at most; other pairs get a stable colour from their name.
PAIR_COLORS: dict[str, str] = {
    "AZE-RUS": "#D55E00",
    "KAZ-RUS": "#0072B2",
    "RUS-UZB": "#009E73",
    "ARM-RUS": "#CC79A7",
    "ARM-AZE": "#E69F00",
    "AZE-KAZ": "#56B4E9",
    "KAZ-UZB": "#8C6D31",
}
ERA_FILL = "rgba(120, 120, 120, 0.12)"
ERA_PLOT_PX = 1100  # the plot width era names are fitted to (static exports are 1200 px wide)
GRID = "#E5E5E5"


def wrap_label(text: str, width: int = 28, max_lines: int = 3) -> str:
    """Plain text wrapped into lines of at most ``width`` characters joined by ``<br>``, HTML-escaped.

    Nothing is cut unless the text needs more than ``max_lines`` lines (the last then ends with "…").

    >>> wrap_label("Russian security forces raid ethnic Azerbaijanis in Yekaterinburg")
    'Russian security forces raid<br>ethnic Azerbaijanis in<br>Yekaterinburg'
    >>> wrap_label("A <b> & C")
    'A &lt;b&gt; &amp; C'
    """
    lines = textwrap.wrap(str(text), width=width, break_long_words=True) or [""]
    if len(lines) > max_lines:
        lines = lines[:max_lines]
        lines[-1] = lines[-1][: width - 1].rstrip() + "…"
    return "<br>".join(html.escape(line) for line in lines)


def pair_color(pair: str) -> str:
    """The colour of a pair, the same in every chart (directed pairs share their undirected pair's colour).

    >>> pair_color("AZE-RUS"), pair_color("RUS>AZE")
    ('#D55E00', '#D55E00')
    >>> pair_color("ISR-RUS") == pair_color("ISR-RUS")
    True
    """
    if ">" in pair:
        a, b = pair.split(">")
        pair = "-".join(sorted((a, b)))
    if pair in PAIR_COLORS:
        return PAIR_COLORS[pair]
    digest = int(hashlib.sha1(pair.encode()).hexdigest(), 16)
    return PALETTE[digest % len(PALETTE)]


def register_template() -> None:
    """Register the ``tensions`` template and make it the default (idempotent)."""
    layout = go.Layout(
        font={"family": FONT, "size": 13, "color": "#222222"},
        title={"x": 0.01, "xanchor": "left", "font": {"size": 18}},
        colorway=list(PALETTE),
        paper_bgcolor="white",
        plot_bgcolor="white",
        margin={"l": 70, "r": 30, "t": 80, "b": 90},
        xaxis={"gridcolor": GRID, "linecolor": "#999999", "zeroline": False, "automargin": True},
        yaxis={"gridcolor": GRID, "linecolor": "#999999", "zeroline": False, "automargin": True},
        legend={"orientation": "h", "yanchor": "bottom", "y": 1.0, "x": 0.0, "title": {"text": ""}},
        hoverlabel={"font": {"family": FONT}},
    )
    # merged once here: a "plotly_white+tensions" default would be merged again for every new figure (~25 ms)
    pio.templates[TEMPLATE_NAME] = pio.templates.merge_templates(
        pio.templates["plotly_white"], go.layout.Template(layout=layout)
    )
    pio.templates.default = TEMPLATE_NAME


def add_source_note(
    fig: go.Figure, text: str | None = None, as_of: date | None = None, yshift: int = -42
) -> go.Figure:
    """Write the source line and date under a chart (bottom left, below the axis labels), in place.

    Args:
        fig: the figure.
        text: the source line (default: the curated dataset).
        as_of: the date written after it (default: today).
        yshift: pixels below the plot area (more when a range slider sits under the axis).
    """
    note = text or "Source: Eurasia tensions workbook, data/events.csv"
    note = f"{note} · as of {(as_of or date.today()).isoformat()}"
    fig.layout.annotations = (  # an assignment: ``add_annotation`` validates every annotation again
        *fig.layout.annotations,
        {
            "text": note,
            "xref": "paper",
            "yref": "paper",
            "x": 0,
            "y": 0,
            "yshift": yshift,
            "xanchor": "left",
            "yanchor": "top",
            "showarrow": False,
            "font": {"size": 10, "color": "#666666"},
            "name": "source-note",
        },
    )
    margin_b = fig.layout.margin.b if fig.layout.margin and fig.layout.margin.b else 90
    fig.update_layout(margin={"b": max(margin_b, 30 - yshift + 30)})
    return fig


def events_note(events) -> str:
    """Source line naming how many events a chart rests on and their date span."""
    if events is None or len(events) == 0:
        return "Source: Eurasia tensions workbook"
    first, last = events["date"].min(), events["date"].max()
    return (
        f"Source: Eurasia tensions workbook, {len(events)} events "
        f"({first:%Y-%m-%d} to {last:%Y-%m-%d}), {source_of(events)}"
    )


def source_of(events) -> str:
    """Where events come from, for a source line: the curated file, or the datasets named by their ids.

    Machine-coded events carry ``source_ids`` such as ``gdelt:1552839`` (see ``tensions.ingest``).

    >>> source_of(pd.DataFrame({"source_ids": ["gdelt:1", "gdelt:2"]}))
    'GDELT records'
    >>> source_of(pd.DataFrame({"source_ids": ["S001;S004"]}))
    'data/events.csv'
    """
    ids = events["source_ids"].dropna().astype(str) if "source_ids" in events else pd.Series(dtype=str)
    prefixed = ids[ids.str.contains(":", regex=False)]
    if len(ids) and len(prefixed) == len(ids):
        names = sorted({p.upper() for p in prefixed.str.split(":").str[0]})
        return f"{', '.join(names)} records"
    return "data/events.csv"


def shade_eras(fig: go.Figure, eras: pd.DataFrame | None, lo: pd.Timestamp, hi: pd.Timestamp) -> int:
    """Shade and label the named eras that fall within [lo, hi] (drawn below the data), in place.

    Names that would collide go to a further row (14 px lower); a name that would run past the right edge
    ends at its era's end. Returns the number of rows of names (0 without eras).
    """
    if eras is None or eras.empty:
        return 0
    shapes, labels = [], []
    span = max((hi - lo).days, 1)
    rows: list[list[tuple[float, float]]] = []  # label extents (fractions of the span) per row
    for era in eras.sort_values("start").itertuples():
        if era.end < lo or era.start > hi:
            continue
        end = max(era.end, era.start + pd.Timedelta(days=1))
        # plain shapes and annotations, added in one update: ``add_vrect`` costs ~15 ms per era
        shapes.append(
            {
                "type": "rect",
                "xref": "x",
                "yref": "y domain",
                "x0": era.start,
                "x1": end,
                "y0": 0,
                "y1": 1,
                "fillcolor": ERA_FILL,
                "line": {"width": 0},
                "layer": "below",
            }
        )
        name = str(era.name)
        width = (6.2 * len(name) + 8) / ERA_PLOT_PX
        left = max(0.0, (max(era.start, lo) - lo).days / span)
        right_anchored = left + width > 1  # near the right edge: the name ends at the era's end
        if right_anchored:
            left = min(1.0, (min(end, hi) - lo).days / span) - width
        extent = (left, left + width)
        row = next((i for i, r in enumerate(rows) if all(b < extent[0] or a > extent[1] for a, b in r)), None)
        if row is None:
            rows.append([])
            row = len(rows) - 1
        rows[row].append(extent)
        labels.append(
            {
                "x": min(end, hi) if right_anchored else max(era.start, lo),
                "xref": "x",
                "y": 1,
                "yref": "y domain",
                "yshift": -14 * row,
                "text": html.escape(name),
                "showarrow": False,
                "xanchor": "right" if right_anchored else "left",
                "yanchor": "top",
                "font": {"size": 10, "color": "#555555"},
                "bgcolor": "rgba(255,255,255,0.7)",
            }
        )
    if shapes:
        fig.layout.shapes = (*fig.layout.shapes, *shapes)
        fig.layout.annotations = (*fig.layout.annotations, *labels)
    return len(rows)
