"""HTML pages and fragments from the jinja2 templates in ``templates/``, autoescaped.

Text passed to a template is escaped unless it arrives as :class:`markupsafe.Markup` (HTML already rendered or
escaped: Markdown through :func:`tensions.docs.render_markdown_html`, plotly's own figure HTML, inline scripts).
The dashboard's fragments have their own templates in :mod:`tensions.widgets.tables`.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import jinja2

TEMPLATES_DIR: Path = Path(__file__).parent / "templates"


@cache
def environment() -> jinja2.Environment:
    """The templates of this package (``report/...``), autoescaped; a missing value is an error."""
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES_DIR),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
    )


def render_template(name: str, **values: object) -> str:
    """Render the template ``name`` (a path under ``templates/``, e.g. ``report/page.html.j2``)."""
    return environment().get_template(name).render(**values)
