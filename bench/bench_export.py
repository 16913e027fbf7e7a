"""Export benchmark: N static images one Chromium per image (``plotly.io.write_image`` each) vs one session.

The batched path is ``tensions.export.export_figures`` (one kaleido session for every image).
"""

from __future__ import annotations

import os
import tempfile
import time
from pathlib import Path

import tensions
from tensions import charts
from tensions.export import export_each_separately, export_figures


def main(argv: list[str]) -> int:
    n = 4 if os.environ.get("BENCH_QUICK") == "1" else 12
    events = tensions.load_events()
    figures = [(charts.build_event_mix_figure(events, title=f"chart {i}"), f"chart-{i}") for i in range(n)]
    with tempfile.TemporaryDirectory() as tmp:
        started = time.perf_counter()
        export_each_separately(figures, ("png",), Path(tmp))
        separate = time.perf_counter() - started
        started = time.perf_counter()
        export_figures(
            [(fig, name, None) for fig, name in figures], formats=("png",), out_dir=Path(tmp) / "b"
        )
        batched = time.perf_counter() - started
    print(
        f"{n} PNGs: one Chromium per image {separate:.1f} s, one session for all {batched:.1f} s "
        f"-> ratio {separate / batched:.1f}x"
    )
    return 0


if __name__ == "__main__":
    import sys

    sys.exit(main(sys.argv[1:]))
