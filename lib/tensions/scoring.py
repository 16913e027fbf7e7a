"""Country-pair tension score: pressure, index, explanation, baselines and uncertainty.

The method, in one paragraph (the README and notebook 02 say more):

Each event *i* of a country pair *d* carries a Goldstein weight ``g_i`` in [-10, 10] (negative means
conflict), a confidence weight ``c_i`` (confirmed 1.0, reported 0.7, alleged 0.4 by default) and an
optional importance weight ``m_i`` (1 by default). Its *push* is ``w_i = m_i * c_i * (-g_i)``: positive for
conflict, negative for cooperation. The **pressure** of the pair at day *t* is the sum of the pushes of
its events up to *t*, each halved every ``h`` days (the half-life, 30 by default)::

    P_d(t) = sum_{i: t_i <= t} w_i * 2 ** (-(t - t_i) / h)

and the **index** maps pressure to 0..100 with ``50 + 50 * tanh(P / k)``: 50 is neutral, 100 maximal
tension, 0 maximal cooperation. ``k = 10 / atanh(0.5)`` (about 18.2) so that a single confirmed event
coded -10 (e.g. CAMEO 190, use of conventional military force) lifts a quiet pair to exactly 75 on its
day. An event dated only to a month or a year is spread evenly over the days of its period (or put at
the middle of it with ``spread="mid"``); for such an event an ``end_date`` sets the last day of that
window (the article may only bracket it, e.g. "between February and 24 March"). An event with day
precision counts on its first day even when it has an ``end_date`` (a multi-day event).

Implementation: pushes are summed per pair and day, and the daily series are decayed with a first-order
recursive filter (``P(t) = r * P(t-1) + x(t)``, ``r = 2 ** (-1/h)``; :func:`scipy.signal.lfilter` over
all pairs at once). :func:`explain` recomputes the same sum event by event, so its contributions add up to
the pressure (to floating-point rounding).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date as date_type
from typing import Literal

import numpy as np
import pandas as pd
from scipy.signal import lfilter

from tensions import reference
from tensions.data import canonical_pairs

Freq = Literal["D", "W", "M"]
Spread = Literal["even", "mid"]
How = Literal["mean", "max", "last"]

#: Default confidence weights.
CONFIDENCE_WEIGHTS: dict[str, float] = {"confirmed": 1.0, "reported": 0.7, "alleged": 0.4}
#: Default half-life in days.
HALF_LIFE_DAYS: float = 30.0
#: Scale of the index: one confirmed -10 event gives 50 + 50 * tanh(10 / k) = 75.
K_DEFAULT: float = 10.0 / math.atanh(0.5)

SCORE_COLUMNS: list[str] = ["pair", "date", "pressure", "index", "n_events"]
EXPLAIN_COLUMNS: list[str] = [
    "event_id",
    "date",
    "title",
    "actor",
    "target",
    "cameo_code",
    "goldstein",
    "confidence",
    "confidence_weight",
    "importance",
    "push",
    "age_days",
    "decay",
    "contribution",
    "share",
]


@dataclass(frozen=True)
class ScoreSettings:
    """Every knob of the score. All scoring functions accept these as keyword arguments.

    Attributes:
        half_life_days: days after which an event's push is halved.
        goldstein_table: ``None`` uses the events' own ``goldstein`` column; ``"gdelt"``, ``"icews"`` or
            ``"phoenix"`` looks the weight of each CAMEO code up in that reference table.
        confidence_weights: weight per confidence level.
        importance_column: optional column of the events with a positive importance weight.
        directed: score ordered pairs (``RUS>AZE``) instead of undirected ones (``AZE-RUS``).
        spread: ``"even"`` spreads month/year-precision events over their period, ``"mid"`` puts them
            at its middle day.
        k: scale of the index (see :data:`K_DEFAULT`).
        fallback_to_root: when a CAMEO code has no weight in the chosen table, use its root code's
            weight instead of raising an error.
    """

    half_life_days: float = HALF_LIFE_DAYS
    goldstein_table: str | None = None
    confidence_weights: Mapping[str, float] = field(default_factory=lambda: dict(CONFIDENCE_WEIGHTS))
    importance_column: str | None = None
    directed: bool = False
    spread: Spread = "even"
    k: float = K_DEFAULT
    fallback_to_root: bool = False

    def __post_init__(self) -> None:
        if not (self.half_life_days > 0 and math.isfinite(self.half_life_days)):
            raise ValueError(f"half_life_days must be a positive number, got {self.half_life_days!r}")
        if not self.k > 0:
            raise ValueError(f"k must be positive, got {self.k!r}")
        if self.spread not in ("even", "mid"):
            raise ValueError(f"spread must be 'even' or 'mid', got {self.spread!r}")
        if self.goldstein_table not in (None, *reference.GOLDSTEIN_TABLES):
            raise ValueError(f"unknown Goldstein table {self.goldstein_table!r}")
        missing = {"confirmed", "reported", "alleged"} - set(self.confidence_weights)
        if missing:
            raise ValueError(f"confidence_weights lacks a weight for {', '.join(sorted(missing))}")
        if any(not (0 <= float(v) <= 10) for v in self.confidence_weights.values()):
            raise ValueError("confidence weights must lie in [0, 10]")

    @property
    def decay_rate(self) -> float:
        """Daily decay factor ``r = 2 ** (-1 / h)``."""
        return 2.0 ** (-1.0 / self.half_life_days)


def _settings(settings: ScoreSettings | None, **knobs) -> ScoreSettings:
    base = settings or ScoreSettings()
    knobs = {key: value for key, value in knobs.items() if value is not None}
    if "confidence_weights" in knobs:
        knobs["confidence_weights"] = {**CONFIDENCE_WEIGHTS, **knobs["confidence_weights"]}
    return replace(base, **knobs)


def to_index(pressure: float | np.ndarray | pd.Series, k: float = K_DEFAULT):
    """Map pressure to the 0..100 index: ``50 + 50 * tanh(pressure / k)``.

    >>> round(float(to_index(10.0)), 6)
    75.0
    >>> float(to_index(0.0))
    50.0
    """
    if isinstance(pressure, pd.Series):
        return 50.0 + 50.0 * np.tanh(pressure / k)
    return 50.0 + 50.0 * np.tanh(np.asarray(pressure, dtype="float64") / k)


# --------------------------------------------------------------------------------------------------
# Event weights and their placement in time
# --------------------------------------------------------------------------------------------------

_REQUIRED = ("event_id", "date", "actor", "target", "confidence")


def weigh_events(events: pd.DataFrame, settings: ScoreSettings | None = None, **knobs) -> pd.DataFrame:
    """Resolve the weight of every event: Goldstein, confidence, importance and push.

    Returns:
        One row per event with ``event_id``, ``key`` (the pair label used for scoring), ``date``,
        ``date_precision``, ``end_date``, ``goldstein``, ``confidence_weight``, ``importance`` and
        ``push = importance * confidence_weight * (-goldstein)``.

    Raises:
        ValueError: on a missing column, an unknown confidence level, a CAMEO code without weight in
            the chosen table, or a missing Goldstein value. The message names the events.
    """
    s = _settings(settings, **knobs)
    missing = [c for c in _REQUIRED if c not in events.columns]
    if missing:
        raise ValueError(f"events lack the column(s) {', '.join(missing)}")
    out = pd.DataFrame(index=events.index)
    out["event_id"] = events["event_id"].astype("string")
    actor = events["actor"].astype("string")
    target = events["target"].astype("string")
    out["key"] = (actor + ">" + target) if s.directed else canonical_pairs(actor, target)
    out["date"] = pd.to_datetime(events["date"]).dt.normalize()
    out["date_precision"] = (
        events["date_precision"].astype("string")
        if "date_precision" in events
        else pd.Series("day", index=events.index, dtype="string")
    )
    out["end_date"] = (
        pd.to_datetime(events["end_date"])
        if "end_date" in events
        else pd.Series(pd.NaT, index=events.index, dtype="datetime64[ns]")
    )
    out["goldstein"] = _goldstein(events, s)
    confidence = events["confidence"].astype("string")
    out["confidence_weight"] = confidence.map(dict(s.confidence_weights)).astype("float64")
    bad = out["confidence_weight"].isna()
    if bad.any():
        raise ValueError(
            f"unknown confidence level(s) {sorted(set(confidence[bad].astype(str)))} "
            f"for event(s) {', '.join(out.loc[bad, 'event_id'].head(10))}"
        )
    if s.importance_column:
        importance = pd.to_numeric(events[s.importance_column], errors="coerce")
        if importance.isna().any() or (importance < 0).any():
            bad_ids = out.loc[importance.isna() | (importance < 0), "event_id"].head(10)
            raise ValueError(f"importance must be a non-negative number; check {', '.join(bad_ids)}")
        out["importance"] = importance.astype("float64")
    else:
        out["importance"] = 1.0
    if out["date"].isna().any():
        raise ValueError(
            f"events without a date: {', '.join(out.loc[out['date'].isna(), 'event_id'].head(10))}"
        )
    out["push"] = out["importance"] * out["confidence_weight"] * (-out["goldstein"])
    return out.reset_index(drop=True)


def _goldstein(events: pd.DataFrame, s: ScoreSettings) -> pd.Series:
    if s.goldstein_table is None:
        if "goldstein" not in events.columns:
            raise ValueError("events lack a goldstein column; choose a goldstein_table")
        values = pd.to_numeric(events["goldstein"], errors="coerce").astype("float64")
        bad = values.isna()
        if bad.any():
            raise ValueError(
                f"missing Goldstein weight for event(s) {', '.join(events.loc[bad, 'event_id'].astype(str).head(10))}"
            )
        return values
    if "cameo_code" not in events.columns:
        raise ValueError("events lack a cameo_code column, needed to look weights up")
    table = reference.load_goldstein_weights(s.goldstein_table)
    codes = events["cameo_code"].astype("string")
    values = codes.map(table).astype("float64")
    if s.fallback_to_root:
        values = values.fillna(codes.str[:2].map(table).astype("float64"))
    bad = values.isna()
    if bad.any():
        pairs = sorted(
            {f"{e} (code {c})" for e, c in zip(events.loc[bad, "event_id"], codes[bad], strict=True)}
        )
        raise ValueError(
            f"the {s.goldstein_table} Goldstein table has no weight for {len(pairs)} event(s): "
            f"{', '.join(pairs[:10])}; pass fallback_to_root=True to use the root code's weight"
        )
    return values


def _period_end(start: pd.Series, precision: pd.Series) -> pd.Series:
    month_end = start + pd.offsets.MonthEnd(0)
    year_end = start + pd.offsets.YearEnd(0)
    return start.where(precision == "day", month_end.where(precision == "month", year_end))


def place_events(weights: pd.DataFrame, spread: Spread = "even") -> pd.DataFrame:
    """Place each event's push on days: one piece for day precision, the period for month/year.

    Args:
        weights: output of :func:`weigh_events`.
        spread: ``"even"`` spreads over every day of the period, ``"mid"`` puts all on the middle day.

    Returns:
        One row per piece: ``row`` (position in ``weights``), ``day`` and ``amount``; the amounts of
        an event sum to its push.

    >>> w = pd.DataFrame({"key": ["A-B"], "date": [pd.Timestamp("2024-02-01")], "date_precision": ["month"],
    ...                   "end_date": [pd.NaT], "push": [2.9]})
    >>> pieces = place_events(w)
    >>> len(pieces), round(float(pieces["amount"].sum()), 12)
    (29, 2.9)
    """
    start = weights["date"]
    precision = weights["date_precision"].fillna("day")
    end = _period_end(start, precision)
    # for an imprecise date, an explicit end_date is the last day the event can have happened on: it
    # narrows the period or widens it (e.g. "between February and 24 March"); a day-precision event
    # counts on its first day whatever its end_date
    explicit = weights["end_date"].notna() & (precision != "day")
    end = end.where(~explicit, weights["end_date"])
    end = end.where(end >= start, start)
    n_days = ((end - start).dt.days + 1).to_numpy()
    if spread == "mid":
        day = start + pd.to_timedelta((n_days - 1) // 2, unit="D")
        return pd.DataFrame(
            {"row": np.arange(len(weights)), "day": day.to_numpy(), "amount": weights["push"].to_numpy()}
        )
    rows = np.repeat(np.arange(len(weights)), n_days)
    offsets = np.arange(len(rows)) - np.repeat(np.cumsum(n_days) - n_days, n_days)
    day = start.to_numpy()[rows] + offsets.astype("timedelta64[D]")
    amount = (weights["push"].to_numpy() / n_days)[rows]
    return pd.DataFrame({"row": rows, "day": day, "amount": amount})


# --------------------------------------------------------------------------------------------------
# The score
# --------------------------------------------------------------------------------------------------


def _check_future(weights: pd.DataFrame, today: date_type | None) -> None:
    limit = pd.Timestamp(today or date_type.today())
    future = weights["date"] > limit
    if future.any():
        raise ValueError(
            f"{int(future.sum())} event(s) are dated after {limit.date()}: "
            f"{', '.join(weights.loc[future, 'event_id'].head(10))}; pass today=... to score a scenario"
        )


def _empty_scores() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "pair": pd.Series(dtype="string"),
            "date": pd.Series(dtype="datetime64[ns]"),
            "pressure": pd.Series(dtype="float64"),
            "index": pd.Series(dtype="float64"),
            "n_events": pd.Series(dtype="int64"),
        }
    )


def decay_daily(amounts: np.ndarray, rate: float) -> np.ndarray:
    """Decay daily pushes along axis 0: ``y[t] = rate * y[t-1] + x[t]`` (a first-order IIR filter).

    >>> decay_daily(np.array([[4.0], [0.0], [0.0]]), 0.5).ravel().tolist()
    [4.0, 2.0, 1.0]
    """
    return lfilter([1.0], [1.0, -rate], amounts, axis=0)


def score_daily_matrix(
    pieces: pd.DataFrame,
    event_keys: np.ndarray,
    n_keys: int,
    first_day: pd.Timestamp,
    n_days: int,
    rate: float,
    multiplier: np.ndarray | None = None,
) -> np.ndarray:
    """Pressure matrix (days × pairs) from placed pieces.

    Args:
        pieces: output of :func:`place_events`.
        event_keys: for each event (row of the weights), the column of its pair in the matrix.
        n_keys: number of pairs (columns).
        first_day: the day of the first matrix row.
        n_days: number of rows.
        rate: daily decay factor.
        multiplier: optional factor per event (the bootstrap's resampling counts).
    """
    key_pos = event_keys[pieces["row"].to_numpy()]
    day_pos = ((pieces["day"].to_numpy() - np.datetime64(first_day, "ns")) // np.timedelta64(1, "D")).astype(
        int
    )
    amounts = pieces["amount"].to_numpy()
    if multiplier is not None:
        amounts = amounts * multiplier[pieces["row"].to_numpy()]
    daily = np.zeros((n_days, n_keys))
    keep = (day_pos >= 0) & (day_pos < n_days)
    np.add.at(daily, (day_pos[keep], key_pos[keep]), amounts[keep])
    return decay_daily(daily, rate)


def score_dyads(
    events: pd.DataFrame,
    freq: Freq = "D",
    half_life_days: float | None = None,
    goldstein_table: str | None = None,
    confidence_weights: Mapping[str, float] | None = None,
    directed: bool | None = None,
    spread: Spread | None = None,
    start: str | pd.Timestamp | None = None,
    end: str | pd.Timestamp | None = None,
    how: How = "mean",
    *,
    k: float | None = None,
    importance_column: str | None = None,
    fallback_to_root: bool | None = None,
    pairs: Sequence[str] | None = None,
    today: date_type | None = None,
    settings: ScoreSettings | None = None,
) -> pd.DataFrame:
    """Score every country pair over time.

    Args:
        events: events with at least ``event_id``, ``date``, ``actor``, ``target``, ``confidence`` and
            ``goldstein`` (or ``cameo_code`` with ``goldstein_table``); ``date_precision`` and
            ``end_date`` are used when present.
        freq: ``"D"`` daily, ``"W"`` weekly (weeks starting Monday) or ``"M"`` monthly.
        half_life_days: the half-life ``h`` (default 30).
        goldstein_table: ``None`` (the events' own weights), ``"gdelt"``, ``"icews"`` or ``"phoenix"``.
        confidence_weights: overrides of the default confidence weights.
        directed: score ordered pairs (``RUS>AZE``) instead of undirected ones (``AZE-RUS``).
        spread: placement of month/year-precision events (``"even"`` or ``"mid"``).
        start, end: first and last day reported (default: first event day to last event day). Events
            before ``start`` still count, decayed.
        how: for ``"W"``/``"M"``, how the daily pressure is summarised per period (``mean``, ``max`` or
            ``last``); the period's index is the index of that pressure.
        k: scale of the index.
        importance_column: optional column with an importance weight per event.
        fallback_to_root: use the root code's weight when a code has none in the chosen table.
        pairs: keep only these pair labels.
        today: events after this day raise an error (default: today's date).
        settings: a :class:`ScoreSettings` to start from.

    Returns:
        A long DataFrame with :data:`SCORE_COLUMNS` (``pair``, ``date``, ``pressure``, ``index``,
        ``n_events``), sorted by pair and date; empty (with these columns) when nothing is selected.

    >>> ev = pd.DataFrame({"event_id": ["E1"], "date": [pd.Timestamp("2024-12-25")], "actor": ["RUS"],
    ...                    "target": ["AZE"], "confidence": ["confirmed"], "goldstein": [-10.0]})
    >>> s = score_dyads(ev, end="2025-01-24")
    >>> s.iloc[0]["pair"], float(s.iloc[0]["index"])
    ('AZE-RUS', 75.0)
    >>> round(float(s.iloc[-1]["pressure"]), 6)  # 30 days later: half the push
    5.0
    """
    s = _settings(
        settings,
        half_life_days=half_life_days,
        goldstein_table=goldstein_table,
        confidence_weights=confidence_weights,
        directed=directed,
        spread=spread,
        k=k,
        importance_column=importance_column,
        fallback_to_root=fallback_to_root,
    )
    if freq not in ("D", "W", "M"):
        raise ValueError(f"freq must be 'D', 'W' or 'M', got {freq!r}")
    if how not in ("mean", "max", "last"):
        raise ValueError(f"how must be 'mean', 'max' or 'last', got {how!r}")
    if events.empty:
        return _empty_scores()
    weights = weigh_events(events, s)
    if pairs is not None:
        weights = weights[weights["key"].isin(list(pairs))].reset_index(drop=True)
        if weights.empty:
            return _empty_scores()
    _check_future(weights, today)
    pieces = place_events(weights, s.spread)
    first_day = min(pieces["day"].min(), weights["date"].min())
    if start is not None:
        first_day = min(first_day, pd.Timestamp(start))
    last_day = pd.Timestamp(end) if end is not None else max(pieces["day"].max(), weights["date"].max())
    report_from = pd.Timestamp(start) if start is not None else first_day
    if last_day < report_from:
        return _empty_scores()
    event_keys, keys = pd.factorize(weights["key"], sort=True)
    n_days = (last_day - first_day).days + 1
    pressure = score_daily_matrix(pieces, event_keys, len(keys), first_day, n_days, s.decay_rate)
    days = pd.date_range(first_day, periods=n_days, freq="D")
    counts = np.zeros_like(pressure, dtype="int64")
    day_pos = ((weights["date"] - first_day).dt.days).to_numpy()
    ok = (day_pos >= 0) & (day_pos < n_days)
    np.add.at(counts, (day_pos[ok], event_keys[ok]), 1)
    skip = (report_from - first_day).days
    pressure, counts, days = pressure[skip:], counts[skip:], days[skip:]
    if freq != "D":
        periods = days.to_period("W-SUN" if freq == "W" else "M").start_time
        wide_p = getattr(pd.DataFrame(pressure, index=days).groupby(periods), how)()
        counts = pd.DataFrame(counts, index=days).groupby(periods).sum().to_numpy()
        pressure, days = wide_p.to_numpy(), pd.DatetimeIndex(wide_p.index)
    return _long_scores(pressure, counts, days, keys, s.k)


def _long_scores(
    pressure: np.ndarray, counts: np.ndarray, days: pd.DatetimeIndex, keys, k: float
) -> pd.DataFrame:
    """Days × pairs matrices to the long, pair-major table of :data:`SCORE_COLUMNS`."""
    n_days, n_keys = pressure.shape
    flat = pressure.T.ravel()
    return pd.DataFrame(
        {
            "pair": pd.array(np.repeat(np.asarray(keys, dtype=object), n_days), dtype="string"),
            "date": np.tile(days.to_numpy().astype("datetime64[ns]"), n_keys),
            "pressure": flat,
            "index": 50.0 + 50.0 * np.tanh(flat / k),
            "n_events": counts.T.ravel().astype("int64"),
        }
    )


def explain(
    events: pd.DataFrame,
    pair: str,
    date: str | pd.Timestamp,
    half_life_days: float | None = None,
    goldstein_table: str | None = None,
    confidence_weights: Mapping[str, float] | None = None,
    directed: bool | None = None,
    spread: Spread | None = None,
    *,
    k: float | None = None,
    importance_column: str | None = None,
    fallback_to_root: bool | None = None,
    today: date_type | None = None,
    settings: ScoreSettings | None = None,
) -> pd.DataFrame:
    """Break a pair's pressure at a date down into the events behind it.

    Returns one row per event of the pair dated on or before ``date`` (for a spread event, the part of
    its period up to ``date``), with its push, its age, its decay factor and its ``contribution`` to the
    pressure; ``share`` is the contribution divided by the pressure. Rows are sorted by the size of the
    contribution. ``contribution`` sums to the pressure that :func:`score_dyads` reports for that pair
    and day; ``df.attrs`` holds ``pressure``, ``index``, ``pair``, ``date`` and the settings.

    >>> ev = pd.DataFrame({"event_id": ["E1", "E2"], "date": pd.to_datetime(["2024-12-25", "2024-12-29"]),
    ...                    "actor": ["RUS", "AZE"], "target": ["AZE", "RUS"],
    ...                    "confidence": ["confirmed", "reported"], "goldstein": [-10.0, -2.0]})
    >>> ex = explain(ev, "AZE-RUS", "2025-01-24")
    >>> ex[["event_id", "contribution"]].round(3).values.tolist()
    [['E1', 5.0], ['E2', 0.768]]
    >>> round(ex.attrs["pressure"], 3)
    5.768
    """
    s = _settings(
        settings,
        half_life_days=half_life_days,
        goldstein_table=goldstein_table,
        confidence_weights=confidence_weights,
        directed=directed,
        spread=spread,
        k=k,
        importance_column=importance_column,
        fallback_to_root=fallback_to_root,
    )
    at = pd.Timestamp(date).normalize()
    empty = pd.DataFrame({c: pd.Series(dtype="float64") for c in EXPLAIN_COLUMNS})
    if events.empty:
        empty.attrs.update(pair=pair, date=at, pressure=0.0, index=50.0)
        return empty
    weights = weigh_events(events, s)
    _check_future(weights, today)
    mine = weights[weights["key"] == pair].reset_index(drop=True)
    if mine.empty:
        known = sorted(weights["key"].unique())
        raise ValueError(f"no events for pair {pair!r}; known pairs: {', '.join(known[:20])}")
    pieces = place_events(mine, s.spread)
    pieces = pieces[pieces["day"] <= at]
    age = (at - pieces["day"]).dt.days.to_numpy()
    pieces = pieces.assign(contribution=pieces["amount"].to_numpy() * s.decay_rate**age)
    per_event = pieces.groupby("row")["contribution"].sum()
    rows = mine.loc[per_event.index]
    src = events.set_index(events["event_id"].astype("string"))
    info = src.loc[rows["event_id"]]
    out = pd.DataFrame(
        {
            "event_id": rows["event_id"].to_numpy(),
            "date": rows["date"].to_numpy(),
            "title": _col(info, "title"),
            "actor": _col(info, "actor"),
            "target": _col(info, "target"),
            "cameo_code": _col(info, "cameo_code"),
            "goldstein": rows["goldstein"].to_numpy(),
            "confidence": _col(info, "confidence"),
            "confidence_weight": rows["confidence_weight"].to_numpy(),
            "importance": rows["importance"].to_numpy(),
            "push": rows["push"].to_numpy(),
            "age_days": (at - rows["date"]).dt.days.to_numpy(),
            "contribution": per_event.to_numpy(),
        }
    )
    with np.errstate(divide="ignore", invalid="ignore"):
        out["decay"] = np.where(out["push"] != 0, out["contribution"] / out["push"], 0.0)
    total = float(out["contribution"].sum())
    out["share"] = out["contribution"] / total if total != 0 else 0.0
    out = out.reindex(out["contribution"].abs().sort_values(ascending=False, kind="stable").index)
    out = out[EXPLAIN_COLUMNS].reset_index(drop=True)
    out.attrs.update(
        pair=pair,
        date=at,
        pressure=total,
        index=float(to_index(total, s.k)),
        half_life_days=s.half_life_days,
        goldstein_table=s.goldstein_table or "events",
    )
    return out


def _col(frame: pd.DataFrame, name: str) -> np.ndarray:
    if name in frame.columns:
        return frame[name].astype("string").to_numpy()
    return np.full(len(frame), pd.NA, dtype=object)


# --------------------------------------------------------------------------------------------------
# Baselines: what published indices do
# --------------------------------------------------------------------------------------------------


def score_gdelt_mean(
    events: pd.DataFrame,
    freq: Freq = "D",
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
    s = _settings(None, directed=directed, goldstein_table=goldstein_table)
    if events.empty:
        return pd.DataFrame(
            {
                "pair": pd.Series(dtype="string"),
                "date": pd.Series(dtype="datetime64[ns]"),
                "mean_goldstein": pd.Series(dtype="float64"),
                "n_events": pd.Series(dtype="int64"),
            }
        )
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
    """Cumulative sum of pushes per pair, with no decay (the memory-less opposite of the index).

    Returns:
        ``pair``, ``date`` (each day with events), ``cumulative`` and ``n_events``.
    """
    s = _settings(
        None, directed=directed, goldstein_table=goldstein_table, confidence_weights=confidence_weights
    )
    if events.empty:
        return pd.DataFrame(
            {
                "pair": pd.Series(dtype="string"),
                "date": pd.Series(dtype="datetime64[ns]"),
                "cumulative": pd.Series(dtype="float64"),
                "n_events": pd.Series(dtype="int64"),
            }
        )
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
    if freq == "D":
        return dates.dt.normalize()
    return dates.dt.to_period("W-SUN" if freq == "W" else "M").dt.start_time


def score_monthly_trend(events: pd.DataFrame, threshold: float = 5.0, **knobs) -> pd.DataFrame:
    """CrisisWatch-style monthly arrows: did each pair deteriorate, stay unchanged or improve?

    The month's index (index of the month's mean pressure) is compared with the previous month's:
    a rise of more than ``threshold`` points is ``deteriorated``, a fall of more than ``threshold``
    is ``improved``, anything else ``unchanged``.

    Returns:
        ``pair``, ``date`` (month start), ``index``, ``change`` and ``trend``.
    """
    monthly = score_dyads(events, freq="M", **knobs)
    if monthly.empty:
        return monthly.assign(change=pd.Series(dtype="float64"), trend=pd.Series(dtype="string"))[
            ["pair", "date", "index", "change", "trend"]
        ]
    monthly["change"] = monthly.groupby("pair")["index"].diff().fillna(monthly["index"] - 50.0)
    monthly["trend"] = np.select(
        [monthly["change"] > threshold, monthly["change"] < -threshold],
        ["deteriorated", "improved"],
        default="unchanged",
    )
    monthly["trend"] = monthly["trend"].astype("string")
    return monthly[["pair", "date", "index", "change", "trend"]]


def find_alerts(scores: pd.DataFrame, rise: float = 15.0, window_days: int = 14) -> pd.DataFrame:
    """Episodes where a pair's index rises by more than ``rise`` points within ``window_days`` days.

    Args:
        scores: daily output of :func:`score_dyads`.
        rise: the rise, in index points, that triggers an alert.
        window_days: the window the rise must happen within.

    Returns:
        One row per episode: ``pair``, ``start`` (first alert day), ``end`` (last alert day),
        ``peak_date``, ``from_index`` (lowest index in the window before the first alert day; the
        index before a pair's series starts counts as neutral, 50),
        ``peak_index`` and ``rise``.
    """
    columns = ["pair", "start", "end", "peak_date", "from_index", "peak_index", "rise"]
    rows = []
    for pair, g in scores.sort_values("date").groupby("pair", sort=True):
        series = g.set_index("date")["index"].asfreq("D").ffill()
        low = series.rolling(f"{window_days + 1}D", min_periods=1).min()
        # before a series starts the pair had no events: its index was neutral (50)
        early = (series.index - series.index[0]).days < window_days
        low[early] = np.minimum(low[early], 50.0)
        flag = (series - low) > rise
        if not flag.any():
            continue
        episode = (flag != flag.shift(fill_value=False)).cumsum()[flag]
        for _, days in episode.groupby(episode):
            window = series.loc[days.index[0] : days.index[-1]]
            peak_date = window.idxmax()
            rows.append(
                {
                    "pair": pair,
                    "start": days.index[0],
                    "end": days.index[-1],
                    "peak_date": peak_date,
                    "from_index": float(low.loc[days.index[0]]),
                    "peak_index": float(window.max()),
                    "rise": float(window.max() - low.loc[days.index[0]]),
                }
            )
    return pd.DataFrame(rows, columns=columns)


# --------------------------------------------------------------------------------------------------
# Uncertainty
# --------------------------------------------------------------------------------------------------


def bootstrap_scores(
    events: pd.DataFrame,
    n_boot: int = 200,
    quantiles: tuple[float, float] = (0.05, 0.95),
    seed: int = 0,
    start: str | pd.Timestamp | None = None,
    end: str | pd.Timestamp | None = None,
    pairs: Sequence[str] | None = None,
    today: date_type | None = None,
    settings: ScoreSettings | None = None,
    **knobs,
) -> pd.DataFrame:
    """Bootstrap band of the daily index: resample the events with replacement ``n_boot`` times.

    Because the pressure is linear in the events, a resample is scored by multiplying each event's
    push by the number of times it was drawn; every replicate reuses the same placement of events.

    Returns:
        ``pair``, ``date``, ``index`` (the point estimate), ``low`` and ``high`` (the quantiles of the
        index across replicates) and ``median``.
    """
    s = _settings(settings, **knobs)
    point = score_dyads(events, start=start, end=end, settings=s, pairs=pairs, today=today)
    if point.empty:
        return point.assign(
            low=pd.Series(dtype="float64"), high=pd.Series(dtype="float64"), median=pd.Series(dtype="float64")
        )[["pair", "date", "index", "low", "median", "high"]]
    weights = weigh_events(events, s)
    if pairs is not None:
        weights = weights[weights["key"].isin(list(pairs))].reset_index(drop=True)
    pieces = place_events(weights, s.spread)
    event_keys, keys = pd.factorize(weights["key"], sort=True)
    first_day = min(pieces["day"].min(), weights["date"].min())
    if start is not None:
        first_day = min(first_day, pd.Timestamp(start))
    last_day = point["date"].max()
    n_days = (last_day - first_day).days + 1
    rng = np.random.default_rng(seed)
    n = len(weights)
    stack = np.empty((n_boot, n_days, len(keys)))
    for b in range(n_boot):
        multiplier = np.bincount(rng.integers(0, n, n), minlength=n).astype("float64")
        matrix = score_daily_matrix(
            pieces, event_keys, len(keys), first_day, n_days, s.decay_rate, multiplier
        )
        stack[b] = to_index(matrix, s.k)
    lo, med, hi = np.quantile(stack, [quantiles[0], 0.5, quantiles[1]], axis=0)
    days = pd.date_range(first_day, periods=n_days, freq="D")
    band = pd.concat(
        {
            name: pd.DataFrame(arr, index=days, columns=list(keys)).stack()
            for name, arr in (("low", lo), ("median", med), ("high", hi))
        },
        axis=1,
    )
    band.index.names = ["date", "pair"]
    band = band.reset_index()
    band["pair"] = band["pair"].astype("string")
    band["date"] = band["date"].astype("datetime64[ns]")
    out = point.merge(band, on=["pair", "date"], how="left")
    return out[["pair", "date", "index", "low", "median", "high"]]


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

    Returns:
        One row per combination: ``half_life_days``, ``confidence_set``, ``peak_index``,
        ``peak_date``, ``last_index`` (at the last event of the dataset) and ``days_above_60``.
    """
    sets = confidence_sets or {
        "default (1 / 0.7 / 0.4)": CONFIDENCE_WEIGHTS,
        "equal (1 / 1 / 1)": {"confirmed": 1.0, "reported": 1.0, "alleged": 1.0},
        "confirmed only (1 / 0 / 0)": {"confirmed": 1.0, "reported": 0.0, "alleged": 0.0},
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
    return pd.DataFrame(
        rows,
        columns=[
            "half_life_days",
            "confidence_set",
            "peak_index",
            "peak_date",
            "last_index",
            "days_above_60",
        ],
    )


def rank_pairs(scores: pd.DataFrame, as_of: str | pd.Timestamp | None = None) -> pd.DataFrame:
    """Rank pairs by peak index, with the date of the peak and the index at ``as_of``.

    Args:
        scores: daily output of :func:`score_dyads`.
        as_of: the day of the "current" index (default: the last day of the scores).

    Returns:
        ``pair``, ``peak_index``, ``peak_date``, ``current_index``, ``n_events``, sorted by peak.
    """
    if scores.empty:
        return pd.DataFrame(columns=["pair", "peak_index", "peak_date", "current_index", "n_events"])
    at = pd.Timestamp(as_of) if as_of is not None else scores["date"].max()
    peak_rows = scores.loc[scores.groupby("pair")["index"].idxmax()]
    current = scores[scores["date"] <= at].sort_values("date").groupby("pair")["index"].last()
    counts = scores.groupby("pair")["n_events"].sum()
    out = pd.DataFrame(
        {
            "pair": peak_rows["pair"].to_numpy(),
            "peak_index": peak_rows["index"].to_numpy(),
            "peak_date": peak_rows["date"].to_numpy(),
        }
    )
    out["current_index"] = out["pair"].map(current).astype("float64")
    out["n_events"] = out["pair"].map(counts).astype("int64")
    return out.sort_values("peak_index", ascending=False).reset_index(drop=True)
