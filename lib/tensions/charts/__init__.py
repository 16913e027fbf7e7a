"""Chart builders. Each returns a ``plotly.graph_objects.Figure`` and never saves (see ``tensions.export``).

Importing this package registers the house template (``tensions``) as plotly's default.
"""

from tensions.charts.baselines import build_score_lines_figure
from tensions.charts.diagnostics import build_comparison_figure, build_sensitivity_figure
from tensions.charts.explain import build_waterfall_figure
from tensions.charts.geo import build_map_figure, geo_assets_script, has_geo
from tensions.charts.labels import top_event_annotations
from tensions.charts.mix import build_event_mix_figure
from tensions.charts.panels import build_heatmap_figure, build_small_multiples_figure
from tensions.charts.style import (
    PAIR_COLORS,
    PALETTE,
    QUAD_COLORS,
    add_source_note,
    pair_color,
    register_template,
)
from tensions.charts.tension import build_tension_figure, index_axis_range
from tensions.charts.timeline import build_timeline_figure
from tensions.charts.trend import build_trend_figure

register_template()

__all__ = [
    "build_trend_figure",
    "PAIR_COLORS",
    "PALETTE",
    "QUAD_COLORS",
    "add_source_note",
    "build_comparison_figure",
    "build_event_mix_figure",
    "build_heatmap_figure",
    "build_map_figure",
    "build_score_lines_figure",
    "build_sensitivity_figure",
    "build_small_multiples_figure",
    "build_tension_figure",
    "build_timeline_figure",
    "build_waterfall_figure",
    "geo_assets_script",
    "has_geo",
    "index_axis_range",
    "pair_color",
    "register_template",
    "show",
    "top_event_annotations",
]


def show(fig) -> None:
    """Display a figure in a notebook; a map is shown with its outlines embedded, so it needs no network.

    plotly's notebook renderers fetch map outlines from a CDN; for figures with geo traces this displays the
    offline HTML of :func:`tensions.export.figure_to_html` instead (plotly.js and the outlines inlined).
    """
    if not has_geo(fig):
        fig.show()
        return
    from IPython.display import HTML, display

    from tensions.export import figure_to_html

    display(HTML(figure_to_html(fig, full_html=False, include_plotlyjs=True)))
