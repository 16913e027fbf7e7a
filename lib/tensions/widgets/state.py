"""What the dashboard shows, apart from how: its settings and the events and scores they select.

:class:`Settings` is what the controls describe; :class:`DashboardState` turns settings into the chosen
pairs' events (``context``), those that pass the filters (``selection``), the scores drawn and the events
inside the window (``shown``). :meth:`DashboardState.apply` recomputes only what a change of settings
touches and says what it recomputed, so the view can redraw no more than that.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, fields

import pandas as pd

from tensions.schema import event_columns, require_columns
from tensions.score.settings import ScoreSettings
from tensions.select import filter_events
from tensions.vocabulary import levels_at_least
from tensions.widgets.methods import METHODS, empty_scores

REQUIRED_COLUMNS = event_columns(
    ["event_id", "date", "actor", "target", "goldstein", "confidence", "quad_class", "pair"]
)
#: What each setting feeds: the chosen pairs' events, the filtered selection, the scores, the window.
CHANGES = {
    "pairs": {"context", "selection", "scores", "shown"},
    "themes": {"selection", "scores", "shown"},
    "quads": {"selection", "scores", "shown"},
    "min_confidence": {"selection", "scores", "shown"},
    "start": {"scores", "shown"},
    "end": {"scores", "shown"},
    "half_life_days": {"scores"},
    "goldstein_table": {"scores"},
    "method": {"scores"},
}


@dataclass(frozen=True)
class Settings:
    """Everything the controls set.

    Attributes:
        pairs: the pairs drawn.
        start, end: first and last day of the window.
        themes: keep events with one of these themes (``None``: every event).
        quads: keep these quad classes (``None``: all four).
        min_confidence: the least certain confidence level kept.
        half_life_days: the index's half-life.
        goldstein_table: the Goldstein weights (``None``: the events' own).
        method: the score drawn, a key of :data:`tensions.widgets.methods.METHODS`.
    """

    pairs: tuple[str, ...]
    start: pd.Timestamp
    end: pd.Timestamp
    themes: tuple[str, ...] | None = None
    quads: tuple[int, ...] | None = None
    min_confidence: str = "alleged"
    half_life_days: float = ScoreSettings().half_life_days
    goldstein_table: str | None = None
    method: str = "index"

    @property
    def knobs(self) -> dict:
        """The scoring settings, as keyword arguments of ``score_dyads`` and ``explain``."""
        return {"half_life_days": float(self.half_life_days), "goldstein_table": self.goldstein_table}

    def changed(self, other: Settings | None) -> set[str]:
        """Names of the settings that differ from ``other`` (every name when there is none)."""
        names = [f.name for f in fields(self)]
        return set(names) if other is None else {n for n in names if getattr(self, n) != getattr(other, n)}


def check_events(events: pd.DataFrame) -> None:
    """Refuse an events table the dashboard cannot show, saying why."""
    require_columns(events.columns, REQUIRED_COLUMNS, "the events table lacks")
    if events.empty:
        raise ValueError("the dashboard needs at least one event")


def check_pairs(pairs: list[str] | tuple[str, ...], known: list[str]) -> None:
    """Refuse pairs that are not in the events table, naming the closest known ones."""
    for pair in pairs:
        if pair not in known:
            close = difflib.get_close_matches(str(pair), known, n=3, cutoff=0.5)
            hint = (
                f"; closest: {', '.join(close)}" if close else f"; known pairs include {', '.join(known[:5])}"
            )
            raise ValueError(f"no events for the pair {pair!r}{hint}")


class DashboardState:
    """The events behind the dashboard and what the current settings select from them.

    Args:
        events: events with the curated columns (``load_events`` or ``read_events`` output).

    Attributes:
        events: every event (index reset; a ``themes`` column added empty when missing).
        context: the chosen pairs' events, every date (the timeline draws them).
        selection: the context's events that pass the filters, every date (the scores use them).
        shown: the selection inside the window (the table lists them).
        scores: the scores of the selection inside the window, under the chosen method.
        settings: the settings the above were computed with.
    """

    def __init__(self, events: pd.DataFrame):
        check_events(events)
        self.events = events.reset_index(drop=True)
        if "themes" not in self.events:
            self.events["themes"] = ""
        self.by_id = self.events.drop_duplicates("event_id").set_index("event_id")
        self.pairs = self.events["pair"].astype("string").value_counts().index.tolist()
        self.context = self.selection = self.shown = self.events.iloc[:0]
        self.scores = empty_scores("index")
        self.settings: Settings | None = None

    def apply(self, settings: Settings) -> set[str]:
        """Bring everything up to date with ``settings``; return what was recomputed.

        Returns:
            A subset of ``{"context", "selection", "scores", "shown"}``.
        """
        if settings.method not in METHODS:
            raise ValueError(f"method must be one of {', '.join(METHODS)}, got {settings.method!r}")
        levels_at_least(settings.min_confidence)  # refuses an unknown level
        check_pairs(settings.pairs, self.pairs)
        todo: set[str] = set()
        for name in settings.changed(self.settings):
            todo |= CHANGES[name]
        if (
            todo == {"scores"}
            and self.settings is not None
            and settings.changed(self.settings) == {"half_life_days"}
            and not METHODS[settings.method].uses_half_life
        ):
            todo = set()  # a half-life does not change a baseline score
        self.settings = settings
        if "context" in todo:
            self.context = self.events[self.events["pair"].isin(list(settings.pairs))].reset_index(drop=True)
        if "selection" in todo:
            self.selection = filter_events(
                self.context,
                themes=None if settings.themes is None else list(settings.themes),
                quad_classes=None if settings.quads is None else list(settings.quads),
                min_confidence=settings.min_confidence,
            )
        if "scores" in todo:
            self.scores = (
                empty_scores(settings.method)
                if self.selection.empty
                else METHODS[settings.method].score(self.selection, settings)
            )
        if "shown" in todo:
            dates = self.selection["date"]
            self.shown = self.selection[(dates >= settings.start) & (dates <= settings.end)]
        return todo

    def explain_point(self, pair: str, date) -> pd.DataFrame:
        """The events behind the value of ``pair`` at ``date`` under the current method and settings.

        Returns:
            One row per event with ``event_id``, ``date``, ``title``, ``goldstein``, ``confidence`` and
            ``contribution``, largest first; contributions add up to ``attrs["value"]``, the value drawn.
        """
        if self.settings is None:
            raise RuntimeError("apply settings first")
        day = pd.Timestamp(date).normalize()
        return METHODS[self.settings.method].explain(self.selection, pair, day, self.settings, self.by_id)

    def event(self, event_id: str) -> pd.Series:
        """One event by id (``KeyError`` naming it when there is none)."""
        if event_id not in self.by_id.index:
            raise KeyError(f"no event {event_id!r} in this dashboard")
        return self.by_id.loc[event_id]

    def is_selected(self, event_id: str) -> bool:
        """Whether the event passes the current filters."""
        return bool((self.selection["event_id"].astype("string") == event_id).any())


class StateView:
    """A read-only attribute of the dashboard that is the attribute of the same name of its state.

    Args:
        doc: what the attribute holds.
    """

    def __init__(self, doc: str):
        self.__doc__ = doc
        self.name = ""

    def __set_name__(self, owner: type, name: str) -> None:
        """Remember the attribute's name."""
        self.name = name

    def __get__(self, board: object | None, owner: type | None = None):
        """The state's attribute (the descriptor itself on the class)."""
        return self if board is None else getattr(board.state, self.name)
