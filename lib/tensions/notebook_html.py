"""Executed notebooks as HTML that renders offline: math as MathML, widgets with a local widget manager.

nbconvert's HTML leaves ``$$...$$`` for MathJax and loads the widget manager (``embed-amd.js``) and
require.js from CDNs. Here the math is converted to MathML before export (latex2mathml; browsers draw MathML
natively) and the page gets inline copies of require.js (shipped by Voilà), the widget manager (the npm package
``@jupyter-widgets/html-manager``, installed by ``make setup`` under ``.venv/share/tensions/``) and anywidget's
AMD module (shipped by anywidget, draws plotly's ``FigureWidget``), so the dashboard in an executed notebook
shows without any network.
"""

from __future__ import annotations

import base64
import re
import sys
from html.parser import HTMLParser
from pathlib import Path

import nbformat
from latex2mathml.converter import convert as latex_to_mathml
from markupsafe import Markup

from tensions.html_templates import render_template

TEMPLATES_DIR: Path = Path(__file__).parent / "templates"
#: Where ``make setup`` (scripts/ensure-widget-manager.sh) puts the widget manager.
WIDGET_MANAGER_JS: Path = Path(sys.prefix) / "share" / "tensions" / "html-manager" / "embed-amd.js"
REQUIRE_JS: Path = (
    Path(sys.prefix) / "share" / "jupyter" / "voila" / "templates" / "base" / "static" / "require.min.js"
)
ANYWIDGET_AMD_JS: Path = Path(sys.prefix) / "share" / "jupyter" / "nbextensions" / "anywidget" / "index.js"

_DISPLAY_MATH = re.compile(r"\$\$(.+?)\$\$", re.DOTALL)
_INLINE_MATH = re.compile(r"(?<![\\$\w])\$(?=\S)([^$\n]+?)(?<=\S)\$(?![\w$])")
_CODE = re.compile(r"(```.*?```|`[^`\n]*`)", re.DOTALL)


def convert_markdown_math(text: str) -> str:
    """``$$...$$`` (block) and ``$...$`` (inline) in Markdown replaced by MathML; code spans are left alone.

    >>> convert_markdown_math("a $x^2$ b `$y$`").startswith('a <math xmlns=')
    True
    >>> convert_markdown_math("costs $5 and $6 dollars") == "costs $5 and $6 dollars"
    True
    """
    pieces = _CODE.split(text)
    for i in range(0, len(pieces), 2):  # even pieces are outside code
        piece = _DISPLAY_MATH.sub(
            lambda m: "\n\n" + latex_to_mathml(m.group(1).strip(), display="block") + "\n\n", pieces[i]
        )
        pieces[i] = _INLINE_MATH.sub(lambda m: latex_to_mathml(m.group(1)), piece)
    return "".join(pieces)


def convert_notebook_math(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """The notebook with the math of every Markdown cell converted to MathML (in place; returned)."""
    for cell in nb.cells:
        if cell.cell_type == "markdown" and "$" in cell.source:
            cell.source = convert_markdown_math(cell.source)
    return nb


def drop_dangling_widget_buffers(nb: nbformat.NotebookNode) -> int:
    """Remove saved widget buffers whose path leads nowhere in the model's state; return how many.

    Plotly's ``FigureWidget`` leaves the buffers of its last one-off update (``_py2js_update``) in the saved
    state while the update itself is saved as null; the widget manager then fails on the whole page.
    """
    state = (
        nb.metadata.get("widgets", {}).get("application/vnd.jupyter.widget-state+json", {}).get("state", {})
    )
    dropped = 0
    for model in state.values():
        buffers = model.get("buffers") or []
        kept = [b for b in buffers if _resolves(model.get("state", {}), b.get("path", [])[:-1])]
        dropped += len(buffers) - len(kept)
        if len(kept) != len(buffers):
            model["buffers"] = kept
    return dropped


def _resolves(state: object, path: list) -> bool:
    node = state
    for key in path:
        if (
            isinstance(node, dict)
            and key in node
            and node[key] is not None
            or isinstance(node, list)
            and isinstance(key, int)
            and 0 <= key < len(node)
            and node[key] is not None
        ):
            node = node[key]
        else:
            return False
    return True


def read_widget_scripts() -> str:
    """Inline ``<script>`` tags: require.js, anywidget's AMD module, then the widget manager that renders.

    Raises:
        FileNotFoundError: a file is missing (``make setup`` installs them), naming it.
    """
    for path in (REQUIRE_JS, ANYWIDGET_AMD_JS, WIDGET_MANAGER_JS):
        if not path.is_file():
            raise FileNotFoundError(f"{path} is missing: run `make setup` (it installs the widget manager)")
    anywidget = share_widget_modules(
        ANYWIDGET_AMD_JS.read_text(encoding="utf-8").replace(
            'define(["@jupyter-widgets/base"]', 'define("anywidget", ["@jupyter-widgets/base"]'
        )
    )
    manager = _FONT_URL.sub(_inline_font, WIDGET_MANAGER_JS.read_text(encoding="utf-8"))
    scripts = (REQUIRE_JS.read_text(encoding="utf-8"), anywidget, manager)
    return render_template(
        "report/scripts.html.j2", scripts=[Markup(_escape_script(s)) for s in scripts], separator="\n"
    )


#: anywidget's ``loadEsm`` imports a widget's module from a new blob URL for every model ...
_ESM_IMPORT = """  let url = URL.createObjectURL(new Blob([esm], { type: "text/javascript" }));
  let mod = await import(
    /* webpackIgnore: true */
    /* @vite-ignore */
    url
  );
  URL.revokeObjectURL(url);
  return mod;"""
#: ... here one import per distinct module text, shared by every model that carries it.
_SHARED_ESM_IMPORT = """  let shared = (globalThis.__tensionsWidgetModules ??= new Map());
  if (!shared.has(esm)) {
    let url = URL.createObjectURL(new Blob([esm], { type: "text/javascript" }));
    shared.set(esm, import(/* webpackIgnore: true */ url).finally(() => URL.revokeObjectURL(url)));
  }
  return await shared.get(esm);"""


def share_widget_modules(anywidget_js: str) -> str:
    """Patch anywidget's AMD module to load a widget module once for all the models that use it.

    Each plotly ``FigureWidget`` carries plotly's widget module (~5 MB of JavaScript) in its state, and
    anywidget imports it afresh for every model: on an exported dashboard (two or three figures) the page
    compiles it two or three times. anywidget also gives each model 2 s to load before it rejects the
    model's ``ready`` promise with "[anywidget] Failed to initialize model."; nothing awaits that promise
    on a page without a kernel, so the views still draw once loaded, but the rejection is logged as an
    uncaught page error. Compiled once, the module loads well within the 2 s and the error goes away.

    Raises:
        ValueError: anywidget's loader is not the one this patch knows (another anywidget version).
    """
    if _ESM_IMPORT not in anywidget_js:
        raise ValueError("anywidget's loadEsm changed: update tensions.notebook_html.share_widget_modules")
    return anywidget_js.replace(_ESM_IMPORT, _SHARED_ESM_IMPORT)


def export_offline_html(nb: nbformat.NotebookNode) -> str:
    """An executed notebook as one HTML page that loads nothing from another host.

    nbconvert's "lab" look through the ``offline`` template (``tensions/templates/offline``): math converted to
    MathML, the widget scripts inlined when the notebook has widget state, no CDN script.
    """
    from nbconvert import HTMLExporter

    exporter = HTMLExporter(template_name="offline", extra_template_basedirs=[str(TEMPLATES_DIR)])
    exporter.exclude_input_prompt = True
    exporter.exclude_output_prompt = True
    drop_dangling_widget_buffers(nb)
    resources = {"offline_widget_scripts": read_widget_scripts() if "widgets" in nb.metadata else ""}
    body, _ = exporter.from_notebook_node(convert_notebook_math(nb), resources=resources)
    return body


_FONT_URL = re.compile(r'\b[A-Za-z_$]\.p\+"([0-9a-f]{20}\.woff2)"')


def _inline_font(match: re.Match[str]) -> str:
    """The widget manager's icon font (Font Awesome, woff2) as a data URL instead of a file beside the page."""
    font = WIDGET_MANAGER_JS.parent / match.group(1)
    if not font.is_file():
        return match.group(0)
    return '"data:font/woff2;base64,' + base64.b64encode(font.read_bytes()).decode("ascii") + '"'


def _escape_script(js: str) -> str:
    """JavaScript safe inside an inline ``<script>``: a literal ``</script`` would end the tag early."""
    return re.sub(r"</(script)", r"<\\/\1", js, flags=re.IGNORECASE)


_REMOTE = re.compile(r"^\s*(https?:)?//", re.IGNORECASE)
_CSS_REMOTE = re.compile(r"(?:@import\s+|url\(\s*)[\"']?\s*((?:https?:)?//[^\"')\s]+)", re.IGNORECASE)
_JS_IMPORT_REMOTE = re.compile(r"\bimport\b[^;\n]*?[\"']((?:https?:)?//[^\"']+)[\"']")
_LOADING_ATTRIBUTES = frozenset(
    {"src", "href", "data", "poster", "srcset", "xlink:href", "action", "background"}
)


class _RemoteFinder(HTMLParser):
    """Collects what a page would fetch from another host: attributes, CSS and module imports."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []
        self._in: str | None = None
        self._module = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if value is None:
                continue
            if name in _LOADING_ATTRIBUTES and _REMOTE.match(value) and not (tag == "a" and name == "href"):
                self.found.append(f"<{tag} {name}={value}>")
            elif name == "style":
                self.found += [f"<{tag} style> {u}" for u in _CSS_REMOTE.findall(value)]
        self._in = tag if tag in ("style", "script") else None
        self._module = tag == "script" and dict(attrs).get("type") == "module"

    def handle_endtag(self, tag: str) -> None:
        self._in = None

    def handle_data(self, data: str) -> None:
        if self._in == "style":
            self.found += [f"<style> {u}" for u in _CSS_REMOTE.findall(data)]
        elif self._in == "script" and self._module:
            self.found += [f"<script type=module> import {u}" for u in _JS_IMPORT_REMOTE.findall(data)]


def find_remote_references(html: str) -> list[str]:
    """Return everything in a page that loads from another host.

    That is ``src``/``href`` to http(s), CSS ``url()``/``@import`` and module imports; links a reader
    clicks (``<a href>``) are not loads and are allowed.

    >>> find_remote_references('<a href="https://example.org/article">source</a><img src="a.png">')
    []
    >>> find_remote_references('<script src="https://cdn.example/x.js"></script>')
    ['<script src=https://cdn.example/x.js>']
    >>> find_remote_references('<style>@import url("https://fonts.example/css");</style>')
    ['<style> https://fonts.example/css']
    """
    finder = _RemoteFinder()
    finder.feed(html)
    finder.close()
    return finder.found


def save_widget_views() -> int:
    """Send every live ``FigureWidget``'s current traces and layout as widget state; return how many figures.

    A notebook's saved widget state (what its HTML export draws) holds only what was sent as state; plotly
    delivers figure updates (``batch_update``, ``update_traces``) as one-off messages instead, so without this
    the exported dashboard shows the figures as they were first displayed. Each figure's traces
    (``figure.data``) and layout (``figure.layout``), read through their public ``to_plotly_json``, are set
    on the widget's synced ``_widget_data`` and ``_widget_layout`` traits with traitlets' ``set_trait`` and
    sent in one message (``hold_sync``); a trait that already holds the current value is not sent again.
    Run it in the last cell of a notebook that shows a dashboard.
    """
    import ipywidgets
    import plotly.graph_objects as go

    figures = [w for w in list(ipywidgets.Widget.widgets.values()) if isinstance(w, go.FigureWidget)]
    for figure in figures:
        with figure.hold_sync():
            figure.set_trait("_widget_data", [trace.to_plotly_json() for trace in figure.data])
            figure.set_trait("_widget_layout", figure.layout.to_plotly_json())
    return len(figures)
