"""Export benchmark: N static images, one Chromium per image vs the workbook's kept kaleido sessions.

Baseline: ``plotly.io.write_image`` for each file, which starts a Chromium for every image (the naive way).
The workbook's paths are ``tensions.export.export_figures`` (1) in a session this process keeps: the first
call opens it, later exports only render; (2) through the report run's export server
(``tensions.export_server``): one Chromium for every notebook process, the figures sent over its socket.
Measured for each: the opening once, then the N figures exported the way a report exports them (a few
calls of a few figures each); s/figure and the ratio to the baseline, with and without the opening counted.
A report run opens the server once, where each notebook process would open its own session.
"""

from __future__ import annotations

import os
import tempfile
import time
from collections.abc import Iterable, Sequence
from pathlib import Path

import plotly.graph_objects as go
import plotly.io as pio

import tensions
from tensions import charts
from tensions.export import _require_chromium, export_figures
from tensions.export_server import running_export_server
from tensions.static_session import close_sessions, get_session


def export_each_separately(
    items: Iterable[tuple[go.Figure, str]],
    formats: Sequence[str],
    out_dir: Path,
    width: int = 1200,
    height: int = 700,
) -> list[Path]:
    """The naive way, one Chromium per image (``plotly.io.write_image`` per file): the baseline."""
    _require_chromium()
    written = []
    for fig, name in items:
        for fmt in formats:
            path = Path(out_dir) / f"{name}.{fmt}"
            pio.write_image(fig, path, format=fmt, width=width, height=height)
            written.append(path)
    return written


def main(argv: list[str]) -> int:
    n = 4 if os.environ.get("BENCH_QUICK") == "1" else 12
    per_call = 4  # figures per export call, as the notebooks export them
    events = tensions.load_events()
    figures = [(charts.build_event_mix_figure(events, title=f"chart {i}"), f"chart-{i}") for i in range(n)]
    print(f"load average {os.getloadavg()[0]:.2f} (2 cores, shared)")
    close_sessions()
    with tempfile.TemporaryDirectory() as tmp:
        started = time.perf_counter()
        export_each_separately(figures, ("png",), Path(tmp))
        separate = time.perf_counter() - started
        started = time.perf_counter()
        get_session().open()
        opening = time.perf_counter() - started
        started = time.perf_counter()
        export_in_calls(figures, Path(tmp) / "kept", per_call)
        kept = time.perf_counter() - started
        close_sessions()
        started = time.perf_counter()
        with running_export_server():
            server_opening = time.perf_counter() - started
            started = time.perf_counter()
            export_in_calls(figures, Path(tmp) / "server", per_call)
            served = time.perf_counter() - started
    base, per_fig, per_served = separate / n, kept / n, served / n
    calls = -(-n // per_call)
    print(f"{n} PNGs, one Chromium per image: {separate:.1f} s ({base:.2f} s/figure)")
    print(
        f"kept kaleido session in this process: opened once in {opening:.1f} s, then {n} PNGs in {calls} calls: "
        f"{kept:.1f} s ({per_fig:.2f} s/figure)"
    )
    print(
        f"-> ratio {base / per_fig:.1f}x per figure in the kept session; "
        f"{separate / (opening + kept):.1f}x with the session's opening counted"
    )
    print(
        f"export server (one Chromium for the whole report run): started in {server_opening:.1f} s, then {n} PNGs "
        f"in {calls} calls over its socket: {served:.1f} s ({per_served:.2f} s/figure)"
    )
    print(
        f"-> ratio {base / per_served:.1f}x per figure through the server; "
        f"{separate / (server_opening + served):.1f}x with its start counted; a report of 6 notebooks opens "
        f"it once ({server_opening:.1f} s) instead of 6 sessions (~{6 * opening:.1f} s)"
    )
    return 0


def export_in_calls(figures: list[tuple[go.Figure, str]], out_dir: Path, per_call: int) -> None:
    """Export the figures as PNG, ``per_call`` at a time (as the notebooks export them)."""
    for i in range(0, len(figures), per_call):
        chunk = [(fig, name, None) for fig, name in figures[i : i + per_call]]
        export_figures(chunk, formats=("png",), out_dir=out_dir)


if __name__ == "__main__":
    import sys

    sys.exit(main(sys.argv[1:]))
