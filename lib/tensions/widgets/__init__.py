"""The interactive dashboard: controls, linked views, click to explain, export the view and the table.

``tensions.dashboard(events)`` returns a :class:`Dashboard`; display it in JupyterLab (or serve the notebook
with Voilà). The parts, each with one job:

* :mod:`~tensions.widgets.state` — the settings and what they select (events, scores), no widgets;
* :mod:`~tensions.widgets.methods` — the scores that can be drawn, each with its explanation;
* :mod:`~tensions.widgets.controls` — the ipywidgets controls and the settings they describe;
* :mod:`~tensions.widgets.view` — ``go.FigureWidget`` views drawn by the :mod:`tensions.charts` builders and
  updated in place;
* :mod:`~tensions.widgets.tables` — the HTML fragments, from jinja2 templates (autoescaped);
* :mod:`~tensions.widgets.board` — the :class:`Dashboard` that wires them.

A change of pairs or of score method draws the views again with the builders, then moves the new figure into
the existing widgets (one redraw per view); any other change recomputes the selection and the scores and
pushes only the changed arrays. Events that the filters leave out stay on the timeline, faded, as context.
The same class works on any events table with the curated columns (an ingested GDELT or ICEWS set included).
"""

from tensions.widgets.board import Dashboard, dashboard
from tensions.widgets.methods import METHODS, ScoreMethod
from tensions.widgets.state import DashboardState, Settings
from tensions.widgets.view import figure_spec, iso_days, show_figure

__all__ = [
    "METHODS",
    "Dashboard",
    "DashboardState",
    "ScoreMethod",
    "Settings",
    "dashboard",
    "figure_spec",
    "iso_days",
    "show_figure",
]
