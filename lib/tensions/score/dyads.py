"""The pandas engine: weigh events, score every pair, explain a value, bootstrap a band."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date as date_type

import numpy as np
import pandas as pd

from tensions import reference
from tensions.names import check_pairs, normalise_pair, suggest
from tensions.schema import event_columns, require_columns
from tensions.score.kernel import (
    daily_matrix,
    event_sides,
    place_events,
    pushes_from_sums,
    score_pushes,
    to_index,
)
from tensions.score.settings import COMPONENTS, ScoreSettings, Spread, resolve_settings

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
_REQUIRED = event_columns(["event_id", "date", "actor", "target", "confidence"])


def pair_keys(actor: pd.Series, target: pd.Series, directed: bool) -> pd.Series:
    """Pair labels: ``RUS>AZE`` (directed) or the alphabetical ``AZE-RUS``."""
    a, b = actor.astype("string"), target.astype("string")
    if directed:
        return (a + ">" + b).astype("string")
    return (a.where(a <= b, b) + "-" + b.where(a <= b, a)).astype("string")


def weigh_events(
    events: pd.DataFrame, settings: ScoreSettings | Mapping | None = None, **knobs
) -> pd.DataFrame:
    """Resolve the weight of every event: Goldstein, confidence, importance and the pushes.

    Returns:
        One row per event with ``event_id``, ``key`` (the pair label used for scoring), ``date``,
        ``date_precision``, ``end_date``, ``goldstein``, ``confidence``, ``confidence_weight``,
        ``importance``, the pushes ``tension``, ``cooperation`` and ``net`` (also as ``push``), and the
        kernel's ``conflict``, ``cooperative`` and ``n``.

    Raises:
        ValueError: on a missing column, an unknown confidence level, a CAMEO code without weight in
            the chosen table, or a missing Goldstein value. The message names the events.
    """
    s = resolve_settings(settings, **knobs)
    require_columns(events.columns, _REQUIRED)
    out = pd.DataFrame(index=events.index)
    out["event_id"] = events["event_id"].astype("string")
    out["key"] = pair_keys(events["actor"], events["target"], s.directed)
    out["date"] = pd.to_datetime(events["date"]).dt.normalize().astype("datetime64[ns]")
    if out["date"].isna().any():
        raise ValueError(
            f"events without a date: {', '.join(out.loc[out['date'].isna(), 'event_id'].head(10))}"
        )
    out["date_precision"] = (
        events["date_precision"].astype("string")
        if "date_precision" in events
        else pd.Series("day", index=events.index, dtype="string")
    )
    out["end_date"] = (
        pd.to_datetime(events["end_date"]).astype("datetime64[ns]")
        if "end_date" in events
        else pd.Series(pd.NaT, index=events.index, dtype="datetime64[ns]")
    )
    out["goldstein"] = goldstein_weights(events, s)
    out["confidence"] = events["confidence"].astype("string")
    out["importance"] = _importance(events, s, out["event_id"])
    out["conflict"], out["cooperative"] = event_sides(out["goldstein"], out["importance"])
    out["n"] = 1
    out = pushes_from_sums(out.reset_index(drop=True), s)
    out["push"] = out["net"]
    return out


def _importance(events: pd.DataFrame, s: ScoreSettings, ids: pd.Series) -> pd.Series:
    if not s.importance_column:
        return pd.Series(1.0, index=events.index)
    if s.importance_column not in events.columns:
        raise ValueError(
            f"events lack the importance column {s.importance_column!r}; {suggest(s.importance_column, events.columns)}"
        )
    importance = pd.to_numeric(events[s.importance_column], errors="coerce")
    bad = importance.isna() | (importance < 0)
    if bad.any():
        raise ValueError(f"importance must be a non-negative number; check {', '.join(ids[bad].head(10))}")
    return importance.astype("float64")


def goldstein_weights(events: pd.DataFrame, s: ScoreSettings) -> pd.Series:
    """The Goldstein weight of each event: its own column, or the chosen table's weight of its code."""
    if s.goldstein_table is None:
        if "goldstein" not in events.columns:
            raise ValueError("events lack a goldstein column; choose a goldstein_table")
        values = pd.to_numeric(events["goldstein"], errors="coerce").astype("float64")
        bad = values.isna()
        if bad.any():
            ids = events.loc[bad, "event_id"].astype(str).head(10)
            raise ValueError(f"missing Goldstein weight for event(s) {', '.join(ids)}")
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


def check_future(weights: pd.DataFrame, today: date_type | None) -> None:
    """Raise when an event is dated after ``today`` (default: today's date)."""
    limit = pd.Timestamp(today or date_type.today())
    future = weights["date"] > limit
    if future.any():
        raise ValueError(
            f"{int(future.sum())} event(s) are dated after {limit.date()}: "
            f"{', '.join(weights.loc[future, 'event_id'].head(10))}; pass today=... to score a scenario"
        )


def select_pairs(weights: pd.DataFrame, pairs: Sequence[str] | None, directed: bool) -> pd.DataFrame:
    """The rows of the given pairs (any order and case); an unknown pair is an error."""
    if pairs is None:
        return weights
    wanted = check_pairs(pairs, weights["key"].unique(), directed)
    return weights[weights["key"].isin(wanted)].reset_index(drop=True)


#: The settings :func:`score_dyads` and :func:`explain` take as arguments (a ``None`` keeps ``settings``' own).
_SETTING_ARGUMENTS = (
    "half_life_days",
    "goldstein_table",
    "confidence_weights",
    "directed",
    "spread",
    "component",
    "k",
    "importance_column",
    "fallback_to_root",
)


def _settings_from_arguments(arguments: Mapping[str, object]) -> ScoreSettings:
    """Resolve a call's settings: its ``settings`` argument with its setting arguments that are not None."""
    knobs = {name: arguments[name] for name in _SETTING_ARGUMENTS}
    return resolve_settings(arguments["settings"], **knobs)


def score_dyads(
    events: pd.DataFrame,
    freq: str = "D",
    half_life_days: float | None = None,
    goldstein_table: str | None = None,
    confidence_weights: Mapping[str, float] | None = None,
    directed: bool | None = None,
    spread: Spread | None = None,
    start: str | pd.Timestamp | None = None,
    end: str | pd.Timestamp | None = None,
    how: str = "mean",
    *,
    component: str | None = None,
    k: float | None = None,
    importance_column: str | None = None,
    fallback_to_root: bool | None = None,
    pairs: Sequence[str] | None = None,
    today: date_type | None = None,
    settings: ScoreSettings | Mapping | None = None,
) -> pd.DataFrame:
    """Score every country pair over time.

    Args:
        events: events with at least ``event_id``, ``date``, ``actor``, ``target``, ``confidence`` and
            ``goldstein`` (or ``cameo_code`` with ``goldstein_table``); ``date_precision`` and
            ``end_date`` are used when present.
        freq: ``"D"`` daily, ``"W"`` weekly (weeks from Monday), ``"M"``/``"ME"`` monthly or
            ``"Q"``/``"QE"`` quarterly; a period is labelled by its first day.
        half_life_days: days after which an event's push is halved.
        goldstein_table: ``"gdelt"``, ``"icews"`` or ``"phoenix"`` looks each CAMEO code's weight up in
            that table instead of using the events' ``goldstein``.
        confidence_weights: weight per confidence level (the levels not given keep their defaults).
        directed: score ordered pairs (``RUS>AZE``) instead of undirected ones (``AZE-RUS``).
        spread: placement of month/year-precision events: ``"mid"``, ``"start"`` or ``"even"``.
        component: ``"tension"`` (the default), ``"cooperation"``, ``"net"`` or ``"all"``.
        k: scale of the index.
        importance_column: a column of the events with a non-negative importance weight.
        fallback_to_root: use the root code's weight when a CAMEO code has none in the chosen table.
        start: first day reported. By default the series run from the first to the last day with an
            event (or a piece of a month/year-precision event). Events before ``start`` still count,
            decayed.
        end: last day reported; by default the data's end, stated in ``attrs["end"]``.
        how: for weeks, months and quarters, how the daily pressure is summarised per period (``mean``,
            ``max`` or ``last``); the period's index is the index of that pressure.
        pairs: keep only these pairs (any order and case: ``rus-aze`` is ``AZE-RUS``); an unknown pair
            is an error naming the closest known ones.
        today: events after this day raise an error (default: today's date).
        settings: a :class:`ScoreSettings` to start from; the arguments above that are not ``None``
            override its fields (see :class:`ScoreSettings`).

    Returns:
        A long DataFrame with ``pair``, ``date``, ``pressure``, ``index`` and ``n_events`` (and
        ``component`` for ``component="all"``), sorted by pair and date; empty (with these columns) when
        the events are empty. ``attrs["settings"]`` holds the settings used.

    >>> ev = pd.DataFrame({"event_id": ["E1"], "date": [pd.Timestamp("2024-12-25")], "actor": ["RUS"],
    ...                    "target": ["AZE"], "confidence": ["confirmed"], "goldstein": [-10.0]})
    >>> s = score_dyads(ev, end="2025-01-24")
    >>> net = score_dyads(ev, component="net")
    >>> s.iloc[0]["pair"], round(float(s.iloc[0]["index"]), 9), round(float(net["index"].iloc[0]), 9)
    ('AZE-RUS', 50.0, 75.0)
    >>> round(float(s.iloc[-1]["pressure"]), 6)  # 30 days later: half the push
    5.0
    """
    s = _settings_from_arguments(locals())
    first = pd.Timestamp(start).normalize() if start is not None else None
    last = pd.Timestamp(end).normalize() if end is not None else None
    if events.empty:
        return score_pushes(events.iloc[:0], s, freq, first, last, how)
    weights = select_pairs(weigh_events(events, s), pairs, s.directed)
    check_future(weights, today)
    return score_pushes(weights, s, freq, first, last, how)


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
    component: str | None = None,
    k: float | None = None,
    importance_column: str | None = None,
    fallback_to_root: bool | None = None,
    today: date_type | None = None,
    settings: ScoreSettings | Mapping | None = None,
) -> pd.DataFrame:
    """Break a pair's pressure of one component at a date down into the events behind it.

    Pass the scores' own settings (``settings=scores.attrs["settings"]``) to explain a value drawn.
    Returns one row per event of the pair dated on or before ``date`` (for a spread event, the part of
    its period up to ``date``), with its ``push`` for the component, its age, its decay factor and its
    ``contribution`` to the pressure; ``share`` is the contribution divided by the pressure. Rows are
    sorted by the size of the contribution. ``contribution`` sums to the pressure that
    :func:`score_dyads` reports for that pair, day and component; ``df.attrs`` holds ``pressure``,
    ``index``, ``pair``, ``date``, ``component`` and ``settings``.

    Raises:
        ValueError: for an unknown pair (naming the closest ones), a directed label without
            ``directed=True``, or ``component="all"``.

    >>> ev = pd.DataFrame({"event_id": ["E1", "E2"], "date": pd.to_datetime(["2024-12-25", "2024-12-29"]),
    ...                    "actor": ["RUS", "AZE"], "target": ["AZE", "RUS"],
    ...                    "confidence": ["confirmed", "reported"], "goldstein": [-10.0, -2.0]})
    >>> ex = explain(ev, "rus-aze", "2025-01-24")
    >>> ex[["event_id", "contribution"]].round(3).values.tolist()
    [['E1', 5.0], ['E2', 0.768]]
    >>> round(ex.attrs["pressure"], 3)
    5.768
    """
    s = _settings_from_arguments(locals())
    if s.component == "all":
        raise ValueError(f"explain one component at a time: component= one of {', '.join(COMPONENTS)}")
    at = pd.Timestamp(date).normalize()
    label = normalise_pair(pair, s.directed)
    if events.empty:
        empty = pd.DataFrame({c: pd.Series(dtype="float64") for c in EXPLAIN_COLUMNS})
        empty.attrs.update(pair=label, date=at, pressure=0.0, index=float(to_index(0.0, s.k, s.component)))
        return empty
    weights = weigh_events(events, s)
    check_future(weights, today)
    mine = select_pairs(weights, [pair], s.directed)
    pieces = place_events(mine, s.spread)
    pieces = pieces[pieces["day"] <= at]
    age = (at - pieces["day"]).dt.days.to_numpy()
    push = mine[s.component].to_numpy("float64")
    amount = pieces["fraction"].to_numpy() * push[pieces["row"].to_numpy()]
    pieces = pieces.assign(contribution=amount * s.decay_rate**age)
    per_event = pieces.groupby("row")["contribution"].sum()
    rows = mine.loc[per_event.index]
    info = events.set_index(events["event_id"].astype("string")).loc[rows["event_id"]]
    out = pd.DataFrame(
        {
            "event_id": rows["event_id"].to_numpy(),
            "date": rows["date"].to_numpy(),
            "title": _col(info, "title"),
            "actor": _col(info, "actor"),
            "target": _col(info, "target"),
            "cameo_code": _col(info, "cameo_code"),
            "goldstein": rows["goldstein"].to_numpy(),
            "confidence": rows["confidence"].to_numpy(),
            "confidence_weight": rows["confidence_weight"].to_numpy(),
            "importance": rows["importance"].to_numpy(),
            "push": rows[s.component].to_numpy(),
            "age_days": (at - rows["date"]).dt.days.to_numpy(),
            "contribution": per_event.to_numpy(),
        }
    )
    if s.component != "net":  # events that do not push this component are left out
        out = out[out["push"] != 0]
    with np.errstate(divide="ignore", invalid="ignore"):
        out["decay"] = np.where(out["push"] != 0, out["contribution"] / out["push"], 0.0)
    total = float(out["contribution"].sum())
    out["share"] = out["contribution"] / total if total != 0 else 0.0
    out = out.reindex(out["contribution"].abs().sort_values(ascending=False, kind="stable").index)
    out = out[EXPLAIN_COLUMNS].reset_index(drop=True)
    out.attrs.update(
        pair=label,
        date=at,
        component=s.component,
        pressure=total,
        index=float(to_index(total, s.k, s.component)),
        settings=s.as_dict(),
        half_life_days=s.half_life_days,
        goldstein_table=s.goldstein_table or "events",
    )
    return out


def _col(frame: pd.DataFrame, name: str) -> np.ndarray:
    if name in frame.columns:
        return frame[name].astype("string").to_numpy()
    return np.full(len(frame), pd.NA, dtype=object)


def bootstrap_scores(
    events: pd.DataFrame,
    n_boot: int = 200,
    quantiles: tuple[float, float] = (0.05, 0.95),
    seed: int = 0,
    start: str | pd.Timestamp | None = None,
    end: str | pd.Timestamp | None = None,
    pairs: Sequence[str] | None = None,
    today: date_type | None = None,
    settings: ScoreSettings | Mapping | None = None,
    **knobs,
) -> pd.DataFrame:
    """Bootstrap band of the daily index of one component: resample the events ``n_boot`` times.

    Because the pressure is linear in the events, a resample is scored by multiplying each event's
    push by the number of times it was drawn; every replicate reuses the same placement of events.

    Returns:
        ``pair``, ``date``, ``index`` (the point estimate), ``low`` and ``high`` (the quantiles of the
        index across replicates) and ``median``; ``attrs["settings"]`` as :func:`score_dyads`.
    """
    s = resolve_settings(settings, **knobs)
    if s.component == "all":
        raise ValueError(f"bootstrap one component at a time: component= one of {', '.join(COMPONENTS)}")
    point = score_dyads(events, start=start, end=end, settings=s, pairs=pairs, today=today)
    columns = ["pair", "date", "index", "low", "median", "high"]
    if point.empty:
        out = point.assign(low=np.nan, high=np.nan, median=np.nan).astype({"low": "float64"})[columns]
        out.attrs.update(point.attrs)
        return out
    weights = select_pairs(weigh_events(events, s), pairs, s.directed)
    pieces = place_events(weights, s.spread)
    event_keys, keys = pd.factorize(weights["key"], sort=True)
    first_day = min(pieces["day"].min(), weights["date"].min())
    if start is not None:
        first_day = min(first_day, pd.Timestamp(start))
    n_days = (point["date"].max() - first_day).days + 1
    rng = np.random.default_rng(seed)
    n = len(weights)
    push = weights[s.component].to_numpy("float64")
    stack = np.empty((n_boot, n_days, len(keys)))
    for b in range(n_boot):
        multiplier = np.bincount(rng.integers(0, n, n), minlength=n).astype("float64")
        matrix = daily_matrix(
            pieces, push * multiplier, event_keys, len(keys), first_day, n_days, s.decay_rate
        )
        stack[b] = to_index(matrix, s.k, s.component)
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
    out = point.merge(band, on=["pair", "date"], how="left")[columns]
    out.attrs.update(point.attrs)
    return out
