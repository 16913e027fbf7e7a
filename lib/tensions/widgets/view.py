"""The dashboard's charts as ``go.FigureWidget`` views, updated in place through plotly's public API.

A view is drawn once; afterwards a new figure from a chart builder is *moved into* the existing widget
(:func:`show_figure`): its traces' properties and the layout go to the widget's traces in one
``plotly_update`` (:func:`send_update`), so the browser receives one ``update`` message and redraws once,
instead of traces being deleted and added (three messages, three redraws, and the trace defaults sent back to
the kernel). Changes that only move values (a knob, a filter, the window) send just the changed arrays.
"""

from __future__ import annotations

import base64
import re
import sys
from datetime import datetime

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.basedatatypes import Undefined


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
#: Set on every trace moved in (unless the figure sets them): a reused trace changes role (a legend entry, a
#: hidden spare, a line), and after each update the widget's browser side reports the properties it filled
#: with defaults; plotly then drops those properties from the trace, so a ``showlegend=False`` set on a trace
#: that once had the default would be dropped and its legend entry would come back. Explicit values are never
#: reported as defaults.
EXPLICIT = {"visible": True, "showlegend": True}


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


#: In plotly's widget module, an update from Python marks its restyle data with ``_doNotReportToPy`` so
#: that the view does not report it back; plotly.js takes the mark for a trace attribute it does not know,
#: and for an unknown attribute it computes and draws the whole figure again: every update from Python
#: (a fade that only changes marker opacities, a new x range) cost a full redraw. The patch counts the
#: updates from Python in progress on the view instead, and the view does not report while one is.
UPDATE_MARKED = "ge._doNotReportToPy=!0,Md.default.update(this.el,ge,je,mt)"
UPDATE_COUNTED = (
    "this._fromPy=(this._fromPy||0)+1,"
    "Promise.resolve(Md.default.update(this.el,ge,je,mt)).finally(()=>{this._fromPy--})"
)
REPORT_MARKED = "handle_plotly_update(ne){if(ne!=null&&!(ne.data"
REPORT_COUNTED = "handle_plotly_update(ne){if(ne!=null&&!this._fromPy&&!(ne.data"


def patch_widget_module(module: str) -> str | None:
    """Plotly's widget module with updates from Python drawn as what they change (None: unknown module).

    See :data:`UPDATE_MARKED`. Returns None when the module is not the one the patch knows (another plotly
    version): the views then work as plotly ships them, only slower.
    """
    if module.count(UPDATE_MARKED) != 1 or module.count(REPORT_MARKED) != 1:
        return None
    return module.replace(UPDATE_MARKED, UPDATE_COUNTED).replace(REPORT_MARKED, REPORT_COUNTED)


class FigureView(go.FigureWidget):
    """A ``go.FigureWidget`` whose synced state always describes the figure it shows.

    Updates reach a displayed FigureWidget as messages; a page that connects later (Voilà renders the
    widgets after the notebook has run; a reloaded JupyterLab page) asks the kernel for the widget's state
    instead, and plotly only refreshes that state when the figure widget itself is displayed, not as a child
    of a box. This view answers such requests (ipywidgets' ``get_state``) from the current figure.

    The browser side is plotly's widget module patched by :func:`patch_widget_module`, so that an update
    redraws only what it changes (plotly's as it is when the patch does not apply).
    """

    _esm = patch_widget_module(str(go.FigureWidget._esm)) or go.FigureWidget._esm
    _sent: list[dict]  # per trace, the property paths and values last sent (what the browser shows)
    _sent_layout: dict  # the layout paths and values last sent

    def __init__(self, *args, **kwargs):
        if not args and "layout" not in kwargs:  # the template comes with the first figure shown: no copy
            kwargs["layout"] = {"template": "none"}  # of plotly's default is made (and validated) first
        super().__init__(*args, **kwargs)
        self._sent, self._sent_layout = [], {}

    def __repr__(self) -> str:
        """The view and its traces by type, not the whole figure.

        A displayed box of widgets puts its children's ``repr`` in its plain-text form (cut to 110
        characters); plotly's ``repr`` of a figure prints every array of it, which took a tenth of the
        dashboard's opening.
        """
        kinds = ", ".join(trace.type for trace in self.data[:6]) + (", ..." if len(self.data) > 6 else "")
        return f"{type(self).__name__}({len(self.data)} traces: {kinds})"

    @property
    def sent_layout(self) -> dict:
        """The layout as last sent to the browser, by top-level key (plain values).

        Read the figure from this, ``to_dict()`` or ``go.Figure(view)``: lists of annotations and shapes are
        set as plain data, so the ``layout.annotations`` objects of the widget may lag behind.
        """
        return self._sent_layout

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


def leaf_paths(props: dict, prefix: str = "") -> dict:
    """``props`` as ``{"marker.color": ..., "x": ...}``: nested dicts flattened, lists and arrays kept whole.

    >>> leaf_paths({"x": [1, 2], "marker": {"color": "red", "line": {"width": 1}}})
    {'x': [1, 2], 'marker.color': 'red', 'marker.line.width': 1}
    """
    out = {}
    for key, value in props.items():
        if isinstance(value, dict) and value:
            out |= leaf_paths(value, f"{prefix}{key}.")
        else:
            out[f"{prefix}{key}"] = value
    return out


def _nested(paths: dict) -> dict:
    """``{"marker.color": c}`` back to ``{"marker": {"color": c}}`` (the inverse of :func:`leaf_paths`)."""
    out: dict = {}
    for path, value in paths.items():
        *parents, last = path.split(".")
        node = out
        for key in parents:
            node = node.setdefault(key, {})
        node[last] = value
    return out


def same_value(a, b) -> bool:
    """Whether two property values are equal (numpy arrays, lists and dicts compared element by element).

    >>> same_value(np.array(["2024-12-25"]), ["2024-12-25"]), same_value({"a": [1, 2]}, {"a": [1, 3]})
    (True, False)
    """
    if a is b:
        return True
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        a, b = np.asarray(a), np.asarray(b)
        if a.shape != b.shape:
            return False
        if a.dtype.kind in "OUS" or b.dtype.kind in "OUS":
            a, b = a.astype(object), b.astype(object)
        return bool(np.array_equal(a, b))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(same_value(a[k], b[k]) for k in a)
    if isinstance(a, list | tuple) and isinstance(b, list | tuple):
        return len(a) == len(b) and all(same_value(x, y) for x, y in zip(a, b, strict=True))
    try:
        return bool(a == b)
    except (TypeError, ValueError):
        return False


def send_update(target: FigureView, traces: dict[int, dict], layout: dict | None = None) -> None:
    """Apply trace and layout changes with one ``plotly_update``: one message, one redraw in the browser.

    Args:
        target: the widget.
        traces: trace index -> ``{property path: value}`` (``None`` removes a property).
        layout: ``{layout path: value}``.

    Only values that differ from what the view was last sent go out (a line whose dates did not move
    keeps them). The values are set as they are, without plotly's validation of every property: they
    come from a figure a chart builder made (validated when it was built) or are data arrays of a known
    type. Nothing is sent when nothing changed.
    """
    while len(target._sent) < len(target.data):
        target._sent.append(dict(BLANK))
    changes: dict[int, dict] = {}
    for i, props in traces.items():
        sent = target._sent[i]
        changed = {k: v for k, v in props.items() if not (k in sent and same_value(sent[k], v))}
        changed |= {k: None for k, v in props.items() if v is None and k in sent}
        if changed:
            changes[i] = changed
            sent.update(changed)
            for key in [k for k, v in changed.items() if v is None]:
                sent.pop(key, None)
    relayout = {
        k: v for k, v in (layout or {}).items() if not same_value(target._sent_layout.get(k, Undefined), v)
    }
    _record_layout(target._sent_layout, relayout)
    indexes = sorted(changes)
    keys = dict.fromkeys(key for i in indexes for key in changes[i])
    restyle = {key: [changes[i].get(key, Undefined) for i in indexes] for key in keys}
    if restyle or relayout:
        target.plotly_update(restyle_data=restyle, relayout_data=relayout, trace_indexes=indexes)


def _top_key(path: str) -> str:
    """The top-level key of a layout path: ``xaxis`` for ``xaxis.range``, ``annotations`` for ``annotations[2].text``."""
    return re.split(r"[.\[]", path, maxsplit=1)[0]


def _record_layout(sent: dict, relayout: dict) -> None:
    """Note what a relayout sent: a top-level key replaces every path below it."""
    for path, value in relayout.items():
        if path == _top_key(path):
            for old in [o for o in sent if o != path and _top_key(o) == path]:
                del sent[old]
        if value is None:
            sent.pop(path, None)
        else:
            sent[path] = value


def show_figure(
    target: FigureView, source: go.Figure | dict, extra: dict[int, dict] | None = None
) -> list[int]:
    """Make ``target`` show ``source``, reusing its traces; return the indexes of the traces added.

    Trace ``i`` of ``source`` goes into trace ``i`` of ``target`` when both have the same type; traces the
    widget has in excess are blanked (hidden, no data) so that they can be reused by a later figure; new
    traces are added blank. Then one :func:`send_update` sets every property (properties the last figure
    had and this one lacks are removed) and the layout, key by key (the template is sent once).

    Args:
        target: the widget.
        source: the figure to show, or its :func:`figure_spec` (left as it is: a spec kept for later is
            shown again without being converted again).
        extra: trace index -> property paths to set in the same update (e.g. a fade of some points).
    """
    spec = source if isinstance(source, dict) else figure_spec(source)
    traces = [
        {k: v for k, v in t.items() if k not in KEEP} | {"type": t.get("type", "scatter")}
        for t in spec.get("data", [])
    ]
    layout = dict(spec.get("layout", {}))
    current = list(target.data)
    if any(t.type != new["type"] for t, new in zip(current, traces, strict=False)):
        target.data = []  # another kind of chart: start again (rare: the views keep their kinds)
        target._sent = []
        current = []
    added = list(range(len(current), len(traces)))
    # one trace with an explicit showlegend=True would get a legend it does not have by default
    explicit = EXPLICIT if len(traces) > 1 else {"visible": True}
    moved = [explicit | leaf_paths({k: v for k, v in t.items() if k != "type"}) for t in traces]
    moved = [props | (extra or {}).get(i, {}) for i, props in enumerate(moved)]
    if added:  # new traces go in whole (validated): the browser gets them with their data as they are
        target.add_traces([_nested(moved[i]) | {"type": traces[i]["type"]} for i in added])
        target._sent = target._sent[: len(current)] + [dict(moved[i]) for i in added]
    while len(target._sent) < len(target.data):
        target._sent.append(dict(BLANK))
    changes: dict[int, dict] = {}
    for i, new in enumerate(moved[: len(current)]):
        changes[i] = dict.fromkeys(set(target._sent[i]) - set(new)) | new
    for i in range(len(traces), len(target.data)):
        changes[i] = dict.fromkeys(set(target._sent[i]) - set(BLANK)) | BLANK
    template = layout.pop("template", None)
    tops = {k for k in target._sent_layout if k == _top_key(k)}
    relayout = dict.fromkeys(tops - set(layout) - {"template"}) | layout
    if template is not None and "template" not in target._sent_layout:
        relayout["template"] = template  # sent once: the builders all use the same template
    send_update(target, changes, relayout)
    return added


def drawn_traces(target: go.FigureWidget, modes: tuple[str, ...]) -> list:
    """The visible traces of ``target`` drawn in one of ``modes`` with a name."""
    return [t for t in target.data if t.mode in modes and t.name and t.visible is not False]


def _subset(value, rows: np.ndarray, n: int):
    """``value`` at ``rows`` when it holds one value per point (``n`` of them), else ``value`` as it is."""
    if isinstance(value, list | tuple | np.ndarray) and len(value) == n:
        return np.asarray(value, dtype=object if isinstance(value, list | tuple) else None)[rows]
    return value


def split_marker_traces(spec: dict) -> dict:
    """The figure ``spec`` with each marker trace split into one trace per marker symbol (in order).

    A filter on what a symbol stands for (the timeline's symbols are confidence levels; its traces are
    quad classes) then fades whole traces: one opacity per trace, which the browser restyles without
    computing the plot again, where an opacity per point makes plotly compute and draw the whole figure.
    A trace's marker opacity that is the same for all its points becomes one number.
    """
    data = []
    for trace in spec.get("data", []):
        marker = trace.get("marker") or {}
        symbols = marker.get("symbol")
        n = len(trace.get("x") if trace.get("x") is not None else [])
        if trace.get("mode") != "markers" or not isinstance(symbols, list | tuple | np.ndarray) or not n:
            data.append(trace)
            continue
        symbols = np.asarray(symbols, dtype=object)
        for symbol in dict.fromkeys(symbols.tolist()):
            rows = np.flatnonzero(symbols == symbol)
            part = {k: _subset(v, rows, n) for k, v in trace.items() if k != "marker"}
            part["marker"] = {k: _subset(v, rows, n) for k, v in marker.items()} | {"symbol": symbol}
            opacity = part["marker"].get("opacity")
            if isinstance(opacity, np.ndarray) and len(set(opacity.tolist())) == 1:
                part["marker"]["opacity"] = float(opacity[0])
            data.append(part)
    return spec | {"data": data}


def merge_annotations(spec: dict, name: str, lines: int) -> dict:
    """The figure ``spec`` with its annotations named ``name`` merged into one per column (same ``x``).

    Each annotation is a text element that plotly.js measures (a forced layout of the page) whenever it
    draws the figure, twice when a new list of annotations comes with a full redraw. A numbered key of
    eight entries in two columns drawn as two annotations costs a quarter of eight. The entries of a column
    are stacked top first, each padded to ``lines`` lines so that they keep their rows.
    """
    notes = spec.get("layout", {}).get("annotations", [])
    named = [note for note in notes if note.get("name") == name]
    if len(named) < 2:
        return spec
    columns: dict = {}
    for note in named:
        columns.setdefault(note.get("x"), []).append(note)
    merged = []
    for column in columns.values():
        column.sort(key=lambda note: -float(note.get("yshift") or 0))
        texts = [str(note.get("text", "")) for note in column]
        padded = [t + "<br>&nbsp;" * max(0, lines - 1 - t.count("<br>")) for t in texts[:-1]] + texts[-1:]
        merged.append(column[0] | {"text": "<br>".join(padded)})
    kept = [note for note in notes if note.get("name") != name]
    return spec | {"layout": spec["layout"] | {"annotations": kept + merged}}


def annotations_depth(spec: dict, name: str, line_px: float) -> float:
    """How far below the plot (pixels) the annotations named ``name`` reach, anchored at its bottom edge.

    >>> annotations_depth({"layout": {"annotations": [{"name": "k", "yshift": -100, "text": "a<br>b"}]}}, "k", 14)
    128.0
    """
    notes = [n for n in spec.get("layout", {}).get("annotations", []) if n.get("name") == name]
    return max(
        (-float(n.get("yshift") or 0) + line_px * (str(n.get("text", "")).count("<br>") + 1) for n in notes),
        default=0.0,
    )
