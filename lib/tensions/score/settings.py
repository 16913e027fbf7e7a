"""The settings of the score: the one place where the default of every knob lives.

:class:`ScoreSettings` says how events are scored (they travel with the scores), :class:`ScoreRequest`
what a call reports (period, days, summary, pairs); :func:`resolve_call` splits an engine call's keyword
arguments between the two.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field, fields, replace
from typing import TYPE_CHECKING, Literal

from tensions import reference
from tensions.vocabulary import CONFIDENCE_LEVELS

if TYPE_CHECKING:
    import pandas as pd

Component = Literal["tension", "cooperation", "net"]
ComponentChoice = Literal["tension", "cooperation", "net", "all"]
Spread = Literal["mid", "start", "even"]
How = Literal["mean", "max", "last"]

#: The components of a score, in the order of ``component="all"``.
COMPONENTS: tuple[str, ...] = ("tension", "cooperation", "net")
#: How a month- or year-precision event is placed in its period.
SPREADS: tuple[str, ...] = ("mid", "start", "even")
#: Default confidence weights.
CONFIDENCE_WEIGHTS: dict[str, float] = dict(zip(CONFIDENCE_LEVELS, (1.0, 0.7, 0.4), strict=True))
#: Default half-life in days.
HALF_LIFE_DAYS: float = 30.0
#: Scale of the index: one confirmed -10 event gives tanh(10 / k) = 0.5 (net index 75, tension index 50).
K_DEFAULT: float = 10.0 / math.atanh(0.5)
#: Length of the analysis window (rankings, alerts, latest figures), in years up to the data's end.
WINDOW_YEARS: float = 5.0


@dataclass(frozen=True)
class ScoreSettings:
    """Every knob of the score. Scores carry theirs in ``scores.attrs["settings"]``.

    Attributes:
        half_life_days: days after which an event's push is halved.
        goldstein_table: ``None`` uses the events' own ``goldstein`` column; ``"gdelt"``, ``"icews"`` or
            ``"phoenix"`` looks the weight of each CAMEO code up in that reference table.
        confidence_weights: weight per confidence level.
        importance_column: optional column of the events with a non-negative importance weight.
        directed: score ordered pairs (``RUS>AZE``) instead of undirected ones (``AZE-RUS``).
        spread: placement of month/year-precision events: ``"mid"`` (default) the whole push on the
            middle day of the period, ``"start"`` on its first day, ``"even"`` spread over its days.
        k: scale of the index (see :data:`K_DEFAULT`).
        fallback_to_root: when a CAMEO code has no weight in the chosen table, use its root code's
            weight instead of raising an error.
        component: ``"tension"`` (conflict events, CAMEO roots 09-20), ``"cooperation"`` (roots 01-08),
            ``"net"`` (the signed sum of both) or ``"all"`` (the three, with a ``component`` column).
        window_years: the analysis window of rankings, alerts and latest figures, in years up to the
            data's end; events before it are background.
    """

    half_life_days: float = HALF_LIFE_DAYS
    goldstein_table: str | None = None
    confidence_weights: Mapping[str, float] = field(default_factory=lambda: dict(CONFIDENCE_WEIGHTS))
    importance_column: str | None = None
    directed: bool = False
    spread: Spread = "mid"
    k: float = K_DEFAULT
    fallback_to_root: bool = False
    component: ComponentChoice = "tension"
    window_years: float = WINDOW_YEARS

    def __post_init__(self) -> None:
        if not (self.half_life_days > 0 and math.isfinite(self.half_life_days)):
            raise ValueError(f"half_life_days must be a positive number, got {self.half_life_days!r}")
        if not self.k > 0:
            raise ValueError(f"k must be positive, got {self.k!r}")
        if self.spread not in SPREADS:
            raise ValueError(f"spread must be one of {', '.join(SPREADS)}, got {self.spread!r}")
        if self.component not in (*COMPONENTS, "all"):
            raise ValueError(
                f"component must be one of {', '.join(COMPONENTS)} or 'all', got {self.component!r}"
            )
        if self.goldstein_table not in (None, *reference.GOLDSTEIN_TABLES):
            raise ValueError(f"unknown Goldstein table {self.goldstein_table!r}")
        missing = [level for level in CONFIDENCE_LEVELS if level not in self.confidence_weights]
        if missing:
            raise ValueError(f"confidence_weights lacks a weight for {', '.join(sorted(missing))}")
        if any(not (0 <= float(v) <= 10) for v in self.confidence_weights.values()):
            raise ValueError("confidence weights must lie in [0, 10]")
        if not self.window_years > 0:
            raise ValueError(f"window_years must be positive, got {self.window_years!r}")

    @property
    def decay_rate(self) -> float:
        """Daily decay factor ``r = 2 ** (-1 / h)``."""
        return 2.0 ** (-1.0 / self.half_life_days)

    @property
    def components(self) -> tuple[str, ...]:
        """The components scored: one, or the three for ``"all"``."""
        return COMPONENTS if self.component == "all" else (self.component,)

    def describe(self) -> str:
        """One line naming every setting, for captions and logs.

        >>> ScoreSettings().describe()[:45]
        'component tension, half-life 30 days, weights'
        """
        weights = "/".join(f"{float(v):g}" for v in self.confidence_weights.values())
        return (
            f"component {self.component}, half-life {self.half_life_days:g} days, weights "
            f"{self.goldstein_table or 'events'}, confidence {weights}, imprecise dates {self.spread}"
            + (", directed" if self.directed else "")
            + (f", importance {self.importance_column}" if self.importance_column else "")
        )

    def as_dict(self) -> dict:
        """The settings as a plain dict (e.g. to write next to exported data)."""
        out = asdict(self)
        out["confidence_weights"] = dict(self.confidence_weights)
        return out


def resolve_settings(settings: ScoreSettings | Mapping | None = None, **knobs) -> ScoreSettings:
    """``settings`` (or the defaults) with the knobs that are not ``None`` replaced.

    ``settings`` may be the plain dict scores carry in ``attrs["settings"]``. Partial
    ``confidence_weights`` override the defaults level by level.

    >>> resolve_settings(half_life_days=7.0, k=None).half_life_days
    7.0
    """
    if isinstance(settings, Mapping):  # as scores carry them in attrs (a plain dict, JSON-friendly)
        settings = ScoreSettings(**settings)
    base = settings or ScoreSettings()
    knobs = {key: value for key, value in knobs.items() if value is not None}
    unknown = set(knobs) - set(ScoreSettings.__dataclass_fields__)
    if unknown:
        raise TypeError(f"unknown scoring setting(s) {', '.join(sorted(unknown))}")
    if "confidence_weights" in knobs:
        knobs["confidence_weights"] = {**CONFIDENCE_WEIGHTS, **knobs["confidence_weights"]}
    return replace(base, **knobs)


@dataclass(frozen=True)
class ScoreRequest:
    """What a score call reports, apart from how the events are scored (:class:`ScoreSettings`).

    The engines (``score_dyads_duckdb``, ``score_dyads_spark``) take one, or its fields as keywords, and hand
    it to :func:`tensions.score.kernel.score_sums`.

    Attributes:
        freq: the period: ``D``, ``W``, ``M`` or ``Q`` (as for ``score_dyads``).
        start: the first day reported, as for ``score_dyads``.
        end: the last day reported, as for ``score_dyads``.
        how: how a period's daily pressure is summarised (``mean``, ``max`` or ``last``).
        pairs: keep only these pairs (by default every pair), as for ``score_dyads``.
    """

    freq: str = "D"
    start: str | pd.Timestamp | None = None
    end: str | pd.Timestamp | None = None
    how: How = "mean"
    pairs: Sequence[str] | None = None


def resolve_call(
    settings: ScoreSettings | Mapping | None = None,
    request: ScoreRequest | None = None,
    **options,
) -> tuple[ScoreSettings, ScoreRequest]:
    """Split an engine call's keyword arguments into how it scores and what it reports.

    Args:
        settings: the settings to start from (see :func:`resolve_settings`).
        request: the request to start from (default: :class:`ScoreRequest`'s defaults).
        **options: fields of :class:`ScoreRequest` (``freq``, ``start``, ``end``, ``how``, ``pairs``) and of
            :class:`ScoreSettings`; those that are not ``None`` replace the ones given.

    Returns:
        The settings and the request.

    Raises:
        TypeError: ``request`` is not a :class:`ScoreRequest`, or an option is neither a request field nor
            a setting.

    >>> s, r = resolve_call(None, freq="W", half_life_days=7.0, pairs=None)
    >>> r.freq, r.how, s.half_life_days
    ('W', 'mean', 7.0)
    """
    if request is not None and not isinstance(request, ScoreRequest):
        raise TypeError(f"request must be a ScoreRequest, got {type(request).__name__}")
    names = {f.name for f in fields(ScoreRequest)}
    asked = {key: value for key, value in options.items() if key in names and value is not None}
    knobs = {key: value for key, value in options.items() if key not in names}
    return resolve_settings(settings, **knobs), replace(request or ScoreRequest(), **asked)
