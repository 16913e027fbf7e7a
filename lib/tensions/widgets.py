"""The interactive dashboard: controls, linked views, click to explain, export the current view.

``tensions.dashboard(events)`` returns a :class:`Dashboard`; display it in JupyterLab (or serve the notebook
with Voilà). The views are ``go.FigureWidget`` objects drawn by the :mod:`tensions.charts` builders. What a
control change costs depends on what it changes:

* pairs or score method: the views are built again by the chart builders (a structural change);
* date window, themes, quad classes, minimum confidence, half-life, Goldstein table: the selection and the
  scores are recomputed and only the changed arrays are pushed to the existing traces, inside one
  ``batch_update`` per view (the lines' ``x``/``y``, the timeline's selected points, the axis range), so each
  view redraws once. Events that the filters leave out stay on the timeline, faded, as context.

The same class works on any events table with the curated columns (an ingested GDELT or ICEWS set included).
"""

from __future__ import annotations

import base64
import functools
import html
import json
import time
from collections.abc import Sequence
from pathlib import Path

import ipywidgets as w
import numpy as np
import pandas as pd
import plotly.graph_objects as go

from tensions import charts, scoring
from tensions.export import export_figures
from tensions.select import CONFIDENCE_ORDER, filter_events

METHODS = {"index": "Decayed index", "gdelt": "GDELT-style daily mean", "cumulative": "Cumulative push"}
VALUE_COLUMNS = {"index": "index", "gdelt": "mean_goldstein", "cumulative": "cumulative"}
GOLDSTEIN_CHOICES = {"events' own weights": None, "GDELT": "gdelt", "ICEWS": "icews", "Phoenix": "phoenix"}
TABLE_COLUMNS = ["event_id", "date", "pair", "title", "goldstein", "confidence", "source_ids"]
REQUIRED_COLUMNS = ("event_id", "date", "actor", "target", "goldstein", "confidence", "quad_class", "pair")
FILTERS = ("themes", "quads", "confidence")
KNOBS = ("half_life", "goldstein")
FADED = {"marker": {"opacity": 0.2}}
CSS = """<style>
.tensions-dash table {border-collapse: collapse; font-size: 12px; width: 100%;}
.tensions-dash th {text-align: left; border-bottom: 1px solid #999; padding: 2px 6px; position: sticky; top: 0;
  background: #fafafa;}
.tensions-dash td {border-bottom: 1px solid #e5e5e5; padding: 2px 6px; vertical-align: top;}
.tensions-dash td.num {text-align: right; font-variant-numeric: tabular-nums;}
.tensions-dash blockquote {border-left: 3px solid #0072B2; margin: 6px 0; padding: 2px 10px; color: #333;}
</style>"""


# ---------------------------------------------------------------------------------------------- figures


def figure_spec(fig: go.Figure) -> dict:
    """The figure as plain JSON types (dates as ISO strings, arrays as lists), ready for a FigureWidget.

    The widget channel would send numpy dates as raw nanoseconds, so the figure goes through plotly's
    JSON encoder first; its base64 typed arrays are decoded back into lists.
    """
    return _decode_typed_arrays(json.loads(fig.to_json()))


def replace_figure(target: go.FigureWidget, source: go.Figure) -> None:
    """Make ``target`` show ``source``: its traces and layout replaced inside one ``batch_update``."""
    spec = figure_spec(source)
    with target.batch_update():
        target.data = []
        target.add_traces(spec.get("data", []))
        target.layout = spec.get("layout", {})


def keep_widget_state(target: go.FigureWidget) -> None:
    """Point the widget's synced state at the figure's current traces and layout, without sending them.

    Updates reach a displayed FigureWidget as messages; a page that connects later (Voilà renders the
    widgets after the notebook has run; a reloaded JupyterLab page) reads the synced state instead, which
    plotly only fills when the figure widget itself is displayed, not as a child of a box.
    """
    target._trait_values["_widget_data"] = target._data
    target._trait_values["_widget_layout"] = target._layout


def _decode_typed_arrays(obj):
    """Turn plotly's base64 typed arrays (``{"dtype": "f8", "bdata": ...}``) back into lists, recursively."""
    if isinstance(obj, dict):
        if set(obj) >= {"dtype", "bdata"}:
            values = np.frombuffer(base64.b64decode(obj["bdata"]), dtype=np.dtype(obj["dtype"]))
            if "shape" in obj:
                values = values.reshape([int(n) for n in str(obj["shape"]).split(",")])
            return values.tolist()
        return {key: _decode_typed_arrays(value) for key, value in obj.items()}
    if isinstance(obj, list):
        return [_decode_typed_arrays(value) for value in obj]
    return obj


def iso_days(dates: pd.Series) -> np.ndarray:
    """Days as ``YYYY-MM-DD`` strings (a FigureWidget would send numpy dates as nanosecond integers).

    >>> iso_days(pd.Series(pd.to_datetime(["2024-12-25", "2025-01-01"]))).tolist()
    ['2024-12-25', '2025-01-01']
    """
    return np.datetime_as_string(dates.to_numpy(dtype="datetime64[ns]"), unit="D")


def build_score_lines_figure(
    frame: pd.DataFrame, value: str, pairs: Sequence[str], title: str, yaxis_title: str
) -> go.Figure:
    """Lines of a baseline score column (``mean_goldstein``, ``cumulative``), one per pair, step-shaped."""
    fig = go.Figure()
    for pair in pairs:
        part = frame[frame["pair"] == pair]
        fig.add_trace(
            go.Scatter(
                x=part["date"],
                y=part[value],
                name=pair,
                legendgroup=pair,
                mode="lines+markers",
                line={"color": charts.pair_color(pair), "shape": "hv"},
                hovertemplate=f"<b>{pair}</b> %{{x|%Y-%m-%d}}: %{{y:.2f}}<extra></extra>",
            )
        )
    fig.update_layout(title=title, yaxis_title=yaxis_title, height=460, hovermode="closest")
    return charts.add_source_note(fig)


def index_axis_range(values: pd.Series) -> list[float]:
    """The y range of the index chart: down to just below the lowest value shown, never above 35, up to 100.

    >>> index_axis_range(pd.Series([50.0, 80.0])), index_axis_range(pd.Series([20.0]))
    ([35, 100], [17.0, 100])
    """
    low = float(values.min()) if len(values) else 50.0
    return [max(0, min(35, low - 3)), 100]


def salience(events: pd.DataFrame) -> pd.Series:
    """|Goldstein| times the default confidence weight: how much an event can move a score."""
    weight = events["confidence"].astype("string").map(scoring.CONFIDENCE_WEIGHTS).astype("float64")
    return events["goldstein"].abs() * weight.fillna(min(scoring.CONFIDENCE_WEIGHTS.values()))


# -------------------------------------------------------------------------------------------- dashboard


class Dashboard:
    """Linked, clickable views of an events table and its scores.

    Args:
        events: events with the curated columns (``load_events`` or ``read_events`` output).
        eras: named periods to shade (``load_eras``), optional.
        sources: the sources table (``load_sources``), used to show an event's sources; optional.
        pairs: pairs selected when the dashboard opens (default: the four with the most events).
        export_dir: where *Export view* writes (default ``reports/figures/``).
        max_timeline_events: the timeline draws at most this many events of the chosen pairs (the most
            salient ones); the scores and the table always use every event.
        table_rows: rows shown in the event table (the most recent first).
        export_formats: formats the *Export view* button writes.
        width: width of the charts in pixels (a FigureWidget inside a box does not size itself to it).

    Attributes:
        controls: the ipywidgets controls by name (``pairs``, ``dates``, ``themes``, ``quads``,
            ``confidence``, ``half_life``, ``goldstein``, ``method``, ``export``).
        tension, timeline, waterfall: the ``go.FigureWidget`` views (``figures`` has them by name); the
            waterfall exists once a point of the index has been clicked.
        table, detail, export_output, status: HTML widgets.
        selection: the events that pass the filters (every date; the scores use them).
        shown: the selected events inside the date window (the table lists them).
        scores: the scores drawn on the tension view (columns depend on the method).
        widget: the whole dashboard, to display.
        last_update_seconds: how long the last control change took, from the change to the views updated.
        fast_updates: set to ``False`` to rebuild every view from scratch on each change (the baseline of
            ``bench/bench_dashboard.py``).
    """

    def __init__(
        self,
        events: pd.DataFrame,
        eras: pd.DataFrame | None = None,
        sources: pd.DataFrame | None = None,
        pairs: Sequence[str] | None = None,
        export_dir: str | Path | None = None,
        max_timeline_events: int = 1500,
        table_rows: int = 200,
        export_formats: Sequence[str] = ("png", "svg", "html"),
        width: int = 920,
    ):
        missing = [c for c in REQUIRED_COLUMNS if c not in events.columns]
        if missing:
            raise ValueError(f"the events table lacks the column(s) {', '.join(missing)}")
        if events.empty:
            raise ValueError("the dashboard needs at least one event")
        self.events = events.reset_index(drop=True)
        self.eras = eras
        self.sources = sources.set_index("source_id") if sources is not None else None
        self.export_dir = export_dir
        self.export_formats = tuple(export_formats)
        self.max_timeline_events = max_timeline_events
        self.table_rows = table_rows
        self.fast_updates = True
        self.last_update_seconds = 0.0
        self._by_id = self.events.drop_duplicates("event_id").set_index("event_id")
        if "themes" not in self.events:
            self.events["themes"] = ""

        self.controls = self._make_controls(pairs)
        self.width = width
        self.tension = go.FigureWidget()
        self.timeline = go.FigureWidget()
        self.waterfall: go.FigureWidget | None = None  # made on the first click: one widget less to load
        self.waterfall_box = w.Box([], layout=w.Layout(display="none"))
        self.table = w.HTML(layout=w.Layout(max_height="380px", overflow="auto"))
        self.detail = w.HTML(
            "<i>Click a point on a tension line to see the events that make it up, or an event on the "
            "timeline to see its sources and evidence.</i>"
        )
        self.export_output = w.HTML()
        self.status = w.HTML()
        self.context = self.events.iloc[:0]
        self.selection = self.events.iloc[:0]
        self.shown = self.events.iloc[:0]
        self.scores = pd.DataFrame()
        self._timeline_ids: list[tuple[int, list[str]]] = []
        self._timeline_note = ""

        for name, control in self.controls.items():
            if name != "export":
                control.observe(functools.partial(self._changed, name), names="value")
        self.controls["export"].on_click(lambda _: self.export_view())
        self._changed("pairs")
        self.widget = self._layout()

    # ---------------------------------------------------------------------------------------- setup

    def _make_controls(self, pairs: Sequence[str] | None) -> dict[str, w.Widget]:
        events = self.events
        all_pairs = events["pair"].astype("string").value_counts().index.tolist()
        chosen = [p for p in (pairs or all_pairs[:4]) if p in set(all_pairs)] or all_pairs[:1]
        months = pd.date_range(
            events["date"].min().to_period("M").start_time,
            events["date"].max().to_period("M").start_time,
            freq="MS",
        )
        default_start = max(months[0], months[-1] - pd.DateOffset(years=3))
        themes = sorted({t for s in events["themes"].dropna().unique() for t in str(s).split(";") if t})
        wide = {"description_width": "initial"}
        return {
            "pairs": w.SelectMultiple(
                options=all_pairs, value=tuple(chosen), rows=7, description="Pairs", style=wide
            ),
            "themes": w.SelectMultiple(
                options=themes, value=tuple(themes), rows=7, description="Themes", style=wide
            ),
            "quads": w.SelectMultiple(
                options=[(charts.style.QUAD_NAMES[q], q) for q in (1, 2, 3, 4)],
                value=(1, 2, 3, 4),
                rows=4,
                description="Quad class",
                style=wide,
            ),
            "dates": w.SelectionRangeSlider(
                options=[(m.strftime("%b %Y"), m) for m in months],
                index=(months.get_loc(default_start), len(months) - 1),
                description="Months",
                continuous_update=False,
                style=wide,
                layout=w.Layout(width="560px"),
            ),
            "confidence": w.Dropdown(
                options=list(CONFIDENCE_ORDER),
                value="alleged",
                description="Confidence at least",
                style=wide,
                layout=w.Layout(width="260px", margin="2px 0 0 32px"),
            ),
            "half_life": w.FloatLogSlider(
                value=30,
                base=10,
                min=0.5,
                max=2.5,
                step=0.05,
                description="Half-life (days)",
                readout_format=".0f",
                continuous_update=False,
                style=wide,
            ),
            "goldstein": w.Dropdown(
                options=list(GOLDSTEIN_CHOICES),
                value="events' own weights",
                description="Goldstein weights",
                style=wide,
                layout=w.Layout(width="300px"),
            ),
            "method": w.ToggleButtons(
                options=[(v, k) for k, v in METHODS.items()],
                value="index",
                description="Score",
                style={**wide, "button_width": "190px"},
            ),
            "export": w.Button(description="Export view", icon="download", button_style="primary"),
        }

    def _layout(self) -> w.Widget:
        c = self.controls
        gap = w.Layout(justify_content="flex-start", align_items="center", margin="0 0 4px 0")
        return w.VBox(
            [
                w.HTML(CSS),
                w.HBox([c["pairs"], c["themes"], c["quads"]], layout=gap),
                w.HBox([c["dates"], c["confidence"]], layout=gap),
                w.HBox([c["half_life"], c["goldstein"]], layout=gap),
                w.HBox([c["method"], c["export"]], layout=gap),
                self.status,
                self.tension,
                self.detail,
                self.waterfall_box,
                self.timeline,
                self.table,
                self.export_output,
            ],
            layout=w.Layout(width="100%"),
        ).add_class("tensions-dash")

    @property
    def figures(self) -> dict[str, go.FigureWidget]:
        """The views by name: ``tension``, ``timeline`` and, once a point was clicked, ``waterfall``."""
        views = {"tension": self.tension, "timeline": self.timeline}
        return views | ({"waterfall": self.waterfall} if self.waterfall is not None else {})

    @property
    def knobs(self) -> dict:
        """The scoring settings the controls describe."""
        return {
            "half_life_days": float(self.controls["half_life"].value),
            "goldstein_table": GOLDSTEIN_CHOICES[self.controls["goldstein"].value],
        }

    @property
    def window(self) -> tuple[pd.Timestamp, pd.Timestamp]:
        """First and last day of the chosen months."""
        start, end = self.controls["dates"].value
        return pd.Timestamp(start), pd.Timestamp(end) + pd.offsets.MonthEnd(0)

    # --------------------------------------------------------------------------------------- update

    def _changed(self, name: str, _change=None) -> None:
        """Bring the views up to date after a change of control ``name``, each view redrawn once."""
        started = time.perf_counter()
        method = self.controls["method"].value
        if name == "pairs" or not self.fast_updates:
            self.rebuild()
        elif name == "method":
            self._select()
            self._refresh_tension(rebuild=True)
        elif name in FILTERS:
            self._select()
            self._refresh_tension()
            self._refresh_timeline()
            self._refresh_table()
        elif name in KNOBS:
            if method == "index" or name == "goldstein":
                self._refresh_tension()
        elif name == "dates":
            self._refresh_tension()
            self._refresh_timeline()
            self._refresh_table()
        for fig in (self.tension, self.timeline):
            keep_widget_state(fig)
        self.last_update_seconds = time.perf_counter() - started
        self._refresh_status()

    def update(self) -> None:
        """Recompute everything from the controls (as after a change of pairs)."""
        self._changed("pairs")

    def rebuild(self) -> None:
        """Build every view again with the chart builders (the slow path, for structural changes)."""
        pairs = list(self.controls["pairs"].value)
        self.context = self.events[self.events["pair"].isin(pairs)].reset_index(drop=True)
        self._select()
        self._refresh_tension(rebuild=True)
        self._build_timeline()
        self._refresh_timeline()
        self._refresh_table()

    def _select(self) -> None:
        c = self.controls
        all_themes = set(c["themes"].value) == set(c["themes"].options)
        self.selection = filter_events(
            self.context,
            themes=None if all_themes else list(c["themes"].value),
            quad_classes=None if len(c["quads"].value) == 4 else list(c["quads"].value),
            min_confidence=c["confidence"].value,
        )

    def _score(self) -> pd.DataFrame:
        method = self.controls["method"].value
        start, end = self.window
        if self.selection.empty:
            return pd.DataFrame(columns=["pair", "date", VALUE_COLUMNS[method], "n_events"])
        if method == "index":
            return scoring.score_dyads(self.selection, start=start, end=end, **self.knobs)
        table = self.knobs["goldstein_table"]
        if method == "gdelt":
            frame = scoring.score_gdelt_mean(self.selection, goldstein_table=table)
        else:
            frame = scoring.score_cumulative(self.selection, goldstein_table=table)
        return frame[(frame["date"] >= start) & (frame["date"] <= end)].reset_index(drop=True)

    def _refresh_tension(self, rebuild: bool = False) -> None:
        method = self.controls["method"].value
        self.scores = self._score()
        lines = [t for t in self.tension.data if t.mode in ("lines", "lines+markers") and t.name]
        drawn = {t.name for t in lines}
        scored = set(self.scores["pair"].astype("string"))
        if rebuild or getattr(self, "_tension_method", None) != method or not scored <= drawn:
            self._build_tension()
            lines = [t for t in self.tension.data if t.mode in ("lines", "lines+markers") and t.name]
        start, end = self.window
        value = VALUE_COLUMNS[method]
        by_pair = {str(p): g for p, g in self.scores.groupby("pair", observed=True)}
        with self.tension.batch_update():
            for trace in lines:
                part = by_pair.get(trace.name)
                if part is None:
                    trace.x, trace.y = [], []
                    continue
                trace.x = iso_days(part["date"])
                trace.y = part[value].to_numpy()
                if method == "index":
                    trace.customdata = part[["pressure", "n_events"]].to_numpy()
            self.tension.layout.xaxis.range = [f"{start:%Y-%m-%d}", f"{end:%Y-%m-%d}"]
            if method == "index":
                self.tension.layout.yaxis.range = index_axis_range(self.scores["index"])

    def _build_tension(self) -> None:
        """Draw the tension view with the builders, over every date (the window is an axis range)."""
        method = self.controls["method"].value
        pairs = list(self.controls["pairs"].value)
        self._tension_method = method
        if self.selection.empty:
            fig = go.Figure().update_layout(title="No event matches the selection", height=300)
        elif method == "index":
            full = scoring.score_dyads(self.selection, freq="M", **self.knobs)
            fig = charts.build_tension_figure(full, pairs=pairs, eras=self.eras, top_events=0)
            fig.update_layout(hovermode="closest")  # a click must pick one line, not every line at that date
        else:
            label = {"gdelt": "mean Goldstein (lower = more conflict)", "cumulative": "cumulative push"}
            fig = build_score_lines_figure(
                self.scores, VALUE_COLUMNS[method], pairs, METHODS[method], label[method]
            )
            charts.style.shade_eras(fig, self.eras, self.events["date"].min(), self.events["date"].max())
        fig.update_layout(width=self.width)
        replace_figure(self.tension, fig)
        for trace in self.tension.data:
            if trace.mode in ("lines", "lines+markers") and trace.name:
                trace.on_click(self._tension_clicked)

    def _build_timeline(self) -> None:
        """Draw the timeline with the builder: every event of the chosen pairs (at most the most salient)."""
        context = self.context
        self._timeline_note = ""
        if len(context) > self.max_timeline_events:
            keep = salience(context).nlargest(self.max_timeline_events, keep="first").index
            context = context.loc[sorted(keep)]
            self._timeline_note = (
                f" · timeline: the {self.max_timeline_events:,} most salient of {len(self.context):,} events"
            )
        if context.empty:
            fig = go.Figure().update_layout(title="No event for these pairs", height=300)
        else:
            fig = charts.build_timeline_figure(context, self.eras)
            lanes = context["pair"].nunique()
            # Plotly stretches an axis to fit annotation arrows, which squeezes the lanes: fix the lane axis
            # instead, with headroom above the top lane for the key-event labels (up to ~105 px above).
            lane_px, headroom = 56, 2.0
            fig.update_layout(
                height=int(300 + lane_px * (lanes + headroom)),
                yaxis={"range": [-0.6, lanes - 0.4 + headroom], "autorange": False},
            )
        fig.update_layout(width=self.width)
        replace_figure(self.timeline, fig)
        self._timeline_ids = []
        with self.timeline.batch_update():
            for i, trace in enumerate(self.timeline.data):
                if trace.mode == "markers" and trace.customdata is not None and len(trace.customdata):
                    self._timeline_ids.append((i, [str(row[-1]) for row in trace.customdata]))
                    trace.unselected = FADED
                    trace.on_click(self._timeline_clicked)

    def _refresh_timeline(self) -> None:
        """Fade the events the filters leave out and show the chosen months (one redraw)."""
        kept = set(self.selection["event_id"].astype("string").tolist())
        start, end = self.window
        with self.timeline.batch_update():
            for i, ids in self._timeline_ids:
                mask = np.fromiter((event_id in kept for event_id in ids), bool, len(ids))
                self.timeline.data[i].selectedpoints = None if mask.all() else np.flatnonzero(mask).tolist()
            if self._timeline_ids:
                pad = pd.Timedelta(days=10)
                self.timeline.layout.xaxis.range = [f"{start - pad:%Y-%m-%d}", f"{end + pad:%Y-%m-%d}"]

    def _refresh_table(self) -> None:
        start, end = self.window
        selection = self.selection
        self.shown = selection[(selection["date"] >= start) & (selection["date"] <= end)]
        self.table.value = self._table_html(self.shown)

    def _refresh_status(self) -> None:
        start, end = self.window
        self.status.value = (
            f"<small><b>{len(self.shown):,}</b> events from {start:%Y-%m-%d} to {end:%Y-%m-%d} pass the "
            f"filters ({len(self.selection):,} of {len(self.context):,} for these pairs over all dates feed "
            f"the scores){html.escape(self._timeline_note)} · updated in "
            f"{self.last_update_seconds * 1000:.0f} ms</small>"
        )

    # ---------------------------------------------------------------------------------------- clicks

    def _tension_clicked(self, trace, points, _selector) -> None:
        if points.point_inds:
            self.on_tension_click(trace.name, pd.Timestamp(points.xs[0]))

    def _timeline_clicked(self, trace, points, _selector) -> None:
        if points.point_inds:
            self.on_event_click(str(trace.customdata[points.point_inds[0]][-1]))

    def explain_point(self, pair: str, date) -> pd.DataFrame:
        """The events behind the value of ``pair`` at ``date`` under the current method and settings.

        Returns:
            One row per event with ``event_id``, ``date``, ``title``, ``goldstein``, ``confidence`` and
            ``contribution``; contributions add up to the value drawn (``attrs["value"]``): the pressure
            for the index, the mean Goldstein of the day, or the cumulative push.
        """
        day = pd.Timestamp(date).normalize()
        method = self.controls["method"].value
        if method == "index":
            out = scoring.explain(self.selection, pair, day, **self.knobs)
            out.attrs["value"] = out.attrs["pressure"]
            return out
        weights = scoring.weigh_events(self.selection, goldstein_table=self.knobs["goldstein_table"])
        mine = weights[weights["key"] == pair]
        if method == "gdelt":
            mine = mine[mine["date"] == day]
            contribution = mine["goldstein"] / max(len(mine), 1)
        else:
            mine = mine[mine["date"] <= day]
            contribution = mine["push"]
        info = self._by_id.loc[mine["event_id"]]
        out = pd.DataFrame(
            {
                "event_id": mine["event_id"].to_numpy(),
                "date": mine["date"].to_numpy(),
                "title": info["title"].astype("string").to_numpy() if "title" in info else "",
                "goldstein": mine["goldstein"].to_numpy(),
                "confidence": info["confidence"].astype("string").to_numpy(),
                "contribution": contribution.to_numpy(),
            }
        )
        out = out.reindex(out["contribution"].abs().sort_values(ascending=False, kind="stable").index)
        out = out.reset_index(drop=True)
        out.attrs.update(pair=pair, date=day, value=float(out["contribution"].sum()))
        return out

    def on_tension_click(self, pair: str, date) -> pd.DataFrame:
        """Show (and return) the events behind ``pair`` at ``date``: a table and, for the index, a waterfall."""
        day = pd.Timestamp(date).normalize()
        method = self.controls["method"].value
        breakdown = self.explain_point(pair, day)
        what = {"index": "pressure", "gdelt": "mean Goldstein", "cumulative": "cumulative push"}[method]
        head = f"{html.escape(pair)} on {day:%Y-%m-%d}: {what} {breakdown.attrs['value']:.3f}"
        if method == "index":
            head += f", index {breakdown.attrs['index']:.1f}"
        rows = "".join(
            f"<tr><td>{html.escape(str(r.event_id))}</td><td>{pd.Timestamp(r.date):%Y-%m-%d}</td>"
            f"<td>{html.escape(str(r.title))}</td><td class='num'>{r.goldstein:+.1f}</td>"
            f"<td>{html.escape(str(r.confidence))}</td><td class='num'><b>{r.contribution:+.3f}</b></td></tr>"
            for r in breakdown.head(15).itertuples()
        )
        more = " (the 15 largest shown)" if len(breakdown) > 15 else ""
        self.detail.value = (
            f"<h4>{head}</h4><table><tr><th>event</th><th>date</th><th>title</th><th>Goldstein</th>"
            f"<th>confidence</th><th>contribution</th></tr>{rows}</table>"
            f"<small>{len(breakdown)} events{more}; their contributions add up to the {what} "
            f"{breakdown.attrs['value']:.3f}.</small>"
        )
        if method == "index" and len(breakdown):
            waterfall = charts.build_waterfall_figure(breakdown, pair, day).update_layout(width=self.width)
            if self.waterfall is None:
                self.waterfall = go.FigureWidget()
                self.waterfall_box.children = (self.waterfall,)
            replace_figure(self.waterfall, waterfall)
            keep_widget_state(self.waterfall)
            self.waterfall_box.layout.display = None
        else:
            self.waterfall_box.layout.display = "none"
        return breakdown

    def on_event_click(self, event_id: str) -> pd.Series:
        """Show (and return) one event's details with its sources and evidence quote."""
        if event_id not in self._by_id.index:
            raise KeyError(f"no event {event_id!r} in this dashboard")
        event = self._by_id.loc[event_id]

        def field(name: str) -> str:
            value = event.get(name)
            return (
                ""
                if value is None or (not isinstance(value, str) and pd.isna(value))
                else html.escape(str(value))
            )

        sources = [self._source_html(sid) for sid in str(event.get("source_ids") or "").split(";") if sid]
        faded = event_id not in set(self.selection["event_id"].astype("string"))
        evidence = f"<blockquote>“{field('evidence')}”</blockquote>" if field("evidence") else ""
        self.detail.value = (
            f"<h4>{html.escape(event_id)} · {field('title')}</h4>"
            + ("<p><i>Left out by the current filters (shown faded).</i></p>" if faded else "")
            + f"<p>{event['date']:%Y-%m-%d} ({field('date_precision')}) · {field('actor')} → {field('target')}"
            f" · CAMEO {field('cameo_code')} · quad class {field('quad_class')} · Goldstein "
            f"{event['goldstein']:+.1f} · {field('confidence')}</p>"
            f"<p>{field('description')}</p>{evidence}"
            f"<p><small>Sources:</small></p><ul>{''.join(sources) or '<li>none given</li>'}</ul>"
            + (f"<p><small>Date note: {field('date_note')}</small></p>" if field("date_note") else "")
            + (f"<p><small>Notes: {field('notes')}</small></p>" if field("notes") else "")
        )
        self.waterfall_box.layout.display = "none"
        return event

    def _source_html(self, source_id: str) -> str:
        if self.sources is None or source_id not in self.sources.index:
            return f"<li>{html.escape(source_id)}</li>"
        src = self.sources.loc[source_id]
        parts = [str(src.get(k)) for k in ("publisher", "author", "published") if pd.notna(src.get(k))]
        parts = [p for p in parts if p and p != "unknown"]
        return (
            f"<li><b>{html.escape(source_id)}</b>: {html.escape(str(src['title']))}"
            + (f" ({html.escape('; '.join(parts))})" if parts else "")
            + "</li>"
        )

    # ---------------------------------------------------------------------------------------- output

    def _table_html(self, shown: pd.DataFrame) -> str:
        if shown.empty:
            return "<i>No event in this window passes the filters.</i>"
        recent = shown.sort_values("date", ascending=False).head(self.table_rows)
        cols = [c for c in TABLE_COLUMNS if c in recent.columns]
        rows = []
        for r in recent[cols].itertuples(index=False):
            cells = []
            for col, value in zip(cols, r, strict=True):
                if col == "date":
                    cells.append(f"<td>{value:%Y-%m-%d}</td>")
                elif col == "goldstein":
                    cells.append(f"<td class='num'>{value:+.1f}</td>")
                else:
                    cells.append(f"<td>{html.escape('' if pd.isna(value) else str(value))}</td>")
            rows.append(f"<tr>{''.join(cells)}</tr>")
        head = "".join(f"<th>{html.escape(c)}</th>" for c in cols)
        note = (
            f"<small>The {self.table_rows:,} most recent of {len(shown):,} events shown.</small>"
            if len(shown) > self.table_rows
            else f"<small>{len(shown):,} events, most recent first.</small>"
        )
        return f"{note}<table><tr>{head}</tr>{''.join(rows)}</table>"

    def export_view(self, formats: Sequence[str] | None = None) -> list[Path]:
        """Export the current views (and the data behind them) with ``export_figures``; show the paths."""
        start, end = self.window
        stamp = f"{start:%Y%m}-{end:%Y%m}"
        items = [
            (go.Figure(self.tension), f"dashboard-tension-{stamp}", self.scores),
            (go.Figure(self.timeline), f"dashboard-timeline-{stamp}", self.shown),
        ]
        self.export_output.value = "<i>Exporting…</i>"
        try:
            written = export_figures(items, formats=formats or self.export_formats, out_dir=self.export_dir)
        except Exception as exc:  # shown in the dashboard rather than lost in a widget callback
            self.export_output.value = f"<b>Export failed:</b> {html.escape(str(exc))}"
            raise
        self.export_output.value = "Written:<br>" + "<br>".join(html.escape(str(p)) for p in written)
        return written

    def _repr_mimebundle_(self, **kwargs):
        return self.widget._repr_mimebundle_(**kwargs)


def dashboard(
    events: pd.DataFrame | None = None,
    eras: pd.DataFrame | None = None,
    sources: pd.DataFrame | None = None,
    **kwargs,
) -> Dashboard:
    """Open the dashboard on ``events`` (default: the curated dataset with its eras and sources).

    Keyword arguments go to :class:`Dashboard` (``pairs``, ``export_dir``, ``max_timeline_events`` ...).
    """
    if events is None:
        from tensions.data import load_dataset

        ds = load_dataset()
        events, eras, sources = ds["events"], ds["eras"], ds["sources"]
    return Dashboard(events, eras=eras, sources=sources, **kwargs)
