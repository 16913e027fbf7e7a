"""Country-pair scores: tension, cooperation and net pressure, their index, explanation and baselines.

This module is the public face of :mod:`tensions.score`; it also gives the scores' uncertainty.

The method, in brief (the README and notebook 02 say more):

Each event *i* of a country pair *d* carries a Goldstein weight ``g_i`` in [-10, 10] (negative means
conflict), a confidence weight ``c_i`` (confirmed 1.0, reported 0.7, alleged 0.4 by default) and an
optional importance weight ``m_i`` (1 by default). It pushes one of two non-negative components: its
*tension* push is ``m_i * c_i * max(-g_i, 0)`` (conflict events: CAMEO roots 09-20), its *cooperation*
push ``m_i * c_i * max(g_i, 0)`` (roots 01-08); the *net* push is tension minus cooperation. The
**pressure** of a component at day *t* is the sum of its pushes up to *t*, each halved every ``h`` days::

    P_d(t) = sum_{i: t_i <= t} w_i * 2 ** (-(t - t_i) / h)

The **index** of tension or cooperation is ``100 * tanh(P / k)``: 0 means no such event in memory, 50 one
confirmed event weighted 10 on its day, 100 saturation. The net index is ``50 + 50 * tanh(P / k)`` (50
neutral). ``k = 10 / atanh(0.5)`` (about 18.2). A crisis can raise both components: an intervention may be
military cooperation with one government and friction with others at once. An event dated only to a month or
a year counts once, on the middle day of its period (``spread="mid"``; ``"start"`` and ``"even"`` are the
alternatives); an ``end_date`` sets the last day of that period. Every score carries its settings in
``attrs["settings"]``; :func:`explain` recomputes the same sum event by event, so its contributions add
up to the pressure.
"""

from __future__ import annotations

from tensions.score.dyads import (
    EXPLAIN_COLUMNS,
    bootstrap_scores,
    explain,
    goldstein_weights,
    pair_keys,
    score_dyads,
    weigh_events,
)
from tensions.score.kernel import (
    FREQS,
    SCORE_COLUMNS,
    decay_daily,
    neutral_index,
    place_events,
    score_pushes,
    to_index,
)
from tensions.score.settings import (
    COMPONENTS,
    CONFIDENCE_WEIGHTS,
    HALF_LIFE_DAYS,
    K_DEFAULT,
    SPREADS,
    WINDOW_YEARS,
    ScoreRequest,
    ScoreSettings,
    resolve_call,
    resolve_settings,
)
from tensions.score.summaries import (
    analysis_window,
    find_alerts,
    one_component,
    rank_pairs,
    score_cumulative,
    score_gdelt_mean,
    score_monthly_trend,
    settings_of,
    sweep_sensitivity,
)

__all__ = [
    "COMPONENTS",
    "CONFIDENCE_WEIGHTS",
    "EXPLAIN_COLUMNS",
    "FREQS",
    "HALF_LIFE_DAYS",
    "K_DEFAULT",
    "SCORE_COLUMNS",
    "SPREADS",
    "WINDOW_YEARS",
    "ScoreRequest",
    "ScoreSettings",
    "analysis_window",
    "bootstrap_scores",
    "decay_daily",
    "explain",
    "find_alerts",
    "goldstein_weights",
    "neutral_index",
    "one_component",
    "pair_keys",
    "place_events",
    "rank_pairs",
    "resolve_call",
    "resolve_settings",
    "score_cumulative",
    "score_dyads",
    "score_gdelt_mean",
    "score_monthly_trend",
    "score_pushes",
    "settings_of",
    "sweep_sensitivity",
    "to_index",
    "weigh_events",
]
