"""The method text lives in docs/method.md; the README carries a copy, the report renders it."""

from __future__ import annotations

import pytest

from tensions import docs


def test_readme_method_matches_docs_method() -> None:
    readme = docs.README_MD.read_text(encoding="utf-8")
    assert docs.extract_readme_method(readme) == docs.read_method_markdown(), "run `make docs`"


def test_replace_readme_method_swaps_only_the_marked_text() -> None:
    readme = "# T\n\n<!-- method:start x -->\nold\n<!-- method:end -->\n\n## Next\n"
    out = docs.replace_readme_method(readme, "new *text*")
    assert out == "# T\n\n<!-- method:start x -->\nnew *text*\n<!-- method:end -->\n\n## Next\n"
    assert docs.extract_readme_method(out) == "new *text*\n"


def test_readme_without_markers_is_an_error() -> None:
    with pytest.raises(ValueError, match="method:start"):
        docs.replace_readme_method("# no markers\n", "x")


def test_method_renders_to_html_without_raw_markdown() -> None:
    out = docs.render_markdown_html(docs.read_method_markdown())
    assert "<pre><code" in out and "<em>" in out
    assert "```" not in out and "*i*" not in out


def test_report_method_has_no_pointer_to_missing_sections() -> None:
    text = docs.read_method_markdown()
    assert "Benchmarks" not in text and "README" not in text
