"""The dashboard: controls wired to a :class:`DashboardState` and its views."""

from __future__ import annotations

import functools
import time
from collections.abc import Sequence
from pathlib import Path

import ipywidgets as w
import numpy as np
import pandas as pd
import plotly.graph_objects as go

from tensions import charts, paths
from tensions.charts.labels import KEY_LINE_PX, KEY_LINES
from tensions.charts.style import events_note
from tensions.outputs import write_csv
from tensions.salience import most_salient
from tensions.widgets import tables
from tensions.widgets.controls import arrange, make_controls, read_settings
from tensions.widgets.methods import METHODS
from tensions.widgets.state import DashboardState, StateView
from tensions.widgets.view import (
    FigureView,
    annotations_depth,
    figure_spec,
    iso_days,
    merge_annotations,
    send_update,
    show_figure,
    split_marker_traces,
)

TIMELINES_KEPT = 8  # timelines of the last sets of pairs kept, drawn again without the builder
FADED_OPACITY = 0.2  # events the filters leave out stay on the timeline, this faint
LINE_MODES = ("lines", "lines+markers")
HINT = (
    "<i>Click a point on a tension line to see the events that make it up, or an event on the timeline to "
    "see its sources and evidence.</i>"
)


def _opacities(trace: dict) -> np.ndarray:
    """The marker opacity of each point of the trace ``trace`` (a spec; 1 where the trace sets none)."""
    opacity = (trace.get("marker") or {}).get("opacity")
    n = len(trace["customdata"])
    values = np.ones(n) if opacity is None else np.asarray(opacity, dtype="float64")
    return np.broadcast_to(values, (n,)).copy()


class Dashboard:
    """Linked, clickable views of an events table and its scores.

    Args:
        events: events with the curated columns (``load_events`` or ``read_events`` output).
        eras: named periods to shade (``load_eras``), optional; the window opens on the earliest era of
            the chosen pairs.
        sources: the sources table (``load_sources``), to show an event's sources by title and link.
        pairs: pairs selected when the dashboard opens (default: the four with the most events); a pair
            without events is an error naming the closest ones.
        themes: themes chosen when the dashboard opens (default none: every event); a theme no event
            carries is an error naming the closest ones.
        quads: quad classes kept when the dashboard opens, as numbers or names (default all four); an
            unknown one is an error naming the closest ones.
        export_dir: where *Export view* and *Table as CSV* write (default ``reports/figures/``).
        max_timeline_events: the timeline draws at most this many events of the chosen pairs (the most
            salient ones); the scores and the table always use every event.
        table_rows: rows shown in the event table (the most recent first; the CSV has them all).
        export_formats: formats the *Export view* button writes.
        width: width of the charts in pixels (a FigureWidget inside a box does not size itself to it).

    Attributes:
        controls: the ipywidgets controls by name (see :func:`tensions.widgets.controls.make_controls`).
        state: the settings and what they select (:class:`~tensions.widgets.state.DashboardState`).
        tension, timeline, waterfall: the ``go.FigureWidget`` views (``figures`` has them by name); the
            waterfall exists once a point of the index has been clicked.
        table, detail, export_output, status: HTML widgets.
        widget: the whole dashboard, to display.
        last_update_seconds: how long the last control change took in the kernel.
        updates: how many updates the views had (the status line carries it for pages to watch).
    """

    def __init__(
        self,
        events: pd.DataFrame,
        eras: pd.DataFrame | None = None,
        sources: pd.DataFrame | None = None,
        pairs: Sequence[str] | None = None,
        themes: Sequence[str] = (),
        quads: Sequence[int | str] = (1, 2, 3, 4),
        export_dir: str | Path | None = None,
        max_timeline_events: int = 1500,
        table_rows: int = 200,
        export_formats: Sequence[str] = ("png", "svg", "html"),
        width: int = 920,
    ):
        self.state = DashboardState(events)
        self.eras = eras
        self.sources = sources.set_index("source_id") if sources is not None else None
        self._source_records = tables.source_records(self.sources) if self.sources is not None else None
        self.export_dir = export_dir
        self.export_formats = tuple(export_formats)
        self.max_timeline_events = max_timeline_events
        self.table_rows = table_rows
        self.width = width
        self.last_update_seconds = 0.0
        self.updates = 0
        self.controls = make_controls(self.state.events, self.state.pairs, eras, pairs, themes, quads)
        self.tension = FigureView()
        self.timeline = FigureView()
        self.waterfall: go.FigureWidget | None = None  # made on the first click: one widget less to load
        self.waterfall_box = w.Box([], layout=w.Layout(display="none"))
        self.table = w.HTML(layout=w.Layout(max_height="380px", overflow="auto"))
        self.detail = w.HTML(HINT)
        self.export_output = w.HTML()
        self.status = w.HTML()
        self._timeline_points: list[tuple[int, list[str], np.ndarray]] = []  # (trace, event ids, opacities)
        self._timeline_faded: dict[int, tuple[int, ...]] = {}  # trace -> points drawn faded
        self._timelines: dict[frozenset, tuple] = {}  # set of pairs -> built timeline (figure, note, points)
        self._timeline_note = ""
        self._tension_method: str | None = None
        self._clickable: dict[str, int] = {"tension": 0, "timeline": 0}

        for name, control in self.controls.items():
            if not isinstance(control, w.Button):
                control.observe(functools.partial(self._changed, name), names="value")
        self.controls["export"].on_click(lambda _: self.export_view())
        self.controls["export_table"].on_click(lambda _: self.export_table())
        self.update()
        views = [self.export_output, self.status, self.tension, self.detail, self.waterfall_box]
        self.widget = arrange(self.controls, tables.render_style(), [*views, self.timeline, self.table])

    # ------------------------------------------------------------------------------------ read-only

    events = StateView("Every event of the dashboard.")
    context = StateView("The chosen pairs' events, every date.")
    selection = StateView("The chosen pairs' events that pass the filters, every date (the scores use them).")
    shown = StateView("The selection inside the window (the table lists them).")
    scores = StateView("The scores drawn on the tension view (columns depend on the method).")

    @property
    def figures(self) -> dict[str, go.FigureWidget]:
        """The views by name: ``tension``, ``timeline`` and, once a point was clicked, ``waterfall``."""
        views = {"tension": self.tension, "timeline": self.timeline}
        return views | ({"waterfall": self.waterfall} if self.waterfall is not None else {})

    @property
    def knobs(self) -> dict:
        """The scoring settings the controls describe."""
        return read_settings(self.controls).knobs

    @property
    def window(self) -> tuple[pd.Timestamp, pd.Timestamp]:
        """First and last day of the chosen months."""
        settings = read_settings(self.controls)
        return settings.start, settings.end

    # --------------------------------------------------------------------------------------- update

    def _changed(self, _name: str, _change=None) -> None:
        self.update()

    def update(self, rebuild: bool = False) -> set[str]:
        """Bring the views up to date with the controls, each view redrawn at most once.

        Args:
            rebuild: draw both views again with the chart builders even if only values changed (the
                timelines kept for earlier sets of pairs are dropped).

        Returns:
            What was recomputed (see :meth:`DashboardState.apply`).
        """
        started = time.perf_counter()
        if rebuild:
            self._timelines.clear()
        settings = read_settings(self.controls)
        structural = rebuild or self.state.settings is None or settings.pairs != self.state.settings.pairs
        done = self.state.apply(settings)
        if structural or settings.method != self._tension_method:
            self._draw_tension()
        elif "scores" in done:
            self._push_scores()
        if structural:
            self._draw_timeline()  # faded and zoomed in the same update
        elif done & {"selection", "shown", "context"}:
            self._fade_and_zoom_timeline()
        if done & {"selection", "shown", "context"} or structural:
            self.table.value = tables.render_events_table(self.shown, self._source_records, self.table_rows)
        self.last_update_seconds = time.perf_counter() - started
        self.updates += 1
        self.status.value = tables.render_status(
            self.state, self._timeline_note, self.last_update_seconds, self.updates
        )
        return done

    def rebuild(self) -> None:
        """Draw every view again with the chart builders (what a change of pairs does)."""
        self.update(rebuild=True)

    # ---------------------------------------------------------------------------------------- views

    def _draw_tension(self) -> None:
        """Draw the tension view with the chart builders, then move it into the widget."""
        settings = self.state.settings
        method = METHODS[settings.method]
        pairs = list(settings.pairs)
        self._tension_method = settings.method
        if self.scores.empty:
            fig = go.Figure().update_layout(title="No event matches the selection", height=300)
        elif method.component is not None:
            fig = charts.build_tension_figure(self.scores, pairs=pairs, eras=self.eras, top_events=0)
        else:
            fig = charts.build_score_lines_figure(
                self.scores, method.column, pairs, method.label, method.axis_title, eras=self.eras
            )
        # the dashboard's own settings go into the plain spec: nothing is validated again
        spec = figure_spec(fig)
        layout = spec["layout"]
        if method.component is not None and not self.scores.empty:
            layout["hovermode"] = "closest"  # a click must pick one line, not every line at that date
        layout["width"] = self.width
        window = [f"{settings.start:%Y-%m-%d}", f"{settings.end:%Y-%m-%d}"]
        layout["xaxis"] = {**layout.get("xaxis", {}), "range": window}
        layout |= self._credit(layout.get("annotations", []))
        self._watch_clicks(self.tension, show_figure(self.tension, spec), "tension", self._tension_clicked)

    def _credit(self, annotations: Sequence[dict]) -> dict:
        """The layout change that makes the source line among ``annotations`` name the events scored.

        The builders draw scores without their events, so their line credits the curated file; the
        dashboard may show machine-coded events (GDELT, ICEWS ...): the line names them, with their count.
        """
        notes = [dict(note) for note in annotations]
        for note in notes:
            if note.get("name") == "source-note":
                as_of = str(note["text"]).rpartition(" · as of ")[2]
                note["text"] = f"{events_note(self.selection)} · as of {as_of}"
                return {"annotations": notes}
        return {}

    def _push_scores(self) -> None:
        """Send the new scores to the lines already drawn (one update; dates only where they moved)."""
        settings = self.state.settings
        method = METHODS[settings.method]
        by_pair = {str(p): g for p, g in self.scores.groupby("pair", observed=True)}
        lines = {
            i: t
            for i, t in enumerate(self.tension.data)
            if t.mode in LINE_MODES and t.name and t.visible is not False
        }
        if not set(by_pair) <= {t.name for t in lines.values()}:
            self._draw_tension()  # a pair that had no score now has one
            return
        changes: dict[int, dict] = {}
        for i, trace in lines.items():
            part = by_pair.get(trace.name)
            days = iso_days(part["date"]) if part is not None else np.array([], dtype="<U10")
            change = {"y": part[method.column].to_numpy(dtype="float64") if part is not None else days}
            if trace.x is None or not np.array_equal(np.asarray(trace.x, dtype=str), days):
                change["x"] = days
            if method.component is not None:
                change["customdata"] = part[["pressure", "n_events"]].to_numpy() if part is not None else days
            changes[i] = change
        layout = {"xaxis.range": [f"{settings.start:%Y-%m-%d}", f"{settings.end:%Y-%m-%d}"]}
        if list(self.tension.layout.xaxis.range or []) == layout["xaxis.range"]:
            layout = {}
        if method.component == "net":
            layout["yaxis.range"] = charts.index_axis_range(self.scores["index_value"])
        send_update(
            self.tension, changes, layout | self._credit(self.tension.sent_layout.get("annotations", []))
        )

    def _draw_timeline(self) -> None:
        """Draw the chosen pairs' timeline (built once per set of pairs), faded and zoomed, in one update."""
        key = frozenset(self.state.settings.pairs)
        built = self._timelines.pop(key, None) or self._build_timeline()
        self._timelines[key] = built  # the most recent last; the oldest go past TIMELINES_KEPT
        while len(self._timelines) > TIMELINES_KEPT:
            del self._timelines[next(iter(self._timelines))]
        spec, self._timeline_note, self._timeline_points = built
        if self._timeline_points:
            layout = spec["layout"]
            xaxis = {**layout.get("xaxis", {}), "range": self._timeline_range()}
            spec = spec | {"layout": layout | {"xaxis": xaxis}}  # the kept spec itself is left as it is
        self._timeline_faded = {}
        added = show_figure(self.timeline, spec, extra=self._fade_changes())
        self._watch_clicks(self.timeline, added, "timeline", self._timeline_clicked)

    def _build_timeline(self) -> tuple[dict, str, list[tuple[int, list[str], np.ndarray]]]:
        """The timeline of the chosen pairs with the builder: every event (at most the most salient).

        Returns:
            The figure as a :func:`figure_spec` (kept, and shown again as it is), the note on the events
            left out (or ""), and per marker trace its index, the event id of each point and the points'
            opacities.
        """
        context = most_salient(self.context, self.max_timeline_events)
        note = (
            f"timeline: the {self.max_timeline_events:,} most salient of {len(self.context):,} events"
            if len(context) < len(self.context)
            else ""
        )
        if context.empty:
            fig = go.Figure().update_layout(title="No event for these pairs", height=300)
        else:
            fig = charts.build_timeline_figure(context, self.eras)
            lanes = context["pair"].nunique()
            # Plotly stretches an axis to fit annotation arrows, which squeezes the lanes: fix the lane axis
            # instead, with headroom above the top lane for the key-event labels (up to ~105 px above). The
            # months control replaces the range slider.
            lane_px, headroom = 56, 2.0
            fig.update_layout(
                height=int(300 + lane_px * (lanes + headroom)),
                yaxis={"range": [-0.6, lanes - 0.4 + headroom], "autorange": False},
                xaxis={"rangeslider": {"visible": False}},
                margin={"b": 90},
            )
            fig.layout.annotations[-1].update(yshift=-60)  # the source note, closer without the slider
        spec = split_marker_traces(figure_spec(fig))  # a confidence filter fades whole traces
        spec = merge_annotations(spec, "label-key", KEY_LINES)  # the key below: one text per column
        layout = spec["layout"]
        bottom = max(90, int(annotations_depth(spec, "label-key", KEY_LINE_PX + 0.5)) + 12)  # key in view
        if layout.get("height") and bottom > (layout.get("margin") or {}).get("b", 0):
            layout["height"] += bottom - layout["margin"]["b"]
            layout["margin"] = layout["margin"] | {"b": bottom}
        layout["width"] = self.width
        points = [
            (i, [str(row[-1]) for row in trace["customdata"]], _opacities(trace))
            for i, trace in enumerate(spec["data"])
            if trace.get("mode") == "markers"
            and trace.get("customdata") is not None
            and len(trace["customdata"])
        ]
        return spec, note, points

    def _timeline_range(self) -> list[str]:
        """The timeline's dates: the chosen months and 10 days either side."""
        settings, pad = self.state.settings, pd.Timedelta(days=10)
        return [f"{settings.start - pad:%Y-%m-%d}", f"{settings.end + pad:%Y-%m-%d}"]

    def _fade_changes(self) -> dict[int, dict]:
        """The marker opacities of the timeline's traces whose faded events changed (filtered out: faded)."""
        kept = set(self.selection["event_id"].astype("string").tolist())
        changes = {}
        for i, ids, base in self._timeline_points:
            faded = tuple(j for j, event_id in enumerate(ids) if event_id not in kept)
            if self._timeline_faded.get(i, ()) != faded:
                opacity = base.copy()
                opacity[list(faded)] = np.minimum(opacity[list(faded)], FADED_OPACITY)
                # one number when every point has the same: the browser restyles, it does not replot
                same = len(opacity) and (opacity == opacity[0]).all()
                changes[i] = {"marker.opacity": float(opacity[0]) if same else opacity}
                self._timeline_faded[i] = faded
        return changes

    def _fade_and_zoom_timeline(self) -> None:
        """Fade the events the filters leave out and show the chosen months (one update, only what changed).

        The fade changes marker opacities only, which the browser redraws without computing the plot again.
        """
        if not self._timeline_points:
            return
        window = self._timeline_range()
        layout = {} if list(self.timeline.layout.xaxis.range or []) == window else {"xaxis.range": window}
        send_update(self.timeline, self._fade_changes(), layout)

    def _watch_clicks(self, fig: go.FigureWidget, added: list[int], name: str, callback) -> None:
        """Send clicks on the traces added to ``fig`` to ``callback`` (reused traces keep theirs)."""
        for i in added:
            fig.data[i].on_click(callback)

    # ---------------------------------------------------------------------------------------- clicks

    def _tension_clicked(self, trace, points, _selector) -> None:
        if points.point_inds and trace.name and trace.mode in LINE_MODES:
            self.on_tension_click(trace.name, pd.Timestamp(points.xs[0]))

    def _timeline_clicked(self, trace, points, _selector) -> None:
        if points.point_inds and trace.mode == "markers" and trace.customdata is not None:
            self.on_event_click(str(trace.customdata[points.point_inds[0]][-1]))

    def explain_point(self, pair: str, date) -> pd.DataFrame:
        """The events behind the value of ``pair`` at ``date`` under the current method and settings.

        Returns:
            One row per event with ``event_id``, ``date``, ``title``, ``goldstein``, ``confidence`` and
            ``contribution``; contributions add up to the value drawn (``attrs["value"]``): the pressure
            for the index, the mean Goldstein of the day, or the cumulative push.
        """
        return self.state.explain_point(pair, date)

    def on_tension_click(self, pair: str, date) -> pd.DataFrame:
        """Show (and return) the events behind ``pair`` at ``date``: a table and, for the index, a waterfall."""
        day = pd.Timestamp(date).normalize()
        method = METHODS[self.state.settings.method]
        breakdown = self.explain_point(pair, day)
        self.detail.value = tables.render_breakdown(breakdown, pair, day, method.what)
        if method.component is not None and len(breakdown):
            waterfall = charts.build_waterfall_figure(breakdown, pair, day).update_layout(width=self.width)
            if self.waterfall is None:
                self.waterfall = FigureView()
                self.waterfall_box.children = (self.waterfall,)
            show_figure(self.waterfall, waterfall)
            self.waterfall_box.layout.display = None
        else:
            self.waterfall_box.layout.display = "none"
        return breakdown

    def on_event_click(self, event_id: str) -> pd.Series:
        """Show (and return) one event's details with its sources (title and link) and evidence quote."""
        event = self.state.event(event_id)
        self.detail.value = tables.render_event(
            event, self._source_records, faded=not self.state.is_selected(event_id)
        )
        self.waterfall_box.layout.display = "none"
        return event

    # ---------------------------------------------------------------------------------------- output

    def _stamp(self) -> str:
        start, end = self.window
        return f"{start:%Y%m}-{end:%Y%m}"

    def export_view(self, formats: Sequence[str] | None = None) -> list[Path]:
        """Export the current views (and the data behind them) with ``export_figures``; show the paths."""
        from tensions.export import export_figures  # the exporters load when first used, not at opening

        stamp = self._stamp()
        items = [
            (go.Figure(self.tension), f"dashboard-tension-{stamp}", self.scores),
            (go.Figure(self.timeline), f"dashboard-timeline-{stamp}", self.shown),
        ]
        self.export_output.value = "<i>Exporting…</i>"
        try:
            written = export_figures(items, formats=formats or self.export_formats, out_dir=self.export_dir)
        except Exception as exc:  # shown in the dashboard rather than lost in a widget callback
            self.export_output.value = tables.render_error(exc)
            raise
        self.export_output.value = tables.render_files(written)
        return written

    def table_frame(self) -> pd.DataFrame:
        """The events of the table: every one inside the window that passes the filters, most recent first."""
        return self.shown.sort_values("date", ascending=False, kind="stable").reset_index(drop=True)

    def export_table(self) -> Path:
        """Write the table's events (all of them, every column) as CSV, formula cells neutralised.

        The file goes to ``export_dir`` (written whole or not at all); the dashboard lists it with a link
        that downloads the same CSV in the browser.
        """
        out_dir = paths.ensure_dir(Path(self.export_dir) if self.export_dir else paths.FIGURES_DIR)
        path = out_dir / f"dashboard-events-{self._stamp()}.csv"
        try:
            write_csv(self.table_frame(), path)  # formula cells neutralised; a temp file renamed into place
        except Exception as exc:
            self.export_output.value = tables.render_error(exc)
            raise
        self.export_output.value = tables.render_files([path], download=(path.name, path.read_bytes()))
        return path

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
