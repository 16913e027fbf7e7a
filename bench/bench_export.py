"""Export benchmark: N static images, one Chromium per image vs the workbook's kept kaleido session.

Baseline: ``plotly.io.write_image`` for each file, which starts a Chromium for every image (the naive way).
The workbook's path is ``tensions.export.export_figures``: the first call opens one kaleido session that the
process keeps, so later exports only render. Measured: the session's opening once, then the N figures
exported the way a report exports them (a few calls of a few figures each) in the open session; s/figure and
the ratio to the baseline, with and without the opening counted.
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
        for i in range(0, n, per_call):
            chunk = [(fig, name, None) for fig, name in figures[i : i + per_call]]
            export_figures(chunk, formats=("png",), out_dir=Path(tmp) / "kept")
        kept = time.perf_counter() - started
        close_sessions()
    base, per_fig = separate / n, kept / n
    print(f"{n} PNGs, one Chromium per image: {separate:.1f} s ({base:.2f} s/figure)")
    print(
        f"kept kaleido session: opened once in {opening:.1f} s, then {n} PNGs in {-(-n // per_call)} calls: "
        f"{kept:.1f} s ({per_fig:.2f} s/figure)"
    )
    print(
        f"-> ratio {base / per_fig:.1f}x per figure in the kept session; "
        f"{separate / (opening + kept):.1f}x with the session's opening counted"
    )
    return 0


if __name__ == "__main__":
    import sys

    sys.exit(main(sys.argv[1:]))
