"""What is read off the scores.

Rankings, alerts, monthly arrows, the analysis window, sensitivity, and the baselines published indices
use (GDELT-style mean, cumulative sum).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from tensions.score.dyads import score_dyads, weigh_events
from tensions.score.kernel import neutral_index
from tensions.score.settings import CONFIDENCE_WEIGHTS, ScoreSettings, resolve_settings
from tensions.vocabulary import CONFIDENCE_LEVELS


def settings_of(scores: pd.DataFrame) -> ScoreSettings:
    """The settings a score table was computed with (the defaults for a table without them)."""
    return resolve_settings(scores.attrs.get("settings"))


def one_component(scores: pd.DataFrame, component: str | None = None) -> tuple[pd.DataFrame, str]:
    """The rows of one component (``component``, else the scores' own, else ``"tension"``)."""
    own = scores.attrs.get("component", settings_of(scores).component)
    if "component" in scores.columns:
        chosen = component or (own if own != "all" else "tension")
        return scores[scores["component"] == chosen], chosen
    if component is not None and component != own:
        raise ValueError(f"these scores hold the {own} component, not {component}")
    return scores, own


def analysis_window(
    scores: pd.DataFrame, years: float | None = None, end: str | pd.Timestamp | None = None
) -> tuple[pd.Timestamp, pd.Timestamp]:
    """Return the analysis window: ``years`` up to ``end``.

    ``years`` defaults to the settings' ``window_years``, ``end`` to the last day of the scores.
    Rankings, alerts and latest figures cover it; older events are background.

    >>> s = pd.DataFrame({"date": pd.to_datetime(["2015-01-01", "2025-07-10"])})
    >>> [str(d.date()) for d in analysis_window(s)]
    ['2020-07-10', '2025-07-10']
    """
    last = pd.Timestamp(end) if end is not None else pd.Timestamp(scores["date"].max())
    span = years if years is not None else settings_of(scores).window_years
    first = last - pd.DateOffset(years=int(span)) - pd.Timedelta(days=round((span % 1) * 365.25))
    return first.normalize(), last.normalize()


def _split_background(
    scores: pd.DataFrame, window: tuple[pd.Timestamp, pd.Timestamp]
) -> tuple[pd.DataFrame, list[str]]:
    """Scores inside the window, of pairs with an event in it; and the pairs left out (background)."""
    inside = scores[scores["date"].between(*window)]
    active = inside.groupby("pair", observed=True)["n_events"].sum().loc[lambda n: n > 0].index
    background = sorted(set(scores["pair"]) - set(active))
    return inside[inside["pair"].isin(active)], background


def rank_pairs(
    scores: pd.DataFrame,
    as_of: str | pd.Timestamp | None = None,
    window_years: float | None = None,
    component: str | None = None,
) -> pd.DataFrame:
    """Rank pairs by peak index within the analysis window, with the peak's date and the index at ``as_of``.

    Pairs without an event in the window are background: they are left out, and listed in
    ``attrs["background"]`` (``attrs["window"]`` holds the window).

    Args:
        scores: daily output of :func:`score_dyads` (one component, or ``"all"`` with ``component``).
        as_of: the day of the "current" index and the window's end (default: the last day of the scores).
        window_years: length of the window (default: the scores' settings, 5 years).
        component: for scores of every component, the one ranked (default tension).

    Returns:
        ``pair``, ``peak_index``, ``peak_date``, ``current_index``, ``n_events`` (in the window), sorted
        by peak.
    """
    columns = ["pair", "peak_index", "peak_date", "current_index", "n_events"]
    scores, chosen = one_component(scores, component)
    if scores.empty:
        return pd.DataFrame(columns=columns)
    window = analysis_window(scores, window_years, as_of)
    current_scores, background = _split_background(scores, window)
    if current_scores.empty:
        out = pd.DataFrame(columns=columns)
    else:
        peak_rows = current_scores.loc[current_scores.groupby("pair")["index"].idxmax()]
        current = current_scores.sort_values("date").groupby("pair")["index"].last()
        counts = current_scores.groupby("pair")["n_events"].sum()
        out = pd.DataFrame(
            {
                "pair": peak_rows["pair"].to_numpy(),
                "peak_index": peak_rows["index"].to_numpy(),
                "peak_date": peak_rows["date"].to_numpy(),
            }
        )
        out["current_index"] = out["pair"].map(current).astype("float64")
        out["n_events"] = out["pair"].map(counts).astype("int64")
        out = out.sort_values("peak_index", ascending=False, kind="stable").reset_index(drop=True)
    out.attrs.update(
        window=window, background=background, component=chosen, settings=settings_of(scores).as_dict()
    )
    return out


def find_alerts(
    scores: pd.DataFrame,
    rise: float = 15.0,
    window_days: int = 14,
    window_years: float | None = None,
    component: str | None = None,
) -> pd.DataFrame:
    """Find the episodes in the analysis window where a pair's index rises fast.

    An episode is a rise by more than ``rise`` points within ``window_days`` days.

    Args:
        scores: daily output of :func:`score_dyads`.
        rise: the rise, in index points, that triggers an alert.
        window_days: the window the rise must happen within.
        window_years: the analysis window (default: the scores' settings); episodes that start before
            it are background, left out and named in ``attrs["background"]``.
        component: for scores of every component, the one watched (default tension).

    Returns:
        One row per episode: ``pair``, ``start`` (first alert day), ``end`` (last alert day),
        ``peak_date``, ``from_index`` (lowest index in the window before the first alert day; before a
        pair's series starts its index counts as neutral: 0 for tension, 50 for net),
        ``peak_index`` and ``rise``.
    """
    columns = ["pair", "start", "end", "peak_date", "from_index", "peak_index", "rise"]
    scores, chosen = one_component(scores, component)
    neutral = neutral_index(chosen)
    rows = []
    for pair, g in scores.sort_values("date").groupby("pair", sort=True):
        series = g.set_index("date")["index"].asfreq("D").ffill()
        low = series.rolling(f"{window_days + 1}D", min_periods=1).min()
        early = (series.index - series.index[0]).days < window_days
        low[early] = np.minimum(low[early], neutral)
        flag = (series - low) > rise
        if not flag.any():
            continue
        episode = (flag != flag.shift(fill_value=False)).cumsum()[flag]
        for _, days in episode.groupby(episode):
            window = series.loc[days.index[0] : days.index[-1]]
            rows.append(
                {
                    "pair": pair,
                    "start": days.index[0],
                    "end": days.index[-1],
                    "peak_date": window.idxmax(),
                    "from_index": float(low.loc[days.index[0]]),
                    "peak_index": float(window.max()),
                    "rise": float(window.max() - low.loc[days.index[0]]),
                }
            )
    out = pd.DataFrame(rows, columns=columns)
    window = analysis_window(scores, window_years) if len(scores) else (None, None)
    old = out["start"] < window[0] if len(out) else pd.Series(dtype=bool)
    background = sorted(set(out.loc[old, "pair"])) if len(out) else []
    out = out[~old].reset_index(drop=True) if len(out) else out
    out.attrs.update(window=window, background=background, component=chosen)
    return out


def score_monthly_trend(events: pd.DataFrame, threshold: float = 5.0, **knobs) -> pd.DataFrame:
    """CrisisWatch-style monthly arrows: did each pair deteriorate, stay unchanged or improve?

    The month's index (index of the month's mean pressure, tension by default) is compared with the
    previous month's. For tension a rise of more than ``threshold`` is ``deteriorated`` and a fall
    ``improved``; for cooperation a rise is ``improved``; for net as for tension.

    Returns:
        ``pair``, ``date`` (month start), ``index``, ``change`` and ``trend``.
    """
    monthly = score_dyads(events, freq="M", **knobs)
    component = monthly.attrs.get("component", "tension")
    if component == "all":
        raise ValueError(
            "monthly arrows read one component: pass component='tension', 'cooperation' or 'net'"
        )
    columns = ["pair", "date", "index", "change", "trend"]
    if monthly.empty:
        return monthly.assign(change=pd.Series(dtype="float64"), trend=pd.Series(dtype="string"))[columns]
    monthly["change"] = (
        monthly.groupby("pair")["index"].diff().fillna(monthly["index"] - neutral_index(component))
    )
    up, down = ("improved", "deteriorated") if component == "cooperation" else ("deteriorated", "improved")
    monthly["trend"] = np.select(
        [monthly["change"] > threshold, monthly["change"] < -threshold], [up, down], default="unchanged"
    )
    monthly["trend"] = monthly["trend"].astype("string")
    return monthly[columns]


def sweep_sensitivity(
    events: pd.DataFrame,
    pair: str,
    half_lives: Sequence[float] = (7, 14, 30, 60, 90),
    confidence_sets: Mapping[str, Mapping[str, float]] | None = None,
    **knobs,
) -> pd.DataFrame:
    """Sensitivity of one pair's score to the half-life and the confidence weights.

    Args:
        events: the events.
        pair: the pair label (e.g. ``AZE-RUS``).
        half_lives: half-lives to try, in days.
        confidence_sets: named sets of confidence weights (default: the default set, "equal" weights
            and "confirmed only").
        **knobs: other settings (component, spread, goldstein_table ...).

    Returns:
        One row per combination: ``half_life_days``, ``confidence_set``, ``peak_index``,
        ``peak_date``, ``last_index`` (at the last event of the dataset) and ``days_above_60``.
    """
    sets = confidence_sets or {
        "default (1 / 0.7 / 0.4)": CONFIDENCE_WEIGHTS,
        "equal (1 / 1 / 1)": dict.fromkeys(CONFIDENCE_LEVELS, 1.0),
        "confirmed only (1 / 0 / 0)": dict(zip(CONFIDENCE_LEVELS, (1.0, 0.0, 0.0), strict=True)),
    }
    rows = []
    for h in half_lives:
        for name, weights in sets.items():
            scores = score_dyads(
                events, half_life_days=float(h), confidence_weights=dict(weights), pairs=[pair], **knobs
            )
            if scores.empty:
                continue
            peak = scores.loc[scores["index"].idxmax()]
            rows.append(
                {
                    "half_life_days": float(h),
                    "confidence_set": name,
                    "peak_index": float(peak["index"]),
                    "peak_date": peak["date"],
                    "last_index": float(scores["index"].iloc[-1]),
                    "days_above_60": int((scores["index"] > 60).sum()),
                }
            )
    columns = ["half_life_days", "confidence_set", "peak_index", "peak_date", "last_index", "days_above_60"]
    return pd.DataFrame(rows, columns=columns)


def _empty_series(value_column: str) -> pd.DataFrame:
    """A baseline's table with no row: ``pair``, ``date``, ``value_column`` and ``n_events``, typed."""
    return pd.DataFrame(
        {
            "pair": pd.Series(dtype="string"),
            "date": pd.Series(dtype="datetime64[ns]"),
            value_column: pd.Series(dtype="float64"),
            "n_events": pd.Series(dtype="int64"),
        }
    )


def score_gdelt_mean(
    events: pd.DataFrame,
    freq: str = "D",
    weighted: bool = False,
    directed: bool = False,
    goldstein_table: str | None = None,
) -> pd.DataFrame:
    """GDELT-style average Goldstein per pair and period (only periods with events).

    With ``weighted=True`` each event counts with its confidence weight. Note the sign: Goldstein is
    negative for conflict, so a *lower* mean means more tension.

    Returns:
        ``pair``, ``date``, ``mean_goldstein``, ``n_events``.
    """
    s = resolve_settings(None, directed=directed, goldstein_table=goldstein_table)
    if events.empty:
        return _empty_series("mean_goldstein")
    w = weigh_events(events, s)
    w["period"] = _period_start(w["date"], freq)
    w["wt"] = w["confidence_weight"] if weighted else 1.0
    w["gw"] = w["goldstein"] * w["wt"]
    g = w.groupby(["key", "period"], observed=True).agg(
        gw=("gw", "sum"), wt=("wt", "sum"), n=("event_id", "size")
    )
    g = g[g["wt"] > 0]
    out = pd.DataFrame(
        {
            "pair": g.index.get_level_values(0).astype("string"),
            "date": g.index.get_level_values(1).astype("datetime64[ns]"),
            "mean_goldstein": (g["gw"] / g["wt"]).to_numpy(),
            "n_events": g["n"].astype("int64").to_numpy(),
        }
    )
    return out.sort_values(["pair", "date"]).reset_index(drop=True)


def score_cumulative(
    events: pd.DataFrame,
    directed: bool = False,
    goldstein_table: str | None = None,
    confidence_weights: Mapping[str, float] | None = None,
) -> pd.DataFrame:
    """Cumulative sum of net pushes per pair, with no decay (the memory-less opposite of the index).

    Returns:
        ``pair``, ``date`` (each day with events), ``cumulative`` and ``n_events``.
    """
    s = resolve_settings(
        None, directed=directed, goldstein_table=goldstein_table, confidence_weights=confidence_weights
    )
    if events.empty:
        return _empty_series("cumulative")
    w = weigh_events(events, s)
    g = w.groupby(["key", "date"]).agg(push=("push", "sum"), n=("event_id", "size")).reset_index()
    g["cumulative"] = g.groupby("key")["push"].cumsum()
    return pd.DataFrame(
        {
            "pair": g["key"].astype("string"),
            "date": g["date"].astype("datetime64[ns]"),
            "cumulative": g["cumulative"].astype("float64"),
            "n_events": g["n"].astype("int64"),
        }
    )


def _period_start(dates: pd.Series, freq: str) -> pd.Series:
    from tensions.score.kernel import FREQS

    if freq == "D":
        return dates.dt.normalize()
    return dates.dt.to_period(FREQS[freq]).dt.start_time
