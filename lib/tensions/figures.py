"""The standard chart set of the workbook, built from a dataset in one call.

Notebook 04 exports it with ``export_figures`` and writes ``reports/report.html``; ``make docs`` writes a few
of its PNGs to ``docs/img/`` for the README (the only figures kept in the repository).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import plotly.graph_objects as go

from tensions import charts, paths, scoring
from tensions.scoring import score_dyads

README_FIGURES = ("timeline", "tension-lines", "explain-waterfall", "map")


@dataclass
class ChartSet:
    """Figures by name, each with the DataFrame behind it."""

    figures: dict[str, tuple[go.Figure, pd.DataFrame]]

    def items(self, names: tuple[str, ...] | None = None) -> list[tuple[go.Figure, str, pd.DataFrame]]:
        """``(figure, name, data)`` triples for ``export_figures``."""
        chosen = names or tuple(self.figures)
        return [(self.figures[n][0], n, self.figures[n][1]) for n in chosen]


def build_standard_figures(
    dataset: dict[str, pd.DataFrame],
    main_pairs: tuple[str, ...] = ("AZE-RUS", "KAZ-RUS", "RUS-UZB", "ARM-RUS"),
    chart_start: str = "2021-11-01",
    explain_pair: str = "AZE-RUS",
    n_boot: int = 100,
    **knobs,
) -> ChartSet:
    """Build every chart of the set from ``load_dataset()`` (or an equivalent dict of tables).

    Args:
        dataset: ``events``, ``eras`` and ``countries`` tables.
        main_pairs: pairs drawn on the tension lines.
        chart_start: first day of the time charts (the scores use every event).
        explain_pair: the pair whose peak is explained.
        n_boot: bootstrap replicates of the band.
        **knobs: fields of ``ScoreSettings`` (half_life_days, component, spread, ...); the defaults live there.
    """
    events, eras, countries = dataset["events"], dataset.get("eras"), dataset["countries"]
    settings = scoring.resolve_settings(**knobs)
    daily = score_dyads(events, settings=settings)
    both = score_dyads(events, start=chart_start, settings=settings, component="all")
    window = daily[daily["date"] >= chart_start]
    monthly = score_dyads(events, freq="M", start=chart_start, settings=settings)
    active = monthly.groupby("pair")["n_events"].sum().loc[lambda s: s > 0].index
    monthly = monthly[monthly["pair"].isin(active)]
    band = scoring.bootstrap_scores(
        events, n_boot=n_boot, pairs=list(main_pairs), start=chart_start, settings=settings
    )
    ranking = scoring.rank_pairs(daily)
    peak_day = ranking.set_index("pair").loc[explain_pair, "peak_date"]
    breakdown = scoring.explain(events, explain_pair, peak_day, settings=settings)
    latest = ranking[["pair", "peak_index"]].rename(columns={"peak_index": "index"})
    recent = events[events["date"] >= chart_start]
    trend = scoring.score_monthly_trend(events, threshold=5.0, start=chart_start, **knobs)
    figures = {
        "timeline": (
            charts.build_timeline_figure(
                events, eras, start=chart_start, background_before=ranking.attrs["window"][0]
            ),
            events,
        ),
        "timeline-themes": (charts.build_timeline_figure(recent, eras, lanes="theme"), recent),
        "tension-lines": (
            charts.build_tension_figure(
                both,
                pairs=list(main_pairs),
                events=events,
                eras=eras,
                band=band[["pair", "date", "low", "high"]],
            ),
            band,
        ),
        "small-multiples": (charts.build_small_multiples_figure(window), window),
        "monthly-trend": (charts.build_trend_figure(trend, threshold=5.0), trend),
        "heatmap": (charts.build_heatmap_figure(monthly), monthly),
        "explain-waterfall": (charts.build_waterfall_figure(breakdown, explain_pair, peak_day), breakdown),
        "event-mix-quad": (charts.build_event_mix_figure(recent, by="quad_class"), recent),
        "event-mix-theme": (charts.build_event_mix_figure(recent, by="theme"), recent),
        "map": (
            charts.build_map_figure(
                events,
                countries,
                latest,
                title="Where events happened; arcs: each pair's peak tension index in the analysis window",
            ),
            latest,
        ),
    }
    return ChartSet(figures)


def write_readme_figures(out_dir: Path | None = None) -> list[Path]:
    """Regenerate the PNGs the README shows (``docs/img/``) from the curated dataset."""
    from tensions.data import load_dataset
    from tensions.export import export_figures

    folder = out_dir or (paths.DOCS_DIR / "img")
    chart_set = build_standard_figures(load_dataset())
    items = [(fig, name, None) for fig, name, _ in chart_set.items(README_FIGURES)]
    return export_figures(items, formats=("png",), out_dir=folder, scale=1)
