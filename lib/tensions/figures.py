"""The standard chart set of the workbook, built from a dataset in one call.

Notebook 04 exports the charts of the set no other notebook owns (:data:`REPORT_OWN_FIGURES`) with
``export_figures`` and writes ``reports/report.html``, which links the charts notebooks 01 and 02 export
(:func:`linked_figures`), so that a report run computes and exports each chart once; ``make docs`` writes a
few of its PNGs to ``docs/img/`` for the README (the only figures kept in the repository).
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from functools import cached_property
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


class _Inputs:
    """What the charts of the set are built from, each computed once, on first use."""

    def __init__(self, dataset, main_pairs, chart_start, explain_pair, n_boot, knobs):
        self.events, self.eras, self.countries = dataset["events"], dataset.get("eras"), dataset["countries"]
        self.main_pairs, self.chart_start, self.explain_pair = main_pairs, chart_start, explain_pair
        self.n_boot, self.knobs = n_boot, knobs
        self.settings = scoring.resolve_settings(**knobs)

    @cached_property
    def daily(self) -> pd.DataFrame:
        return score_dyads(self.events, settings=self.settings)

    @cached_property
    def ranking(self) -> pd.DataFrame:
        return scoring.rank_pairs(self.daily)

    @cached_property
    def recent(self) -> pd.DataFrame:
        return self.events[self.events["date"] >= self.chart_start]

    @cached_property
    def peak_day(self) -> pd.Timestamp:
        return self.ranking.set_index("pair").loc[self.explain_pair, "peak_date"]


def _timeline(i: _Inputs) -> tuple[go.Figure, pd.DataFrame]:
    background = i.ranking.attrs["window"][0]
    fig = charts.build_timeline_figure(i.events, i.eras, start=i.chart_start, background_before=background)
    return fig, i.events


def _timeline_themes(i: _Inputs) -> tuple[go.Figure, pd.DataFrame]:
    return charts.build_timeline_figure(i.recent, i.eras, lanes="theme"), i.recent


def _tension_lines(i: _Inputs) -> tuple[go.Figure, pd.DataFrame]:
    both = score_dyads(i.events, start=i.chart_start, settings=i.settings, component="all")
    band = scoring.bootstrap_scores(
        i.events, n_boot=i.n_boot, pairs=list(i.main_pairs), start=i.chart_start, settings=i.settings
    )
    fig = charts.build_tension_figure(
        both,
        pairs=list(i.main_pairs),
        events=i.events,
        eras=i.eras,
        band=band[["pair", "date", "low", "high"]],
    )
    return fig, band


def _small_multiples(i: _Inputs) -> tuple[go.Figure, pd.DataFrame]:
    window = i.daily[i.daily["date"] >= i.chart_start]
    return charts.build_small_multiples_figure(window), window


def _monthly_trend(i: _Inputs) -> tuple[go.Figure, pd.DataFrame]:
    trend = scoring.score_monthly_trend(i.events, threshold=5.0, start=i.chart_start, **i.knobs)
    return charts.build_trend_figure(trend, threshold=5.0), trend


def _heatmap(i: _Inputs) -> tuple[go.Figure, pd.DataFrame]:
    monthly = score_dyads(i.events, freq="M", start=i.chart_start, settings=i.settings)
    active = monthly.groupby("pair")["n_events"].sum().loc[lambda s: s > 0].index
    monthly = monthly[monthly["pair"].isin(active)]
    return charts.build_heatmap_figure(monthly), monthly


def _explain_waterfall(i: _Inputs) -> tuple[go.Figure, pd.DataFrame]:
    breakdown = scoring.explain(i.events, i.explain_pair, i.peak_day, settings=i.settings)
    return charts.build_waterfall_figure(breakdown, i.explain_pair, i.peak_day), breakdown


def _event_mix(by: str):
    def build(i: _Inputs) -> tuple[go.Figure, pd.DataFrame]:
        return charts.build_event_mix_figure(i.recent, by=by), i.recent

    return build


def _map(i: _Inputs) -> tuple[go.Figure, pd.DataFrame]:
    latest = i.ranking[["pair", "peak_index"]].rename(columns={"peak_index": "index_value"})
    title = "Where events happened; arcs: each pair's peak tension index in the analysis window"
    return charts.build_map_figure(i.events, i.countries, latest, title=title), latest


#: The chart set: each chart's name and its builder, in the order of the report.
BUILDERS = {
    "timeline": _timeline,
    "timeline-themes": _timeline_themes,
    "tension-lines": _tension_lines,
    "small-multiples": _small_multiples,
    "monthly-trend": _monthly_trend,
    "heatmap": _heatmap,
    "explain-waterfall": _explain_waterfall,
    "event-mix-quad": _event_mix("quad_class"),
    "event-mix-theme": _event_mix("theme"),
    "map": _map,
}
STANDARD_FIGURES = tuple(BUILDERS)

#: Charts of the set that another notebook of the report run owns (computes and exports); the report links
#: their files instead of building them again: chart name -> (file name without extension, notebook).
OWNED_ELSEWHERE: dict[str, tuple[str, str]] = {
    "timeline": ("01-timeline", "01-event-timeline"),
    "tension-lines": ("02-tension-lines", "02-country-pair-tension"),
    "heatmap": ("02-heatmap", "02-country-pair-tension"),
    "explain-waterfall": ("02-explain-waterfall", "02-country-pair-tension"),
}
#: Further charts of the report run the report links (exported by their notebooks): file name -> notebook.
LINKED_ONLY: dict[str, str] = {
    "01-timeline-full": "01-event-timeline",
    "02-sensitivity": "02-country-pair-tension",
    "02-method-comparison": "02-country-pair-tension",
}
#: The charts notebook 04 builds and exports itself: those no other notebook owns.
REPORT_OWN_FIGURES = tuple(name for name in STANDARD_FIGURES if name not in OWNED_ELSEWHERE)


def linked_figures() -> list[dict[str, str]]:
    """The charts the report links rather than embeds: ``heading``, ``file`` (no extension), ``notebook``.

    >>> linked_figures()[0]
    {'heading': 'Timeline', 'file': '01-timeline', 'notebook': '01-event-timeline'}
    """
    owned = [(name, file, notebook) for name, (file, notebook) in OWNED_ELSEWHERE.items()]
    others = [(file[3:], file, notebook) for file, notebook in LINKED_ONLY.items()]
    return [
        {"heading": heading_of(name), "file": file, "notebook": notebook}
        for name, file, notebook in sorted(owned + others, key=lambda item: item[1])
    ]


def heading_of(name: str) -> str:
    """A chart name as a report heading.

    >>> heading_of("explain-waterfall")
    'Explain waterfall'
    """
    return name.replace("-", " ").capitalize()


def build_standard_figures(
    dataset: dict[str, pd.DataFrame],
    main_pairs: tuple[str, ...] = ("AZE-RUS", "KAZ-RUS", "RUS-UZB", "ARM-RUS"),
    chart_start: str = "2021-11-01",
    explain_pair: str = "AZE-RUS",
    n_boot: int = 100,
    names: tuple[str, ...] | None = None,
    **knobs,
) -> ChartSet:
    """Build the charts of the set from ``load_dataset()`` (or an equivalent dict of tables).

    Only what the chosen charts need is computed (the bootstrap only for the tension lines, for one).

    Args:
        dataset: ``events``, ``eras`` and ``countries`` tables.
        main_pairs: pairs drawn on the tension lines.
        chart_start: first day of the time charts (the scores use every event).
        explain_pair: the pair whose peak is explained.
        n_boot: bootstrap replicates of the band.
        names: the charts to build, of :data:`STANDARD_FIGURES` (default: all of them).
        **knobs: fields of ``ScoreSettings`` (half_life_days, component, spread, ...); the defaults live there.

    Raises:
        ValueError: a name that is not a chart of the set (the closest names given).
    """
    chosen = names or STANDARD_FIGURES
    unknown = [name for name in chosen if name not in BUILDERS]
    if unknown:
        close = {name: difflib.get_close_matches(name, STANDARD_FIGURES, n=2) for name in unknown}
        raise ValueError(
            f"unknown chart(s) {close} (closest names given); the set: {', '.join(STANDARD_FIGURES)}"
        )
    inputs = _Inputs(dataset, main_pairs, chart_start, explain_pair, n_boot, knobs)
    return ChartSet({name: BUILDERS[name](inputs) for name in chosen})


def write_readme_figures(out_dir: Path | None = None) -> list[Path]:
    """Regenerate the PNGs the README shows (``docs/img/``) from the curated dataset."""
    from tensions.data import load_dataset
    from tensions.export import export_figures

    folder = out_dir or (paths.DOCS_DIR / "img")
    chart_set = build_standard_figures(load_dataset())
    items = [(fig, name, None) for fig, name, _ in chart_set.items(README_FIGURES)]
    return export_figures(items, formats=("png",), out_dir=folder, scale=1)
