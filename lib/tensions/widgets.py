"""The interactive dashboard: controls, linked views, click to explain, export the current view.

``tensions.dashboard(events)`` returns a :class:`Dashboard`; display it in JupyterLab (it is an ipywidget).
Every control change recomputes the selection and the score once and pushes the new figures to the
``go.FigureWidget`` views inside ``batch_update`` blocks, so each view redraws once. The same class works on any
events table with the curated columns (an ingested GDELT or ICEWS set included).
"""

from __future__ import annotations

import base64
import html
import json
import time
from collections.abc import Callable

import ipywidgets as w
import numpy as np
import pandas as pd
import plotly.graph_objects as go

from tensions import charts, scoring
from tensions.export import export_figures
from tensions.select import CONFIDENCE_ORDER, filter_events

METHODS = {"index": "Decayed index", "gdelt": "GDELT-style daily mean", "cumulative": "Cumulative push"}
GOLDSTEIN_CHOICES = {"events' own weights": None, "GDELT": "gdelt", "ICEWS": "icews", "Phoenix": "phoenix"}
TABLE_COLUMNS = ["event_id", "date", "pair", "title", "goldstein", "confidence", "source_ids"]


def sync_figure(target: go.FigureWidget, source: go.Figure) -> None:
    """Make ``target`` show ``source`` with one redraw.

    When both have the same trace types in the same order, every trace and the layout are updated inside
    one ``batch_update``; otherwise the traces are replaced first. The source goes through plotly's JSON
    encoder first, so dates reach the browser as ISO strings (the widget channel would send raw nanoseconds).
    """
    source = go.Figure(_decode_typed_arrays(json.loads(source.to_json())))
    same = len(target.data) == len(source.data) and all(
        a.type == b.type for a, b in zip(target.data, source.data, strict=True)
    )
    if not same:
        with target.batch_update():
            target.data = []
            target.add_traces(list(source.data))
            target.layout = source.layout
        return
    with target.batch_update():
        for old, new in zip(target.data, source.data, strict=True):
            old.update(new.to_plotly_json(), overwrite=True)
        target.layout = source.layout


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


def build_score_lines_figure(
    frame: pd.DataFrame, value: str, pairs: list[str], title: str, yaxis_title: str
) -> go.Figure:
    """Lines of any per-pair score column (``mean_goldstein``, ``cumulative`` ...), one per pair."""
    fig = go.Figure()
    for pair in pairs:
        part = frame[frame["pair"] == pair]
        fig.add_trace(
            go.Scatter(
                x=part["date"],
                y=part[value],
                name=pair,
                mode="lines+markers",
                line={"color": charts.pair_color(pair), "shape": "hv"},
                hovertemplate=f"{pair} %{{x|%Y-%m-%d}}: %{{y:.2f}}<extra></extra>",
            )
        )
    fig.update_layout(title=title, yaxis_title=yaxis_title, height=460)
    return charts.add_source_note(fig)


class Dashboard:
    """Linked, clickable views of events and scores.

    Attributes:
        controls: the ipywidgets controls by name (``pairs``, ``dates``, ``themes``, ``quads``,
            ``confidence``, ``half_life``, ``goldstein``, ``method``, ``export``).
        tension, timeline: the ``go.FigureWidget`` views.
        table, detail, export_output: HTML widgets (event table, click details, exported paths).
        widget: the whole dashboard, to display.
        last_update_seconds: how long the last control change took to recompute and push.
    """

    def __init__(
        self,
        events: pd.DataFrame,
        eras: pd.DataFrame | None = None,
        sources: pd.DataFrame | None = None,
        pairs: list[str] | None = None,
        export_dir=None,
    ):
        if events.empty:
            raise ValueError("the dashboard needs at least one event")
        self.events = events
        self.eras = eras
        self.sources = sources.set_index("source_id") if sources is not None else None
        self.export_dir = export_dir
        counts = events["pair"].value_counts()
        all_pairs = counts.index.tolist()
        months = pd.date_range(
            events["date"].min().to_period("M").start_time,
            events["date"].max().to_period("M").start_time,
            freq="MS",
        )
        default_start = max(months[0], months[-1] - pd.DateOffset(years=3))
        themes = sorted({t for s in events["themes"].dropna() for t in str(s).split(";")})
        self.controls = {
            "pairs": w.SelectMultiple(
                options=all_pairs, value=tuple(pairs or all_pairs[:4]), rows=8, description="Pairs"
            ),
            "dates": w.SelectionRangeSlider(
                options=[(m.strftime("%Y-%m"), m) for m in months],
                index=(months.get_loc(default_start), len(months) - 1),
                description="Months",
                layout=w.Layout(width="520px"),
            ),
            "themes": w.SelectMultiple(options=themes, value=tuple(themes), rows=8, description="Themes"),
            "quads": w.SelectMultiple(
                options=[(charts.style.QUAD_NAMES[q], q) for q in (1, 2, 3, 4)],
                value=(1, 2, 3, 4),
                rows=4,
                description="Quad class",
            ),
            "confidence": w.Dropdown(options=list(CONFIDENCE_ORDER), value="alleged", description="At least"),
            "half_life": w.FloatLogSlider(
                value=30,
                base=10,
                min=0.5,
                max=2.5,
                step=0.05,
                description="Half-life (d)",
                readout_format=".0f",
            ),
            "goldstein": w.Dropdown(
                options=list(GOLDSTEIN_CHOICES), value="events' own weights", description="Weights"
            ),
            "method": w.ToggleButtons(
                options=[(v, k) for k, v in METHODS.items()], value="index", description="Score"
            ),
            "export": w.Button(description="Export view", icon="download"),
        }
        self.tension = go.FigureWidget()
        self.timeline = go.FigureWidget()
        self.table = w.HTML()
        self.detail = w.HTML(
            "<i>Click a point on the tension lines to explain it, or an event on the timeline "
            "to see its source.</i>"
        )
        self.export_output = w.HTML()
        self.status = w.HTML()
        self.last_update_seconds = 0.0
        self.selection = events.iloc[:0]
        self.scores = pd.DataFrame()
        for name, control in self.controls.items():
            if name != "export":
                control.observe(self._on_change, names="value")
        self.controls["export"].on_click(lambda _: self.export_view())
        self.update()
        c = self.controls
        self.widget = w.VBox(
            [
                w.HBox([c["pairs"], c["themes"], c["quads"]]),
                w.HBox([c["dates"], c["confidence"]]),
                w.HBox([c["half_life"], c["goldstein"], c["export"]]),
                c["method"],
                self.status,
                self.tension,
                self.detail,
                self.timeline,
                self.table,
                self.export_output,
            ]
        )

    # ------------------------------------------------------------------------------------------ state

    @property
    def knobs(self) -> dict:
        """The scoring settings the controls describe."""
        return {
            "half_life_days": float(self.controls["half_life"].value),
            "goldstein_table": GOLDSTEIN_CHOICES[self.controls["goldstein"].value],
        }

    def _on_change(self, _change) -> None:
        self.update()

    def _structure(self) -> tuple:
        c = self.controls
        return (
            c["pairs"].value,
            c["dates"].value,
            c["themes"].value,
            c["quads"].value,
            c["confidence"].value,
            c["method"].value,
        )

    def update(self) -> None:
        """Recompute selection and scores from the controls and push them to every view once.

        A change of the half-life or of the weights leaves the selection alone: only the index lines move,
        so only their values are sent (the fast path). Any other change rebuilds the views.
        """
        started = time.perf_counter()
        structure = self._structure()
        if structure == getattr(self, "_last_structure", None) and structure[-1] == "index":
            self._update_index_values()
        else:
            self._rebuild()
        self._last_structure = structure
        self.last_update_seconds = time.perf_counter() - started
        shown = self.selection[self.selection["date"] >= self.controls["dates"].value[0]]
        self.status.value = (
            f"<small>{len(shown)} events shown, {len(self.selection)} scored · updated in "
            f"{self.last_update_seconds * 1000:.0f} ms</small>"
        )

    def _update_index_values(self) -> None:
        start, end = self.controls["dates"].value
        end = end + pd.offsets.MonthEnd(0)
        self.scores = scoring.score_dyads(self.selection, start=start, end=end, **self.knobs)
        by_pair = {pair: g.set_index("date") for pair, g in self.scores.groupby("pair")}
        with self.tension.batch_update():
            for trace in self.tension.data:
                series = by_pair.get(trace.name)
                if trace.mode == "lines" and series is not None:
                    trace.x = series.index.strftime("%Y-%m-%d").tolist()
                    trace.y = series["index"].to_numpy()
                    trace.customdata = series[["pressure", "n_events"]].to_numpy()
                elif trace.mode == "markers" and trace.legendgroup in by_pair and trace.x is not None:
                    index = by_pair[trace.legendgroup]["index"]
                    trace.y = [float(index.get(pd.Timestamp(x), float("nan"))) for x in trace.x]

    def _rebuild(self) -> None:
        c = self.controls
        start, end = c["dates"].value
        end = end + pd.offsets.MonthEnd(0)
        pairs = list(c["pairs"].value)
        self.selection = filter_events(
            self.events,
            pairs=pairs,
            themes=list(c["themes"].value),
            quad_classes=list(c["quads"].value),
            end=end,
            min_confidence=c["confidence"].value,
        )
        shown = self.selection[self.selection["date"] >= start]
        method = c["method"].value
        if self.selection.empty:
            self.scores = pd.DataFrame(columns=scoring.SCORE_COLUMNS)
            tension = go.Figure().update_layout(title="No event matches the selection")
        elif method == "index":
            self.scores = scoring.score_dyads(self.selection, start=start, end=end, **self.knobs)
            # no event labels here: clicking a line explains any point, and labels cost a rebuild ~1 s
            tension = charts.build_tension_figure(self.scores, pairs=pairs, eras=self.eras, top_events=0)
        elif method == "gdelt":
            self.scores = scoring.score_gdelt_mean(
                self.selection, goldstein_table=self.knobs["goldstein_table"]
            )
            self.scores = self.scores[self.scores["date"] >= start]
            tension = build_score_lines_figure(
                self.scores,
                "mean_goldstein",
                pairs,
                METHODS[method],
                "mean Goldstein (lower = more conflict)",
            )
        else:
            self.scores = scoring.score_cumulative(
                self.selection, goldstein_table=self.knobs["goldstein_table"]
            )
            tension = build_score_lines_figure(
                self.scores, "cumulative", pairs, METHODS[method], "cumulative push"
            )
        timeline = (
            charts.build_timeline_figure(shown, self.eras, start=start, end=end)
            if len(shown)
            else go.Figure().update_layout(title="No event in this window")
        )
        sync_figure(self.tension, tension)
        sync_figure(self.timeline, timeline)
        self._bind_clicks()
        self.table.value = self._table_html(shown)

    def _bind_clicks(self) -> None:
        for trace in self.tension.data:
            if trace.mode == "lines" and trace.name in set(self.controls["pairs"].value):
                trace.on_click(self._tension_clicked)
        for trace in self.timeline.data:
            if trace.mode == "markers" and trace.customdata is not None:
                trace.on_click(self._timeline_clicked)

    def _tension_clicked(self, trace, points, _selector) -> None:
        if points.point_inds:
            self.on_tension_click(trace.name, pd.Timestamp(points.xs[0]))

    def _timeline_clicked(self, trace, points, _selector) -> None:
        if points.point_inds:
            self.on_event_click(trace.customdata[points.point_inds[0]][-1])

    # ------------------------------------------------------------------------------------------ clicks

    def on_tension_click(self, pair: str, date) -> pd.DataFrame:
        """Show (and return) the explain breakdown of ``pair`` at ``date`` under the current settings."""
        breakdown = scoring.explain(self.selection, pair, pd.Timestamp(date), **self.knobs)
        rows = "".join(
            f"<tr><td>{html.escape(str(r.event_id))}</td><td>{r.date:%Y-%m-%d}</td><td>{html.escape(str(r.title))}"
            f"</td><td>{r.goldstein:+.1f}</td><td>{html.escape(str(r.confidence))}</td><td>{r.decay:.3f}</td>"
            f"<td><b>{r.contribution:+.3f}</b></td></tr>"
            for r in breakdown.head(15).itertuples()
        )
        self.detail.value = (
            f"<h4>{html.escape(pair)} on {pd.Timestamp(date):%Y-%m-%d}: pressure "
            f"{breakdown.attrs['pressure']:.3f}, index {breakdown.attrs['index']:.1f}</h4>"
            "<table><tr><th>event</th><th>date</th><th>title</th><th>Goldstein</th><th>confidence</th>"
            f"<th>decay</th><th>contribution</th></tr>{rows}</table>"
            f"<small>{len(breakdown)} events; contributions add up to the pressure.</small>"
        )
        return breakdown

    def on_event_click(self, event_id: str) -> pd.Series:
        """Show (and return) one event's details with its sources and evidence quote."""
        event = self.events.set_index("event_id").loc[event_id]
        sources = []
        for sid in str(event["source_ids"]).split(";"):
            if self.sources is not None and sid in self.sources.index:
                src = self.sources.loc[sid]
                sources.append(
                    f"{html.escape(sid)}: {html.escape(str(src['title']))} "
                    f"({html.escape(str(src['publisher']))})"
                )
            else:
                sources.append(html.escape(sid))

        def field(name: str) -> str:
            value = event.get(name)
            return (
                ""
                if value is None or (not isinstance(value, str) and pd.isna(value))
                else html.escape(str(value))
            )

        self.detail.value = (
            f"<h4>{html.escape(event_id)} · {field('title')}</h4>"
            f"<p>{event['date']:%Y-%m-%d} ({field('date_precision')}) · {field('actor')} → {field('target')} · "
            f"CAMEO {field('cameo_code')} · Goldstein {event['goldstein']:+.1f} · {field('confidence')}</p>"
            f"<p>{field('description')}</p>"
            f"<blockquote>“{field('evidence')}”</blockquote>"
            f"<p><small>Sources: {'; '.join(sources)}</small></p>"
            + (f"<p><small>Date note: {field('date_note')}</small></p>" if field("date_note") else "")
        )
        return event

    # ------------------------------------------------------------------------------------------ output

    def _table_html(self, shown: pd.DataFrame) -> str:
        if shown.empty:
            return "<i>No event matches the selection.</i>"
        rows = []
        for r in shown.sort_values("date")[TABLE_COLUMNS].itertuples(index=False):
            rows.append(
                f"<tr><td>{html.escape(str(r.event_id))}</td><td>{r.date:%Y-%m-%d}</td>"
                f"<td>{html.escape(str(r.pair))}</td><td>{html.escape(str(r.title))}</td>"
                f"<td>{r.goldstein:+.1f}</td><td>{html.escape(str(r.confidence))}</td>"
                f"<td>{html.escape(str(r.source_ids))}</td></tr>"
            )
        head = "".join(f"<th>{c}</th>" for c in TABLE_COLUMNS)
        return f"<table><tr>{head}</tr>{''.join(rows)}</table>"

    def export_view(self, formats=("png", "html")) -> list:
        """Export the two current views (and their data) with ``export_figures``; show the paths written."""
        items = [
            (go.Figure(self.tension), "dashboard-scores", self.scores),
            (go.Figure(self.timeline), "dashboard-timeline", self.selection),
        ]
        try:
            written = export_figures(items, formats=formats, out_dir=self.export_dir)
        except Exception as exc:  # shown in the dashboard rather than lost in a callback
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
    """Open the dashboard on ``events`` (default: the curated dataset with its eras and sources)."""
    if events is None:
        from tensions.data import load_dataset

        ds = load_dataset()
        events, eras, sources = ds["events"], ds["eras"], ds["sources"]
    return Dashboard(events, eras=eras, sources=sources, **kwargs)


def measure_update(board: Dashboard, change: Callable[[Dashboard], None]) -> float:
    """Seconds from a control change to the views being updated (the observer runs synchronously)."""
    started = time.perf_counter()
    change(board)
    return time.perf_counter() - started
