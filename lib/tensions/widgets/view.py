"""The dashboard's charts as ``go.FigureWidget`` views, updated in place through plotly's public API.

A view is drawn once; afterwards a new figure from a chart builder is *moved into* the existing widget
(:func:`show_figure`): its traces' properties and the layout are assigned to the widget's traces inside one
``batch_update``, so the browser receives one ``update`` message and redraws once, instead of traces being
deleted and added (three messages, three redraws, and the trace defaults sent back to the kernel). Changes
that only move values (a knob, a filter, the window) assign just the changed arrays.
"""

from __future__ import annotations

import base64
import json
import re

import numpy as np
import pandas as pd
import plotly.graph_objects as go

KEEP = {"type", "uid"}  # trace properties a widget trace keeps when another figure is moved into it
BLANK = {"x": [], "y": [], "name": "", "visible": False, "showlegend": False, "customdata": None}


MIDNIGHT = re.compile(r"^\d{4}-\d{2}-\d{2}T00:00:00(\.0+)?$")


def figure_spec(fig: go.Figure) -> dict:
    """The figure as plain JSON types (days as ``YYYY-MM-DD``, arrays as lists), ready for a FigureWidget.

    The widget channel would send numpy dates as raw nanoseconds, so the figure goes through plotly's
    JSON encoder first; its base64 typed arrays are decoded back into lists, and timestamps at midnight
    are cut to their day (a third of the size).
    """
    return _decode_typed_arrays(json.loads(fig.to_json()))


def _days(values: list) -> list:
    """``2024-12-25T00:00:00.000000000`` -> ``2024-12-25`` in a list whose first item is such a time."""
    if values and isinstance(values[0], str) and MIDNIGHT.match(values[0]):
        return [v[:10] if isinstance(v, str) and MIDNIGHT.match(v) else v for v in values]
    return values


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
        return _days([_decode_typed_arrays(value) for value in obj])
    return obj


def iso_days(dates: pd.Series) -> np.ndarray:
    """Days as ``YYYY-MM-DD`` strings (a FigureWidget would send numpy dates as nanosecond integers).

    >>> iso_days(pd.Series(pd.to_datetime(["2024-12-25", "2025-01-01"]))).tolist()
    ['2024-12-25', '2025-01-01']
    """
    return np.datetime_as_string(dates.to_numpy(dtype="datetime64[ns]"), unit="D")


def show_figure(target: go.FigureWidget, source: go.Figure) -> list[int]:
    """Make ``target`` show ``source``, reusing its traces; return the indexes of the traces added.

    Trace ``i`` of ``source`` goes into trace ``i`` of ``target`` when both have the same type; traces the
    widget has in excess are blanked (hidden, no data) so that they can be reused by a later figure. The
    layout is replaced key by key (keys the new layout lacks are cleared); the template is sent once.
    """
    spec = figure_spec(source)
    traces, layout = spec.get("data", []), spec.get("layout", {})
    current = list(target.data)
    if any(t.type != new.get("type", "scatter") for t, new in zip(current, traces, strict=False)):
        target.data = []  # another kind of chart: start again (rare: the views keep their kinds)
        current = []
    added = list(range(len(current), len(traces)))
    if added:
        target.add_traces(traces[len(current) :])
    template = layout.pop("template", None)
    with target.batch_update():
        for trace, new in zip(current, traces, strict=False):
            stale = set(trace.to_plotly_json()) - set(new) - KEEP
            trace.update({**dict.fromkeys(stale, None), **{k: v for k, v in new.items() if k not in KEEP}})
        for trace in current[len(traces) :]:
            if trace.visible is not False or len(trace.x or ()):
                stale = set(trace.to_plotly_json()) - set(BLANK) - KEEP
                trace.update({**dict.fromkeys(stale, None), **BLANK})
        stale = set(target.layout.to_plotly_json()) - set(layout) - {"template"}
        target.layout.update({**dict.fromkeys(stale, None), **layout}, overwrite=True)
        if template is not None and not target.layout.template.data and not target.layout.template.layout:
            target.layout.template = template
    return added


def drawn_traces(target: go.FigureWidget, modes: tuple[str, ...]) -> list:
    """The visible traces of ``target`` drawn in one of ``modes`` with a name."""
    return [t for t in target.data if t.mode in modes and t.name and t.visible is not False]


class FigureView(go.FigureWidget):
    """A ``go.FigureWidget`` whose synced state always describes the figure it shows.

    Updates reach a displayed FigureWidget as messages; a page that connects later (Voilà renders the
    widgets after the notebook has run; a reloaded JupyterLab page) asks the kernel for the widget's state
    instead, and plotly only refreshes that state when the figure widget itself is displayed, not as a child
    of a box. This view answers such requests (ipywidgets' ``get_state``) from the current figure.
    """

    def get_state(self, key=None, drop_defaults=False):
        """The widget's state for the browser, the traces and layout taken from the current figure."""
        state = super().get_state(key=key, drop_defaults=drop_defaults)
        if "_widget_data" in state or "_widget_layout" in state:
            try:
                spec = self.to_plotly_json()
            except AttributeError:  # asked while the widget is being made: its state is the initial one
                return state
            for name, value in (("_widget_data", spec["data"]), ("_widget_layout", spec["layout"])):
                if name in state:
                    state[name] = self.trait_metadata(name, "to_json")(value, self)
        return state
