"""One Chromium for every static image of a report run: a small local export server.

``python -m tensions.runbook`` executes the notebooks in parallel processes, each of which would otherwise
open its own kaleido session (a Chromium and a page with plotly.js, a few seconds each). The runbook
therefore starts :class:`ExportServer` in its own process, on a Unix socket in a private temporary folder,
and names the socket in the environment variable :data:`SOCKET_ENV` that the notebook kernels inherit.
:func:`tensions.static_session.write_static` sends each batch of figures there when the variable is set,
and waits for the reply: the images are written when the export call returns, so a notebook still prints
the files it wrote. Without the variable (a notebook run by hand, the tests) it renders in its own kept
session, as before.

The server only renders: every image goes to the temporary path the client chose, and the client renames
it into place (:mod:`tensions.outputs`), so outputs stay atomic. A batch that fails is reported back with
kaleido's message and raised in the notebook that sent it. Requests from several notebooks are rendered
at once on the session's tabs.

Messages are JSON, each preceded by its length (8 bytes, big-endian).
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import socket
import socketserver
import struct
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

#: The environment variable naming the export server's socket (set by the runbook for its notebooks).
SOCKET_ENV = "TENSIONS_EXPORT_SOCKET"
_HEADER = struct.Struct(">Q")


class ExportServerError(RuntimeError):
    """The export server could not render a batch; the message is kaleido's (or Chromium's)."""


def send_message(sock: socket.socket, message: dict) -> None:
    """Send one JSON message, preceded by its length."""
    body = json.dumps(message, separators=(",", ":")).encode("utf-8")
    sock.sendall(_HEADER.pack(len(body)) + body)


def receive_message(sock: socket.socket) -> dict:
    """Receive one JSON message sent by :func:`send_message`.

    Raises:
        ConnectionError: the other side closed the connection before a whole message arrived.
    """
    (length,) = _HEADER.unpack(_receive_exactly(sock, _HEADER.size))
    return json.loads(_receive_exactly(sock, length).decode("utf-8"))


def _receive_exactly(sock: socket.socket, n: int) -> bytes:
    chunks, left = [], n
    while left:
        chunk = sock.recv(min(left, 1 << 20))
        if not chunk:
            raise ConnectionError("the export server closed the connection")
        chunks.append(chunk)
        left -= len(chunk)
    return b"".join(chunks)


# ------------------------------------------------------------------------------------------------ client


def request_render(address: str, specs: Sequence[dict], timeout: float) -> None:
    """Have the export server at ``address`` render kaleido specs (``fig``, ``path``, ``opts``).

    Args:
        address: the server's socket (the value of :data:`SOCKET_ENV`).
        specs: as for :func:`tensions.static_session.write_static`.
        timeout: seconds to wait for the whole batch.

    Raises:
        OSError: the server cannot be reached (no such socket, connection refused).
        ExportServerError: the server rendered the batch and kaleido failed on a figure.
    """
    import plotly.io as pio

    from tensions.charts.geo import has_geo

    batch = [
        {
            "fig": pio.to_json(spec["fig"], validate=False),
            "path": str(spec["path"]),
            "opts": spec["opts"],
            "geo": has_geo(spec["fig"]),
        }
        for spec in specs
    ]
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
        sock.settimeout(timeout)
        sock.connect(address)
        send_message(sock, {"render": batch})
        reply = receive_message(sock)
    if not reply.get("ok"):
        raise ExportServerError(reply.get("error", "the export server gave no reason"))


def ask_server(address: str, command: str, timeout: float = 30.0) -> dict:
    """Send a command without figures (``ping``, ``stats``, ``stop``) and return the reply."""
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
        sock.settimeout(timeout)
        sock.connect(address)
        send_message(sock, {command: True})
        return receive_message(sock)


# ------------------------------------------------------------------------------------------------ server


@dataclass
class ExportStats:
    """What a server rendered: images, batches, seconds spent rendering (batches overlap) and the opening."""

    images: int = 0
    batches: int = 0
    render_s: float = 0.0
    open_s: float = 0.0
    started: float = field(default_factory=time.perf_counter)

    def as_dict(self) -> dict[str, float]:
        """The counts, and the seconds the server has been up."""
        return {
            "images": self.images,
            "batches": self.batches,
            "render_s": round(self.render_s, 3),
            "open_s": round(self.open_s, 3),
            "up_s": round(time.perf_counter() - self.started, 3),
        }


class _Handler(socketserver.BaseRequestHandler):
    server: _Server

    def handle(self) -> None:
        try:
            message = receive_message(self.request)
        except (ConnectionError, ValueError, struct.error):
            return
        if "render" in message:
            reply = self.server.render(message["render"])
        elif "stop" in message:
            reply = {"ok": True, **self.server.stats.as_dict()}
            threading.Thread(target=self.server.shutdown, daemon=True).start()
        else:  # ping, stats
            reply = {"ok": True, **self.server.stats.as_dict()}
        with contextlib.suppress(OSError):  # a client that gave up no longer listens
            send_message(self.request, reply)


class _Server(socketserver.ThreadingMixIn, socketserver.UnixStreamServer):
    daemon_threads = True

    def __init__(self, address: str):
        """Listen on the Unix socket ``address``."""
        super().__init__(address, _Handler)
        self.stats = ExportStats()
        self._lock = threading.Lock()

    def render(self, batch: list[dict]) -> dict:
        from tensions.static_session import write_static_local

        started = time.perf_counter()
        specs = [
            {"fig": json.loads(item["fig"]), "path": Path(item["path"]), "opts": item["opts"]}
            for item in batch
        ]
        try:
            write_static_local(specs, geo=[bool(item.get("geo")) for item in batch])
        except Exception as exc:  # reported to the notebook that sent the batch, raised there
            return {"ok": False, "error": f"{type(exc).__name__}: {exc}"}
        with self._lock:
            self.stats.images += len(specs)
            self.stats.batches += 1
            self.stats.render_s += time.perf_counter() - started
        return {"ok": True}


def serve(address: str, tabs: int | None = None) -> dict:
    """Serve render requests on the Unix socket ``address`` until a ``stop`` request; return the stats.

    The kaleido session opens before the socket is bound, so a server that answers is ready to render.

    Args:
        address: the socket's path.
        tabs: figures rendered at once (default: two per notebook the run executes at once, as when each
            notebook had its own session; a tab waits on its page reload after each image).
    """
    from tensions import static_session
    from tensions.static_session import close_sessions, get_session

    static_session.SESSION_TABS = tabs
    opened = time.perf_counter()
    get_session(with_geo=False).open()
    server = _Server(address)
    server.stats.open_s = time.perf_counter() - opened
    try:
        server.serve_forever(poll_interval=0.2)
        return server.stats.as_dict()
    finally:
        server.server_close()
        close_sessions()


@contextlib.contextmanager
def running_export_server(tabs: int | None = None, start_timeout: float = 180.0) -> Iterator[str]:
    """Run an export server in a child process for the duration of the block, its socket in the environment.

    The child is ``python -m tensions.export_server SOCKET [TABS]``; the block starts once it answers a
    ``ping`` (its Chromium open). ``tabs``: figures it renders at once (default: its session's default).

    Yields:
        The socket's path; :data:`SOCKET_ENV` names it until the block ends (then the previous value).

    Raises:
        ExportServerError: the server exited or did not answer within ``start_timeout`` seconds.

    On leaving, the server is asked to stop (what it rendered is printed), its process waited for (ended if
    it does not stop), and the temporary folder of the socket removed.
    """
    folder = tempfile.mkdtemp(prefix="tensions-export-")
    address = os.path.join(folder, "export.sock")
    command = [sys.executable, "-m", "tensions.export_server", address, *([str(tabs)] if tabs else [])]
    process = subprocess.Popen(command)
    previous = os.environ.get(SOCKET_ENV)
    try:
        _wait_until_ready(address, process, start_timeout)
        os.environ[SOCKET_ENV] = address
        yield address
    finally:
        if previous is None:
            os.environ.pop(SOCKET_ENV, None)
        else:
            os.environ[SOCKET_ENV] = previous
        _stop(address, process)
        shutil.rmtree(folder, ignore_errors=True)


def _wait_until_ready(address: str, process: subprocess.Popen, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise ExportServerError(f"the export server exited with status {process.returncode}")
        with contextlib.suppress(OSError):
            if ask_server(address, "ping", timeout=5).get("ok"):
                return
        time.sleep(0.1)
    raise ExportServerError(f"the export server did not answer within {timeout:.0f} s")


def _stop(address: str, process: subprocess.Popen) -> None:
    """Ask the server to stop and print what it rendered; end its process if it does not stop by itself."""
    if process.poll() is None:
        try:
            print(format_stats(ask_server(address, "stop")), flush=True)
        except OSError as exc:
            print(f"export server: no statistics ({exc})", file=sys.stderr, flush=True)
    try:
        process.wait(30)
    except subprocess.TimeoutExpired:
        process.terminate()
        process.wait(10)


def format_stats(stats: dict) -> str:
    """One line on what the server rendered.

    >>> format_stats({"images": 40, "batches": 10, "render_s": 20.0, "open_s": 3.0, "up_s": 60.0})
    'static export: 40 images in 10 batches, one Chromium session for the whole run (opened in 3.0 s); 20.0 s of rendering (0.50 s/image)'
    """
    per = stats["render_s"] / stats["images"] if stats.get("images") else 0.0
    return (
        f"static export: {stats['images']} images in {stats['batches']} batches, one Chromium session for the "
        f"whole run (opened in {stats['open_s']:.1f} s); {stats['render_s']:.1f} s of rendering ({per:.2f} s/image)"
    )


def main(argv: list[str] | None = None) -> int:
    """``python -m tensions.export_server SOCKET [TABS]``: serve until asked to stop."""
    args = sys.argv[1:] if argv is None else argv
    if len(args) not in (1, 2) or (len(args) == 2 and not args[1].isdigit()):
        print("usage: python -m tensions.export_server SOCKET [TABS]", file=sys.stderr)
        return 2
    serve(args[0], int(args[1]) if len(args) == 2 else None)
    return 0


if __name__ == "__main__":
    sys.exit(main())
