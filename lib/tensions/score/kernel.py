"""The kernel every engine shares.

It holds the components of a push, the placement of events in time, the decay and the index formula.

An engine (pandas, DuckDB, Spark) only has to produce the *sums table*: one row per pair label ``key``,
``date``, ``date_precision``, ``end_date`` and ``confidence`` with ``conflict`` (the sum of
``m * max(-g, 0)`` of its events), ``cooperative`` (the sum of ``m * max(g, 0)``) and ``n`` (the number of
events); for the pandas engine that is one row per event. :func:`pushes_from_sums` applies the confidence
weights, :func:`place_events` puts each push on its day(s) and :func:`score_pushes` decays and indexes them.

Components: an event's *tension* push is ``m * c * max(-g, 0)`` and its *cooperation* push
``m * c * max(g, 0)`` (both >= 0); the *net* push is their difference ``m * c * (-g)``, so net pressure is
tension pressure minus cooperation pressure, exactly.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa

from tensions.names import check_pairs
from tensions.periods import event_period_end
from tensions.score.settings import K_DEFAULT, ScoreRequest, ScoreSettings

SCORE_COLUMNS: list[str] = ["pair", "date", "pressure", "index_value", "n_events"]
#: Columns of the sums table an engine hands to the kernel.
SUMS_COLUMNS: list[str] = [
    "key",
    "date",
    "date_precision",
    "end_date",
    "confidence",
    "conflict",
    "cooperative",
    "n",
]
#: Frequencies accepted by ``score_dyads`` and the period each stands for (labelled by its first day).
FREQS: dict[str, str] = {"D": "D", "W": "W-SUN", "M": "M", "ME": "M", "Q": "Q", "QE": "Q"}


def to_index(pressure, k: float = K_DEFAULT, component: str = "net"):
    """Map pressure to the 0..100 index of a component.

    Net pressure is signed: ``50 + 50 * tanh(P / k)`` (50 neutral, 100 most tense, 0 most cooperative).
    Tension and cooperation are >= 0: ``100 * tanh(P / k)`` (0 none, 100 saturated). With the default k,
    one confirmed event weighted -10 gives net 75 and tension 50 on its day.

    >>> round(float(to_index(10.0)), 6), round(float(to_index(10.0, component="tension")), 6)
    (75.0, 50.0)
    """
    values = pressure if isinstance(pressure, pd.Series) else np.asarray(pressure, dtype="float64")
    if component == "net":
        return 50.0 + 50.0 * np.tanh(values / k)
    return 100.0 * np.tanh(values / k)


def neutral_index(component: str) -> float:
    """The index of a pair without events: 50 for net, 0 for tension and cooperation."""
    return 50.0 if component == "net" else 0.0


def event_sides(goldstein: pd.Series, importance: pd.Series | float = 1.0) -> tuple[pd.Series, pd.Series]:
    """``(conflict, cooperative)``: ``m * max(-g, 0)`` and ``m * max(g, 0)`` of each event."""
    return importance * (-goldstein).clip(lower=0.0), importance * goldstein.clip(lower=0.0)


def pushes_from_sums(sums: pd.DataFrame, s: ScoreSettings) -> pd.DataFrame:
    """Apply the confidence weights: add ``confidence_weight``, ``tension``, ``cooperation`` and ``net``.

    Raises:
        ValueError: on a confidence level without a weight.
    """
    confidence = sums["confidence"].astype("string")
    weight = confidence.map(dict(s.confidence_weights)).astype("float64")
    bad = weight.isna()
    if bad.any():
        ids = sums.loc[bad, "event_id"].astype(str).head(10).tolist() if "event_id" in sums else []
        raise ValueError(
            f"unknown confidence level(s) {sorted(set(confidence[bad].astype(str)))}"
            + (f" for event(s) {', '.join(ids)}" if ids else "")
        )
    out = sums.assign(confidence_weight=weight.to_numpy())
    out["tension"] = weight * sums["conflict"]
    out["cooperation"] = weight * sums["cooperative"]
    out["net"] = out["tension"] - out["cooperation"]
    return out


def place_events(weights: pd.DataFrame, spread: str = "mid") -> pd.DataFrame:
    """Place each row's push on days: one day for day precision; for month/year precision, by ``spread``.

    ``"mid"`` puts the whole push on the middle day of the period, ``"start"`` on its first day, ``"even"``
    spreads it evenly over its days. For an imprecise date an explicit ``end_date`` is the last day of the
    period (it narrows or widens it, e.g. "between February and 24 March"); a day-precision event counts
    on its first day whatever its ``end_date``.

    Returns:
        One row per piece: ``row`` (position in ``weights``), ``day`` and ``fraction`` (of the row's push);
        the fractions of a row sum to 1.

    >>> w = pd.DataFrame({"date": [pd.Timestamp("2024-02-01")], "date_precision": ["month"],
    ...                   "end_date": [pd.NaT]})
    >>> len(place_events(w, "even")), str(place_events(w)["day"].iloc[0].date())
    (29, '2024-02-15')
    """
    start = pd.to_datetime(weights["date"]).reset_index(drop=True)
    precision = weights["date_precision"].reset_index(drop=True)
    end = event_period_end(start, precision, pd.to_datetime(weights["end_date"]).reset_index(drop=True))
    end = end.where(end >= start, start)
    n_days = ((end - start).dt.days + 1).to_numpy()
    if spread in ("mid", "start"):
        offset = (n_days - 1) // 2 if spread == "mid" else np.zeros_like(n_days)
        day = start + pd.to_timedelta(offset, unit="D")
        return pd.DataFrame({"row": np.arange(len(start)), "day": day.to_numpy(), "fraction": 1.0})
    rows = np.repeat(np.arange(len(start)), n_days)
    offsets = np.arange(len(rows)) - np.repeat(np.cumsum(n_days) - n_days, n_days)
    day = start.to_numpy()[rows] + offsets.astype("timedelta64[D]")
    return pd.DataFrame({"row": rows, "day": day, "fraction": (1.0 / n_days)[rows]})


def decay_daily(amounts: np.ndarray, rate: float) -> np.ndarray:
    """Decay daily pushes along axis 0: ``y[t] = rate * y[t-1] + x[t]`` (a first-order IIR filter).

    pandas' exponentially weighted mean (``adjust=False``, compiled) computes
    ``m[t] = (1 - a) * m[t-1] + a * x[t]``; with ``a = 1 - rate`` and a zero row in front, ``y = m / a``.
    (scipy's ``lfilter`` gives the same to ~1e-15 but costs a second of imports when a notebook opens.)

    >>> decay_daily(np.array([[4.0], [0.0], [0.0]]), 0.5).ravel().tolist()
    [4.0, 2.0, 1.0]
    """
    values = np.asarray(amounts, dtype="float64")
    if values.shape[0] == 0 or rate == 0.0:
        return values.copy()
    alpha = 1.0 - rate
    if alpha <= 0.0:  # no decay: a running sum
        return np.cumsum(values, axis=0)
    columns = values.reshape(values.shape[0], -1)
    padded = np.vstack([np.zeros((1, columns.shape[1])), columns])
    mean = pd.DataFrame(padded).ewm(alpha=alpha, adjust=False).mean().to_numpy()
    return (mean[1:] / alpha).reshape(values.shape)


def daily_matrix(
    pieces: pd.DataFrame,
    pushes: np.ndarray,
    event_keys: np.ndarray,
    n_keys: int,
    first_day: pd.Timestamp,
    n_days: int,
    rate: float,
) -> np.ndarray:
    """Pressure matrix (days × pairs) from placed pieces and one push per row (already multiplied)."""
    row = pieces["row"].to_numpy()
    day_pos = ((pieces["day"].to_numpy() - np.datetime64(first_day, "ns")) // np.timedelta64(1, "D")).astype(
        int
    )
    amounts = pieces["fraction"].to_numpy() * pushes[row]
    keep = (day_pos >= 0) & (day_pos < n_days)
    cell = day_pos[keep] * n_keys + event_keys[row][keep]
    daily = np.bincount(cell, weights=amounts[keep], minlength=n_days * n_keys).reshape(n_days, n_keys)
    return decay_daily(daily, rate)


def period_labels(days: pd.DatetimeIndex, freq: str) -> pd.DatetimeIndex:
    """The first day of the period (week from Monday, month, quarter) of each day."""
    return days.to_period(FREQS[freq]).start_time


def check_freq(freq: str, how: str) -> None:
    """Raise a clear error for an unknown frequency or summary."""
    if freq not in FREQS:
        raise ValueError(f"freq must be one of {', '.join(FREQS)}, got {freq!r}")
    if how not in ("mean", "max", "last"):
        raise ValueError(f"how must be 'mean', 'max' or 'last', got {how!r}")


def empty_scores(components: tuple[str, ...] = ("tension",)) -> pd.DataFrame:
    """The empty score table (with ``component`` when several components are asked for)."""
    out = pd.DataFrame(
        {
            "pair": pd.Series(dtype="string"),
            "date": pd.Series(dtype="datetime64[ns]"),
            "pressure": pd.Series(dtype="float64"),
            "index_value": pd.Series(dtype="float64"),
            "n_events": pd.Series(dtype="int64"),
        }
    )
    return out.assign(component=pd.Series(dtype="string")) if len(components) > 1 else out


def score_pushes(
    pushes: pd.DataFrame,
    s: ScoreSettings,
    freq: str = "D",
    start: pd.Timestamp | None = None,
    end: pd.Timestamp | None = None,
    how: str = "mean",
) -> pd.DataFrame:
    """Scores of every pair from the output of :func:`pushes_from_sums`: the last step of every engine.

    Args:
        pushes: rows with ``key``, ``date``, ``date_precision``, ``end_date``, ``n`` and one column per
            component.
        s: the settings (half-life, placement, k and the component(s)).
        freq: a key of :data:`FREQS`.
        start: the first day reported (default: the first day with an event or a piece of one). Events
            before it still count, decayed.
        end: the last day reported (default: the last day with an event or a piece of one). Events after
            it do not count.
        how: for weeks, months and quarters, how the daily pressure is summarised per period.

    Returns:
        :data:`SCORE_COLUMNS` (plus ``component`` for ``"all"``), pair-major, with ``attrs`` ``settings``,
        ``component``, ``freq``, ``start`` and ``end``.
    """
    check_freq(freq, how)
    components = s.components
    if pushes.empty:
        return _with_attrs(empty_scores(components), s, freq, None, None)
    pushes = pushes.reset_index(drop=True)
    pieces = place_events(pushes, s.spread)
    dates = pd.to_datetime(pushes["date"])
    first_day = min(pieces["day"].min(), dates.min())
    if start is not None:
        first_day = min(first_day, start)
    last_day = end if end is not None else max(pieces["day"].max(), dates.max())
    report_from = start if start is not None else first_day
    if last_day < report_from:
        return _with_attrs(empty_scores(components), s, freq, report_from, last_day)
    event_keys, keys = pd.factorize(pushes["key"], sort=True)
    n_days = (last_day - first_day).days + 1
    days = pd.date_range(first_day, periods=n_days, freq="D")
    counts = np.zeros((n_days, len(keys)), dtype="int64")
    day_pos = (dates - first_day).dt.days.to_numpy()
    ok = (day_pos >= 0) & (day_pos < n_days)
    np.add.at(counts, (day_pos[ok], event_keys[ok]), pushes["n"].to_numpy(dtype="int64")[ok])
    skip = (report_from - first_day).days
    counts, days = counts[skip:], days[skip:]
    if freq != "D":
        labels = period_labels(days, freq)
        counts = pd.DataFrame(counts).groupby(labels).sum().to_numpy()
    matrices = []
    for component in components:
        pushes_c = pushes[component].to_numpy("float64")
        matrix = daily_matrix(pieces, pushes_c, event_keys, len(keys), first_day, n_days, s.decay_rate)[skip:]
        out_days = days
        if freq != "D":
            wide = getattr(pd.DataFrame(matrix).groupby(labels), how)()
            matrix, out_days = wide.to_numpy(), pd.DatetimeIndex(wide.index)
        matrices.append(matrix)
    if len(components) == 1:
        out = long_scores(matrices[0], counts, out_days, keys, s.k, components[0])
    else:
        out = _long_components(matrices, counts, out_days, keys, s.k, components)
    return _with_attrs(out, s, freq, report_from, last_day)


def _long_components(
    matrices: list[np.ndarray],
    counts: np.ndarray,
    days: pd.DatetimeIndex,
    keys,
    k: float,
    components: tuple[str, ...],
) -> pd.DataFrame:
    """Days × pairs matrices of several components to one long table, pair-major, then component, then date."""
    n_days, n_keys = counts.shape
    n_comp = len(components)
    pressure = np.stack(matrices)  # components × days × pairs
    for i, component in enumerate(components):
        if component != "net":
            pressure[i] = np.maximum(pressure[i], 0.0)
    index = np.stack([to_index(pressure[i], k, c) for i, c in enumerate(components)])
    order = (2, 0, 1)  # pairs × components × days
    return pd.DataFrame(
        {
            "pair": _labels(keys, np.repeat(np.arange(n_keys), n_comp * n_days)),
            "date": np.tile(days.to_numpy().astype("datetime64[ns]"), n_keys * n_comp),
            "pressure": pressure.transpose(order).ravel(),
            "index_value": index.transpose(order).ravel(),
            "n_events": np.repeat(counts.T[:, None, :], n_comp, axis=1).ravel().astype("int64"),
            "component": _labels(components, np.tile(np.repeat(np.arange(n_comp), n_days), n_keys)),
        }
    )


def long_scores(
    pressure: np.ndarray,
    counts: np.ndarray,
    days: pd.DatetimeIndex,
    keys,
    k: float,
    component: str = "net",
) -> pd.DataFrame:
    """Days × pairs matrices to the long, pair-major table of :data:`SCORE_COLUMNS`."""
    n_days, n_keys = pressure.shape
    flat = pressure.T.ravel()
    if component != "net":
        flat = np.maximum(flat, 0.0)  # a sum of non-negative pushes: only rounding can dip below 0
    return pd.DataFrame(
        {
            "pair": _labels(keys, np.repeat(np.arange(n_keys), n_days)),
            "date": np.tile(days.to_numpy().astype("datetime64[ns]"), n_keys),
            "pressure": flat,
            "index_value": to_index(flat, k, component),
            "n_events": counts.T.ravel().astype("int64"),
        }
    )


def _labels(names, codes: np.ndarray) -> pd.api.extensions.ExtensionArray:
    """``names[codes]`` as a string array, taken in Arrow (much faster than from Python strings)."""
    table = pa.array([str(n) for n in names], type=pa.string())
    return pd.array(table.take(pa.array(codes, type=pa.int64())), dtype="string")


def _with_attrs(frame: pd.DataFrame, s: ScoreSettings, freq: str, start, end) -> pd.DataFrame:
    frame.attrs.update(
        settings=s.as_dict(),
        component=s.component,
        freq=freq,
        start=None if start is None else str(start.date()),
        end=None if end is None else str(end.date()),
    )
    return frame


def typed_sums(sums: pd.DataFrame) -> pd.DataFrame:
    """Return a sums table as the kernel expects it (pandas dtypes, whatever the engine returned)."""
    out = (
        pd.DataFrame({c: sums[c] for c in SUMS_COLUMNS}) if len(sums) else sums.reindex(columns=SUMS_COLUMNS)
    )
    out["key"] = out["key"].astype("string")
    out["date"] = pd.to_datetime(out["date"]).astype("datetime64[ns]")
    out["end_date"] = pd.to_datetime(out["end_date"]).astype("datetime64[ns]")
    out["date_precision"] = out["date_precision"].astype("string")
    out["confidence"] = out["confidence"].astype("string")
    out["conflict"] = out["conflict"].astype("float64")
    out["cooperative"] = out["cooperative"].astype("float64")
    out["n"] = out["n"].astype("int64")
    return out.reset_index(drop=True)


def score_sums(sums: pd.DataFrame, s: ScoreSettings, request: ScoreRequest) -> pd.DataFrame:
    """Score a sums table an engine built (DuckDB, Spark): the chosen pairs, weighed, placed, decayed, indexed.

    Args:
        sums: the engine's sums table (:data:`SUMS_COLUMNS`, any dtypes).
        s: the settings.
        request: what is reported: the period, first and last day, summary and pairs.

    Returns:
        The same table as ``score_dyads`` with the same settings.
    """
    sums = typed_sums(sums)
    if request.pairs is not None:
        sums = sums[sums["key"].isin(check_pairs(request.pairs, sums["key"].unique(), s.directed))]
    first = pd.Timestamp(request.start).normalize() if request.start is not None else None
    last = pd.Timestamp(request.end).normalize() if request.end is not None else None
    return score_pushes(pushes_from_sums(sums, s), s, request.freq, first, last, request.how)
