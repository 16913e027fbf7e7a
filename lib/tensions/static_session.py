"""One Chromium kept open for every static image a process exports (PNG, SVG, PDF through kaleido).

Starting Chromium and loading plotly.js into its page costs a few seconds; rendering one figure in a page
that is already open costs a fraction of a second. :func:`write_static` therefore opens one kaleido session
on first use and keeps it for the life of the process (a notebook kernel, the test run, a benchmark), so
every export of a report after the first pays only the rendering. Each batch of figures is rendered on a
few tabs at once (bounded by the cores).

The session lives on its own thread with its own event loop, so it works the same from a script and from
a Jupyter kernel (which already runs a loop). Pages carrying the map outlines are slower to reload
(~1.2 MB of topojson per figure), so figures with a map go to a second session whose page has them, and
that one opens only when a map is exported. A session that fails is closed and reopened on the next call.

In a report run (``python -m tensions.runbook``) the notebooks hand their batches to one export server
instead (:mod:`tensions.export_server`), so the whole report shares one Chromium.
"""

from __future__ import annotations

import asyncio
import atexit
import contextlib
import os
import sys
import threading
from collections.abc import Coroutine, Sequence
from pathlib import Path
from typing import Any

from tensions import paths
from tensions.charts.geo import TOPOJSON_NAMES, geo_assets_script, has_geo

#: Seconds to wait for Chromium to open, and per figure of a batch (kaleido's 90 s is short on a busy machine).
OPEN_TIMEOUT_S, FIGURE_TIMEOUT_S = 120.0, 300.0


def default_tabs() -> int:
    """Tabs rendering at once in a session: the cores this process may use, at most 2."""
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        cores = os.cpu_count() or 1
    return max(1, min(2, cores))


class StaticSession:
    """A kaleido session (one Chromium, a page with plotly.js loaded) kept open until :meth:`close`.

    Args:
        with_geo: load the shipped map outlines into the page (for figures with a map).
        tabs: figures rendered at once (default :func:`default_tabs`).
    """

    def __init__(self, with_geo: bool = False, tabs: int | None = None):
        """A session not yet open: its thread and event loop start, Chromium on the first use."""
        self.with_geo = with_geo
        self.tabs = tabs or default_tabs()
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="tensions-kaleido", daemon=True)
        self._thread.start()
        self._kaleido: Any = None

    def _run(self, coroutine: Coroutine, timeout: float) -> Any:
        return asyncio.run_coroutine_threadsafe(coroutine, self._loop).result(timeout)

    def open(self) -> StaticSession:
        """Start Chromium and load the page (done by the first :meth:`write` if not called)."""
        if self._kaleido is None:
            self._kaleido = self._run(self._open(), OPEN_TIMEOUT_S)
        return self

    async def _open(self) -> Any:
        import kaleido

        others = None
        if self.with_geo:
            geo_file = paths.ensure_dir(paths.REPORTS_DIR / ".cache") / "plotly-geo-assets.js"
            geo_file.write_text(geo_assets_script(TOPOJSON_NAMES), encoding="utf-8")
            others = [geo_file]
        # no MathJax (kaleido would load it from a CDN); the map outlines come from a local script
        page = kaleido.PageGenerator(mathjax=False, others=others)
        session = kaleido.Kaleido(n=self.tabs, page_generator=page, timeout=FIGURE_TIMEOUT_S)
        await session.open()
        return session

    def write(self, specs: Sequence[dict]) -> None:
        """Render kaleido figure specs (``fig``, ``path``, ``opts``); the first failure is raised."""
        self.open()
        timeout = OPEN_TIMEOUT_S + FIGURE_TIMEOUT_S * len(specs)
        self._run(self._kaleido.write_fig_from_object(list(specs), cancel_on_error=True), timeout)

    def close(self) -> None:
        """Close Chromium and stop the session's thread."""
        if self._kaleido is not None:
            with contextlib.suppress(Exception):  # a browser that already died cannot be closed more
                self._run(self._kaleido.close(), 30)
            self._kaleido = None
        if self._loop.is_running():
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(10)


_SESSIONS: dict[bool, StaticSession] = {}
_LOCK = threading.Lock()
#: Tabs of the sessions this process opens (None: :func:`default_tabs`); the export server, which renders
#: for several notebooks at once, opens more.
SESSION_TABS: int | None = None


def get_session(with_geo: bool = False) -> StaticSession:
    """This process's kept session (opened on first use), with or without the map outlines."""
    with _LOCK:
        if with_geo not in _SESSIONS:
            _SESSIONS[with_geo] = StaticSession(with_geo=with_geo, tabs=SESSION_TABS)
        return _SESSIONS[with_geo]


def close_sessions() -> None:
    """Close every kept session (also done when the process exits)."""
    with _LOCK:
        sessions = list(_SESSIONS.values())
        _SESSIONS.clear()
    for session in sessions:
        session.close()


atexit.register(close_sessions)


def write_static(specs: Sequence[dict]) -> list[Path]:
    """Render kaleido specs: in the report run's export server when there is one, else in this process.

    When :data:`tensions.export_server.SOCKET_ENV` names a socket (``python -m tensions.runbook`` sets it
    for its notebooks), the batch is sent to that server's one Chromium and this call returns once the
    images are written; a server that cannot be reached is said on stderr and the batch rendered here.

    Args:
        specs: dicts with ``fig`` (a plotly Figure), ``path`` (the file to write) and ``opts`` (``format``,
            ``width``, ``height``, ``scale``).

    Returns:
        The paths written, in the order of ``specs``.

    Raises:
        Exception: whatever kaleido or Chromium raised for the first figure that failed (from the server:
            :class:`tensions.export_server.ExportServerError` with kaleido's message).
    """
    from tensions import export_server

    address = os.environ.get(export_server.SOCKET_ENV)
    if address:
        try:
            export_server.request_render(address, specs, OPEN_TIMEOUT_S + FIGURE_TIMEOUT_S * len(specs))
            return [Path(spec["path"]) for spec in specs]
        except OSError as exc:  # no server there (any more): render here rather than lose the export
            print(f"export server at {address} not reachable ({exc}); rendering here", file=sys.stderr)
    return write_static_local(specs)


def write_static_local(specs: Sequence[dict], geo: Sequence[bool] | None = None) -> list[Path]:
    """Render kaleido specs in this process's kept sessions: figures with a map in the one with the outlines.

    Args:
        specs: as for :func:`write_static` (``fig`` may also be a figure's dict).
        geo: whether each figure draws a map (default: found from the figures).

    Raises:
        Exception: whatever kaleido or Chromium raised for the first figure that failed; the session
            involved is closed, and the next call opens a fresh one.
    """
    flags = list(geo) if geo is not None else [has_geo(spec["fig"]) for spec in specs]
    for with_geo in (False, True):
        batch = [spec for spec, flag in zip(specs, flags, strict=True) if flag == with_geo]
        if not batch:
            continue
        session = get_session(with_geo)
        try:
            session.write(batch)
        except BaseException:
            with _LOCK:
                if _SESSIONS.get(with_geo) is session:
                    del _SESSIONS[with_geo]
            session.close()
            raise
    return [Path(spec["path"]) for spec in specs]
