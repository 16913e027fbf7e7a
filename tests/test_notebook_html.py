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
