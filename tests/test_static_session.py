"""The kept kaleido session: one Chromium for every export of a process, failures raised, then recovered."""

from __future__ import annotations

import pytest

import tensions
from tensions import charts, static_session
from tensions.export import export_figures, find_chromium

pytestmark = pytest.mark.skipif(find_chromium() is None, reason="static export needs Chromium")


@pytest.fixture(scope="module")
def figure():
    return charts.build_event_mix_figure(tensions.load_events())


def browser_process(session: static_session.StaticSession):
    return session._kaleido.subprocess  # the Chromium kaleido started


def test_exports_share_one_chromium(tmp_path, figure):
    export_figures([(figure, "a", None)], formats=("png", "svg"), out_dir=tmp_path, scale=1)
    first = static_session.get_session()
    pid = browser_process(first).pid
    export_figures([(figure, "b", None), (figure, "c", None)], formats=("png",), out_dir=tmp_path, scale=1)
    assert static_session.get_session() is first and browser_process(first).pid == pid
    for name in ("a.png", "a.svg", "b.png", "c.png"):
        assert (tmp_path / name).stat().st_size > 0
    assert (tmp_path / "a.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_a_failed_render_raises_and_the_next_export_reopens(tmp_path, figure):
    missing = tmp_path / "no-such-folder" / "x.png"
    spec = {
        "fig": figure,
        "path": missing,
        "opts": {"format": "png", "width": 400, "height": 300, "scale": 1},
    }
    before = static_session.get_session()
    with pytest.raises(Exception):  # noqa: B017 - kaleido's own error type for the file it could not write
        static_session.write_static([spec])
    assert not missing.exists()
    assert static_session.get_session() is not before  # the failed session was dropped
    written = export_figures([(figure, "after", None)], formats=("png",), out_dir=tmp_path, scale=1)
    assert written[0].stat().st_size > 0


def test_close_sessions_stops_chromium(tmp_path, figure):
    export_figures([(figure, "x", None)], formats=("png",), out_dir=tmp_path, scale=1)
    process = browser_process(static_session.get_session())
    static_session.close_sessions()
    assert process.wait(timeout=30) is not None
