"""Executed notebooks as offline HTML: math as MathML, widget scripts inlined, nothing from another host."""

from __future__ import annotations

import nbformat
import pytest

from tensions import notebook_html as nh


def test_display_and_inline_math_become_mathml_and_code_is_left_alone() -> None:
    text = "Index:\n\n$$P_d(t) = \\sum_i c_i$$\n\nwith $h$ days; `$x$` in code and\n```\n$$y$$\n```"
    out = nh.convert_markdown_math(text)
    assert out.count("<math") == 2 and 'display="block"' in out
    assert "`$x$`" in out and "```\n$$y$$\n```" in out
    assert "$$P_d" not in out


def test_prices_are_not_math() -> None:
    assert nh.convert_markdown_math("from $5 to $6 a barrel") == "from $5 to $6 a barrel"


def test_notebook_html_has_mathml_and_no_mathjax() -> None:
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("# T\n\n$$a^2 + b^2$$")])
    html = nh.export_offline_html(nb)
    assert "<math" in html and "$$" not in html.split("<main>")[1]
    assert nh.find_remote_references(html) == []


def test_dangling_widget_buffers_are_dropped_and_others_kept() -> None:
    nb = nbformat.v4.new_notebook()
    nb.metadata["widgets"] = {
        "application/vnd.jupyter.widget-state+json": {
            "state": {
                "m": {
                    "state": {"_py2js_update": None, "_data": [{"y": {"buffer": None}}]},
                    "buffers": [
                        {"path": ["_py2js_update", "style_data", "y", 0, "buffer"], "data": ""},
                        {"path": ["_data", 0, "y", "buffer"], "data": ""},
                    ],
                }
            }
        }
    }
    assert nh.drop_dangling_widget_buffers(nb) == 1
    model = nb.metadata["widgets"]["application/vnd.jupyter.widget-state+json"]["state"]["m"]
    assert [b["path"][0] for b in model["buffers"]] == ["_data"]


def test_widget_scripts_are_inline_and_define_anywidget() -> None:
    scripts = nh.read_widget_scripts()
    assert 'define("anywidget"' in scripts and "@jupyter-widgets/html-manager" in scripts
    assert "__tensionsWidgetModules" in scripts  # one plotly module for every figure of the page
    assert "data:font/woff2;base64," in scripts
    assert nh.find_remote_references(scripts) == []


def test_missing_widget_manager_is_a_clear_error(monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:
    monkeypatch.setattr(nh, "WIDGET_MANAGER_JS", tmp_path / "embed-amd.js")
    with pytest.raises(FileNotFoundError, match="make setup"):
        nh.read_widget_scripts()


@pytest.mark.parametrize(
    "html",
    [
        '<script src="https://cdn.example/a.js"></script>',
        "<link rel=stylesheet href='//fonts.example/css'>",
        '<img src="http://tiles.example/1.png">',
        '<div style="background:url(https://x.example/b.png)"></div>',
        "<style>@import 'https://x.example/c.css';</style>",
        '<script type="module">import m from "https://cdn.example/m.mjs";</script>',
        '<svg><image xlink:href="https://x.example/d.png"/></svg>',
    ],
)
def test_remote_references_are_found(html: str) -> None:
    assert nh.find_remote_references(html), html


def test_links_to_sources_and_local_files_are_allowed() -> None:
    html = '<a href="https://www.example.org/article">source</a><img src="figures/a.png"><script>var u="https://x";</script>'
    assert nh.find_remote_references(html) == []


@pytest.mark.filterwarnings("ignore:Widget.widgets is deprecated:DeprecationWarning")
@pytest.mark.parametrize("kind", ["FigureWidget", "FigureView"])
def test_saved_widget_views_hold_each_figure_as_it_is_now(kind: str, monkeypatch: pytest.MonkeyPatch) -> None:
    import plotly.graph_objects as go

    from tensions.widgets.view import FigureView

    widget = go.FigureWidget if kind == "FigureWidget" else FigureView
    figure = widget(go.Figure(go.Scatter(x=[1, 2, 3], y=[4, 5, 6], name="first")))
    sent: list[dict] = []
    monkeypatch.setattr(figure.comm, "send", lambda data=None, buffers=None, **kw: sent.append(data))
    with figure.batch_update():  # as the dashboard updates its figures: one-off messages, not state
        figure.data[0].y = [7, 8, 9]
        figure.layout.title.text = "after the update"
    figure.add_scatter(x=[1, 2], y=[0, 1], name="added")
    assert not [m for m in sent if "_widget_data" in m.get("state", {})]  # the saved state is still stale

    assert nh.save_widget_views() >= 1
    updates = [m["state"] for m in sent if m.get("method") == "update" and "_widget_data" in m["state"]]
    assert len(updates) == 1 and "_widget_layout" in updates[0]  # both sent, in one message
    traces = [(t["name"], list(t["y"])) for t in updates[0]["_widget_data"]]
    assert traces == [("first", [7, 8, 9]), ("added", [0, 1])]
    assert updates[0]["_widget_layout"]["title"]["text"] == "after the update"
    assert figure.get_state(["_widget_data"])["_widget_data"] == updates[0]["_widget_data"]
    sent.clear()
    nh.save_widget_views()  # nothing changed since: nothing sent again
    assert not [m for m in sent if "_widget_data" in m.get("state", {})]
    figure.close()
