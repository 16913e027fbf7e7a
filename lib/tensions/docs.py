"""The method text, kept in one file (``docs/method.md``) that the README and the report both use.

``make docs`` copies the file into ``README.md`` between the ``method:start`` and ``method:end`` markers;
``build_report`` renders it to HTML with markdown-it-py. A test checks that the two copies agree.
"""

from __future__ import annotations

import re
from pathlib import Path

from markdown_it import MarkdownIt

from tensions import paths

METHOD_MD: Path = paths.DOCS_DIR / "method.md"
README_MD: Path = paths.ROOT / "README.md"

_MARKERS = re.compile(r"(<!-- method:start[^>]*-->\n)(.*?)(<!-- method:end -->)", re.DOTALL)


def read_method_markdown(path: Path | None = None) -> str:
    """The method text as Markdown (``docs/method.md`` by default)."""
    return (path or METHOD_MD).read_text(encoding="utf-8")


def render_markdown_html(text: str) -> str:
    r"""Render Markdown as HTML (CommonMark plus tables); raw HTML in the text is escaped, not passed through.

    >>> render_markdown_html("*k* = `10`")
    '<p><em>k</em> = <code>10</code></p>\n'
    >>> render_markdown_html("<script>x</script>")
    '<p>&lt;script&gt;x&lt;/script&gt;</p>\n'
    """
    return MarkdownIt("commonmark", {"html": False}).enable("table").render(text)


def extract_readme_method(readme: str) -> str:
    """The text between the method markers of a README; a README without them is an error."""
    match = _MARKERS.search(readme)
    if match is None:
        raise ValueError("README.md has no '<!-- method:start -->' ... '<!-- method:end -->' markers")
    return match.group(2)


def replace_readme_method(readme: str, method: str) -> str:
    """``readme`` with the text between its method markers replaced by ``method``."""
    extract_readme_method(readme)  # raises when the markers are missing
    body = method if method.endswith("\n") else method + "\n"
    return _MARKERS.sub(lambda m: m.group(1) + body + m.group(3), readme, count=1)


def write_readme_method(readme_path: Path | None = None, method_path: Path | None = None) -> Path:
    """Copy ``docs/method.md`` into the README between its markers (what ``make docs`` runs)."""
    target = readme_path or README_MD
    text = replace_readme_method(target.read_text(encoding="utf-8"), read_method_markdown(method_path))
    tmp = target.with_suffix(".md.tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(target)
    return target
