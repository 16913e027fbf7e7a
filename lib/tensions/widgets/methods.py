"""The scores the dashboard can draw, each with the explanation that adds up to the value drawn.

A :class:`ScoreMethod` says how to score the selected events inside the window, which column holds the
value drawn, and how to break one value down into the events behind it. The score control lists
:data:`METHODS`; a new way of scoring (or a variant of one, e.g. the tension or the cooperation component
of the index) is one more entry here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import pandas as pd

from tensions import scoring

if TYPE_CHECKING:
    from tensions.widgets.state import Settings

BREAKDOWN_COLUMNS = ["event_id", "date", "title", "goldstein", "confidence", "contribution"]


@dataclass(frozen=True)
class ScoreMethod:
    """One score the dashboard can draw.

    Attributes:
        key: its name in the settings.
        label: its name on the control.
        column: the score column drawn.
        what: what one value is (``"pressure"`` ...), as the explanation says it.
        axis_title: the y axis title.
        uses_half_life: whether the half-life changes it.
        score: ``(selection, settings) -> scores`` inside the window (``pair``, ``date``, ``column`` ...).
        explain: ``(selection, pair, day, settings, events_by_id) -> breakdown`` (see
            :meth:`DashboardState.explain_point`).
        component: the index component drawn (``"tension"``, ``"cooperation"``, ``"net"``); ``None`` for
            a baseline that is not the index.
    """

    key: str
    label: str
    column: str
    what: str
    axis_title: str
    uses_half_life: bool
    score: Callable[[pd.DataFrame, Settings], pd.DataFrame]
    explain: Callable[[pd.DataFrame, str, pd.Timestamp, Settings, pd.DataFrame], pd.DataFrame]
    component: str | None = None


def _in_window(frame: pd.DataFrame, settings: Settings) -> pd.DataFrame:
    return frame[(frame["date"] >= settings.start) & (frame["date"] <= settings.end)].reset_index(drop=True)


def score_component(component: str) -> Callable[[pd.DataFrame, Settings], pd.DataFrame]:
    """The scorer of one index component: every chosen pair's daily index inside the window."""

    def score(selection: pd.DataFrame, settings: Settings) -> pd.DataFrame:
        return scoring.score_dyads(
            selection, start=settings.start, end=settings.end, component=component, **settings.knobs
        )

    return score


def score_mean(selection: pd.DataFrame, settings: Settings) -> pd.DataFrame:
    """GDELT-style daily mean Goldstein inside the window."""
    return _in_window(scoring.score_gdelt_mean(selection, goldstein_table=settings.goldstein_table), settings)


def score_cumulative(selection: pd.DataFrame, settings: Settings) -> pd.DataFrame:
    """Cumulative push since the first event, shown inside the window."""
    return _in_window(scoring.score_cumulative(selection, goldstein_table=settings.goldstein_table), settings)


def explain_component(component: str) -> Callable:
    """The explanation of one index component: the events behind ``pair``'s pressure on ``day``."""

    def explain(selection, pair, day, settings, _by_id) -> pd.DataFrame:
        out = scoring.explain(selection, pair, day, component=component, **settings.knobs)
        out.attrs["value"] = out.attrs["pressure"]
        return out

    return explain


def index_method(key: str, label: str, component: str) -> ScoreMethod:
    """A :class:`ScoreMethod` drawing one component of the decayed index."""
    return ScoreMethod(
        key,
        label,
        "index_value",
        f"{component} pressure",
        f"{component} index",
        True,
        score_component(component),
        explain_component(component),
        component=component,
    )


def _explain_weights(mine: pd.DataFrame, contribution: pd.Series, by_id: pd.DataFrame, pair, day):
    info = by_id.loc[mine["event_id"]]
    out = pd.DataFrame(
        {
            "event_id": mine["event_id"].to_numpy(),
            "date": mine["date"].to_numpy(),
            "title": info["title"].astype("string").to_numpy() if "title" in info else "",
            "goldstein": mine["goldstein"].to_numpy(),
            "confidence": info["confidence"].astype("string").to_numpy(),
            "contribution": contribution.to_numpy(),
        }
    )
    out = out.reindex(out["contribution"].abs().sort_values(ascending=False, kind="stable").index)
    out = out.reset_index(drop=True)
    out.attrs.update(pair=pair, date=day, value=float(out["contribution"].sum()))
    return out


def explain_mean(selection, pair, day, settings, by_id) -> pd.DataFrame:
    """Each event of ``pair`` on ``day`` contributes its Goldstein weight over the day's count."""
    weights = scoring.weigh_events(selection, goldstein_table=settings.goldstein_table)
    mine = weights[(weights["key"] == pair) & (weights["date"] == day)]
    return _explain_weights(mine, mine["goldstein"] / max(len(mine), 1), by_id, pair, day)


def explain_cumulative(selection, pair, day, settings, by_id) -> pd.DataFrame:
    """Each event of ``pair`` up to ``day`` contributes its push."""
    weights = scoring.weigh_events(selection, goldstein_table=settings.goldstein_table)
    mine = weights[(weights["key"] == pair) & (weights["date"] <= day)]
    return _explain_weights(mine, mine["push"], by_id, pair, day)


METHODS: dict[str, ScoreMethod] = {
    method.key: method
    for method in (
        index_method("index", "Tension index", "tension"),
        index_method("cooperation", "Cooperation index", "cooperation"),
        index_method("net", "Net index", "net"),
        ScoreMethod(
            "gdelt",
            "GDELT-style daily mean",
            "mean_goldstein",
            "mean Goldstein",
            "mean Goldstein (lower = more conflict)",
            False,
            score_mean,
            explain_mean,
        ),
        ScoreMethod(
            "cumulative",
            "Cumulative push",
            "cumulative",
            "cumulative push",
            "cumulative push",
            False,
            score_cumulative,
            explain_cumulative,
        ),
    )
}


def empty_scores(method: str) -> pd.DataFrame:
    """A scores table with no row, with the columns ``method`` draws."""
    return pd.DataFrame(columns=["pair", "date", METHODS[method].column, "n_events"])
