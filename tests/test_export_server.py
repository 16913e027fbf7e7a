"""The report run's export server: one Chromium for the static images of every notebook process."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import pytest

import tensions
from tensions import charts, export_server, static_session
from tensions.export import ExportError, export_figures, find_chromium

pytestmark = [
    pytest.mark.skipif(find_chromium() is None, reason="static export needs Chromium"),
    pytest.mark.timeout(600),
]

#: A notebook's export, run in another process: it prints whether it opened a Chromium of its own.
CLIENT = textwrap.dedent(
    """
    import sys
    import tensions
    from tensions import charts, static_session
    from tensions.export import export_figures

    figure = charts.build_event_mix_figure(tensions.load_events())
    written = export_figures([(figure, sys.argv[2], None)], formats=("png", "svg"), out_dir=sys.argv[1], scale=1)
    print(len(written), "local sessions:", len(static_session._SESSIONS))
    """
)


@pytest.fixture(scope="module")
def server():
    with export_server.running_export_server() as address:
        yield address


@pytest.fixture(scope="module")
def figure():
    return charts.build_event_mix_figure(tensions.load_events())


def test_exports_go_to_the_server_and_are_written_when_the_call_returns(
    server, figure, tmp_path, monkeypatch
) -> None:
    def renders_here(*args, **kwargs):
        raise AssertionError("rendered in this process, not in the server")

    monkeypatch.setattr(static_session, "write_static_local", renders_here)
    assert os.environ[export_server.SOCKET_ENV] == server
    before = export_server.ask_server(server, "stats")["images"]
    written = export_figures([(figure, "a", None), (figure, "b", None)], formats=("png",), out_dir=tmp_path)
    assert [p.name for p in written] == ["a.png", "b.png"]
    assert all(p.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" for p in written)
    assert export_server.ask_server(server, "stats")["images"] == before + 2


def test_notebook_processes_share_the_one_chromium(server, tmp_path) -> None:
    before = export_server.ask_server(server, "stats")["images"]
    env = {**os.environ, export_server.SOCKET_ENV: server}
    clients = [
        subprocess.Popen(
            [sys.executable, "-c", CLIENT, str(tmp_path), f"nb{i}"],
            env=env,
            stdout=subprocess.PIPE,
            text=True,
        )
        for i in range(2)
    ]
    outputs = [client.communicate(timeout=300)[0] for client in clients]
    assert [client.returncode for client in clients] == [0, 0]
    assert all(out.strip() == "2 local sessions: 0" for out in outputs), outputs
    assert export_server.ask_server(server, "stats")["images"] == before + 4
    assert sorted(p.name for p in tmp_path.iterdir()) == ["nb0.png", "nb0.svg", "nb1.png", "nb1.svg"]


def test_a_failed_batch_is_raised_in_the_sender_and_nothing_is_written(server, figure, tmp_path) -> None:
    missing = tmp_path / "no-such-folder" / "x.png"
    spec = {
        "fig": figure,
        "path": missing,
        "opts": {"format": "png", "width": 400, "height": 300, "scale": 1},
    }
    with pytest.raises(export_server.ExportServerError):
        static_session.write_static([spec])
    assert not missing.exists()
    assert export_server.ask_server(server, "ping")["ok"]  # the server carries on


def test_a_figure_the_server_cannot_render_leaves_the_old_file(server, tmp_path, monkeypatch) -> None:
    old = tmp_path / "kept.png"
    old.write_bytes(b"old image")

    def fails(address, specs, timeout):
        raise export_server.ExportServerError("kaleido failed")

    monkeypatch.setattr(export_server, "request_render", fails)
    with pytest.raises(ExportError, match="kaleido failed"):
        export_figures(
            [(charts.build_event_mix_figure(tensions.load_events()), "kept", None)],
            formats=("png",),
            out_dir=tmp_path,
        )
    assert old.read_bytes() == b"old image" and sorted(p.name for p in tmp_path.iterdir()) == ["kept.png"]


def test_without_a_reachable_server_a_notebook_renders_itself(figure, tmp_path, monkeypatch, capfd) -> None:
    monkeypatch.setenv(export_server.SOCKET_ENV, str(tmp_path / "gone.sock"))
    written = export_figures([(figure, "here", None)], formats=("png",), out_dir=tmp_path, scale=1)
    assert written[0].stat().st_size > 0
    assert "not reachable" in capfd.readouterr().err
    static_session.close_sessions()


def test_messages_round_trip() -> None:
    import socket

    left, right = socket.socketpair()
    with left, right:
        export_server.send_message(left, {"render": [{"path": "a", "fig": "{}"}], "é": 1})
        assert export_server.receive_message(right) == {"render": [{"path": "a", "fig": "{}"}], "é": 1}
        left.close()
        with pytest.raises(ConnectionError):
            export_server.receive_message(right)
