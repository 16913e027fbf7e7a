"""The dashboard's charts as ``go.FigureWidget`` views, updated in place through plotly's public API.

A view is drawn once; afterwards a new figure from a chart builder is *moved into* the existing widget
(:func:`show_figure`): its traces' properties and the layout are assigned to the widget's traces inside one
``batch_update``, so the browser receives one ``update`` message and redraws once, instead of traces being
deleted and added (three messages, three redraws, and the trace defaults sent back to the kernel). Changes
that only move values (a knob, a filter, the window) assign just the changed arrays.
"""

from __future__ import annotations

import base64
import sys
from datetime import datetime

import numpy as np
import pandas as pd
import plotly.graph_objects as go


def skip_iri_grammars() -> None:
    """Keep ``jsonschema`` from compiling the IRI grammars of ``rfc3987-syntax`` when it is first imported.

    plotly's FigureWidget imports nbformat, nbformat imports jsonschema, and jsonschema, when
    ``rfc3987-syntax`` is installed (JupyterLab's dependencies install it), builds 38 parsers for its
    ``iri`` format checks on import: about 1.4 s, a third of the time the dashboard took to open. Nothing in
    a workbook kernel validates IRIs; without the module jsonschema skips those two format checks (as it does
    when the package is not installed). Does nothing once jsonschema is imported.
    """
    if "jsonschema" not in sys.modules:
        sys.modules.setdefault("rfc3987_syntax", None)


skip_iri_grammars()

KEEP = {"type", "uid"}  # trace properties a widget trace keeps when another figure is moved into it
DATA_KEYS = ("x", "y", "customdata", "text", "hovertext", "ids", "selectedpoints")
BLANK = {"x": [], "y": [], "name": "", "visible": False, "showlegend": False, "customdata": None}


def figure_spec(fig: go.Figure) -> dict:
    """The figure as types a FigureWidget sends as they are: dates as ISO strings, numbers as numpy arrays.

    The widget channel would send numpy dates as raw nanoseconds; dates (arrays, timestamps) become
    ``YYYY-MM-DD`` strings, or ``YYYY-MM-DDTHH:MM:SS`` when they are not all at midnight.
    """
    return _plain(fig.to_plotly_json())


def _plain(obj):
    """Dates in ``obj`` (nested dicts, lists, numpy arrays) as ISO strings."""
    if isinstance(obj, dict):
        if set(obj) >= {"dtype", "bdata"}:  # plotly's base64 typed array: back to numpy
            values = np.frombuffer(base64.b64decode(obj["bdata"]), dtype=np.dtype(obj["dtype"]))
            if "shape" in obj:
                values = values.reshape([int(n) for n in str(obj["shape"]).split(",")])
            return values
        return {key: _plain(value) for key, value in obj.items()}
    if isinstance(obj, list | tuple):
        return [_plain(value) for value in obj]
    if isinstance(obj, np.ndarray):
        if obj.dtype.kind == "M":
            return _iso(obj)
        if obj.dtype == object and any(isinstance(v, datetime | np.datetime64) for v in obj.flat):
            return np.array([_plain(v) for v in obj.flat], dtype=object).reshape(obj.shape)
        return obj
    if isinstance(obj, datetime | np.datetime64):
        return _iso(np.array([obj], dtype="datetime64[ns]"))[0]
    return obj


def _iso(values: np.ndarray) -> np.ndarray:
    """ISO strings of datetime64 values: days when every value is at midnight."""
    ns = values.astype("datetime64[ns]")
    days = ns.astype("datetime64[D]")
    midnight = bool((ns[~np.isnat(ns)] == days[~np.isnat(ns)]).all())
    out = np.datetime_as_string(ns, unit="D" if midnight else "s")
    return np.where(np.isnat(ns), None, out) if np.isnat(ns).any() else out


def iso_days(dates: pd.Series) -> np.ndarray:
    """Days as ``YYYY-MM-DD`` strings (a FigureWidget would send numpy dates as nanosecond integers).

    >>> iso_days(pd.Series(pd.to_datetime(["2024-12-25", "2025-01-01"]))).tolist()
    ['2024-12-25', '2025-01-01']
    """
    return np.datetime_as_string(dates.to_numpy(dtype="datetime64[ns]"), unit="D")


class FigureView(go.FigureWidget):
    """A ``go.FigureWidget`` whose synced state always describes the figure it shows.

    Updates reach a displayed FigureWidget as messages; a page that connects later (Voilà renders the
    widgets after the notebook has run; a reloaded JupyterLab page) asks the kernel for the widget's state
    instead, and plotly only refreshes that state when the figure widget itself is displayed, not as a child
    of a box. This view answers such requests (ipywidgets' ``get_state``) from the current figure.
    """

    _moved_keys: list[set[str]]  # the properties each trace got from the last figure moved in
    _layout_keys: set[str]
    _template_sent: bool

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._moved_keys, self._layout_keys, self._template_sent = [], set(), False

    def get_state(self, key=None, drop_defaults=False):
        """The widget's state for the browser, the traces and layout taken from the current figure."""
        state = super().get_state(key=key, drop_defaults=drop_defaults)
        if "_widget_data" in state or "_widget_layout" in state:
            try:
                spec = self.to_plotly_json()
            except AttributeError:  # asked while the widget is being made: its state is the initial one
                return state
            spec = _plain(spec)  # plotly's base64 arrays back to numpy: the widget sends those as buffers
            for name, value in (("_widget_data", spec["data"]), ("_widget_layout", spec["layout"])):
                if name in state:
                    state[name] = self.trait_metadata(name, "to_json")(value, self)
        return state


def _as_arrays(trace: dict) -> dict:
    """The trace with its data lists as numpy arrays: plotly validates an array at once, a list item by item."""
    out = dict(trace)
    for key in DATA_KEYS:
        value = out.get(key)
        if isinstance(value, list) and len(value) > 1:
            out[key] = np.asarray(value, dtype=object if None in value else None)
    marker = out.get("marker")
    if isinstance(marker, dict):
        out["marker"] = {
            k: np.asarray(v) if isinstance(v, list) and len(v) > 1 else v for k, v in marker.items()
        }
    return out


def show_figure(target: FigureView, source: go.Figure) -> list[int]:
    """Make ``target`` show ``source``, reusing its traces; return the indexes of the traces added.

    Trace ``i`` of ``source`` goes into trace ``i`` of ``target`` when both have the same type; traces the
    widget has in excess are blanked (hidden, no data) so that they can be reused by a later figure. The
    layout is replaced key by key (keys the new layout lacks are cleared); the template is sent once.
    """
    spec = figure_spec(source)
    traces = [
        {k: v for k, v in t.items() if k not in KEEP} | {"type": t.get("type", "scatter")}
        for t in spec.get("data", [])
    ]
    layout = spec.get("layout", {})
    current = list(target.data)
    if any(t.type != new["type"] for t, new in zip(current, traces, strict=False)):
        target.data = []  # another kind of chart: start again (rare: the views keep their kinds)
        target._moved_keys = []
        current = []
    added = list(range(len(current), len(traces)))
    if added:
        target.add_traces([_as_arrays(t) for t in traces[len(current) :]])
    template = layout.pop("template", None)
    with target.batch_update():
        for i, (trace, new) in enumerate(zip(current, traces, strict=False)):
            stale = target._moved_keys[i] - set(new) if i < len(target._moved_keys) else set()
            new = {k: v for k, v in new.items() if k != "type"}
            trace.update({**dict.fromkeys(stale, None), **_as_arrays(new)})
        for i, trace in enumerate(current[len(traces) :], start=len(traces)):
            if trace.visible is not False:
                stale = target._moved_keys[i] - set(BLANK) if i < len(target._moved_keys) else set()
                trace.update({**dict.fromkeys(stale, None), **BLANK})
        stale = target._layout_keys - set(layout)
        target.layout.update({**dict.fromkeys(stale, None), **layout}, overwrite=True)
        if template is not None and not target._template_sent:
            target.layout.template = template
            target._template_sent = True
    keys = [set(t) - {"type"} for t in traces]
    target._moved_keys = keys + [set(BLANK)] * (len(target.data) - len(keys))
    target._layout_keys = set(layout)
    return added


def drawn_traces(target: go.FigureWidget, modes: tuple[str, ...]) -> list:
    """The visible traces of ``target`` drawn in one of ``modes`` with a name."""
    return [t for t in target.data if t.mode in modes and t.name and t.visible is not False]
