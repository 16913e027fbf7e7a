"""The dashboard's controls: what they offer, their defaults, and the settings they describe."""

from __future__ import annotations

from collections.abc import Sequence

import ipywidgets as w
import numpy as np
import pandas as pd
from traitlets import TraitError, Tuple, observe, validate

from tensions.charts.style import QUAD_COLORS, QUAD_NAMES
from tensions.names import check_values, read_quad_class
from tensions.score.settings import ScoreSettings
from tensions.select import CONFIDENCE_ORDER
from tensions.widgets.methods import METHODS
from tensions.widgets.state import Settings, check_pairs

GOLDSTEIN_CHOICES = {"events' own weights": None, "GDELT": "gdelt", "ICEWS": "icews", "Phoenix": "phoenix"}
WIDE = {"description_width": "initial"}


class NamePicker(w.TagsInput):
    """A searchable tag picker of known names: the browser offers them as you type.

    An unknown name set from Python is an error that names the closest known ones.

    Args:
        kind: what the names are (``"pair"``, ``"theme"``), for the error message.
        **kwargs: ``TagsInput`` arguments (``allowed_tags`` are the known names).
    """

    def __init__(self, kind: str, **kwargs):
        self.kind = kind
        defaults = {"allow_duplicates": False, "description": f"{kind.capitalize()}s", "style": WIDE}
        super().__init__(**(defaults | {"layout": w.Layout(width="560px")} | kwargs))

    @validate("value")
    def _validate_value(self, proposal):
        """Refuse blank and unknown names (ipywidgets' check, with the closest names in the message)."""
        if "" in proposal["value"]:
            raise TraitError(f"a {self.kind} cannot be blank")
        if self.allowed_tags:
            try:
                check_values(self.kind, proposal["value"], self.allowed_tags)
            except ValueError as exc:
                raise TraitError(str(exc)) from None
        return proposal["value"]


class QuadPicker(w.HBox):
    """The four CAMEO quad classes as toggle buttons, any number of them on; ``value`` is the tuple kept.

    ``value`` takes classes as numbers (``(3, 4)``) or names (``("Verbal conflict",)``, any case) and holds
    them as sorted numbers; an unknown one is an error that names the closest classes.

    Args:
        value: the classes on at opening (default all four).
    """

    value = Tuple()

    def __init__(self, value: Sequence[int | str] = (1, 2, 3, 4)):
        self.buttons = {
            q: w.ToggleButton(
                description=name,
                tooltip=f"{name} (quad class {q}): click to keep or leave out its events",
                layout=w.Layout(width="auto", border_left=f"6px solid {QUAD_COLORS[q]}"),
            )
            for q, name in QUAD_NAMES.items()
        }
        super().__init__(
            [w.Label("Quad class").add_class("pair-label"), *self.buttons.values()],
            layout=w.Layout(align_items="center", margin="0 0 0 32px"),
        )
        self._showing = False  # the buttons are being set from ``value``: their changes are not clicks
        for button in self.buttons.values():
            button.observe(self._clicked, names="value")
        self.value = tuple(value)

    @validate("value")
    def _validate_value(self, proposal) -> tuple[int, ...]:
        """Classes as sorted numbers; an unknown one is an error naming the closest."""
        try:
            return tuple(sorted({read_quad_class(q) for q in proposal["value"]}))
        except ValueError as exc:
            raise TraitError(str(exc)) from None

    @observe("value")
    def _show_value(self, change) -> None:
        self._showing = True
        try:
            for q, button in self.buttons.items():
                button.value = q in change["new"]
        finally:
            self._showing = False

    def _clicked(self, _change) -> None:
        if not self._showing:
            self.value = tuple(q for q, button in self.buttons.items() if button.value)


def default_pairs(known: list[str], pairs: Sequence[str] | None) -> list[str]:
    """The pairs chosen at opening: ``pairs`` (checked) or the four with the most events."""
    if pairs is None:
        return known[:4]
    check_pairs(list(pairs), known)
    return list(dict.fromkeys(pairs))


def default_window(
    months: pd.DatetimeIndex, eras: pd.DataFrame | None, pairs: Sequence[str], dates: pd.Series
) -> tuple[int, int]:
    """Indices of the first and last months shown at opening.

    With an era of the chosen pairs (its ``pairs`` list names one of them, or it has no list), the window runs
    from the start of the earliest such era (or three years back, if earlier) to the last month. Without one,
    it fits the chosen pairs' events (``dates``): the three years that hold most of them, from the month of
    the first to six months after the last (the decay of the pressure), so that events far from the data's
    last month (a sample from 1982 and 2016) are in view rather than a blank window.
    """
    fallback = max(months[0], months[-1] - pd.DateOffset(years=3))
    if eras is not None and len(eras):
        listed = eras["pairs"].fillna("") if "pairs" in eras else pd.Series("", index=eras.index)
        mine = eras[listed.map(lambda s: not s or bool(set(str(s).split(";")) & set(pairs)))]
        mine = mine[(mine["end"] >= months[0]) & (mine["start"] <= months[-1] + pd.offsets.MonthEnd(0))]
        if len(mine):
            start = min(fallback, max(months[0], mine["start"].min().to_period("M").start_time))
            return int(months.searchsorted(start, side="right") - 1), len(months) - 1
    if not dates.notna().any():
        return int(months.searchsorted(fallback, side="right") - 1), len(months) - 1
    first, last = busiest_span(dates)
    end = min(months[-1], last + pd.DateOffset(months=6))
    return int(months.searchsorted(first, side="right") - 1), int(months.searchsorted(end, side="right") - 1)


def busiest_span(dates: pd.Series, years: int = 3) -> tuple[pd.Timestamp, pd.Timestamp]:
    """First and last months of the events in the ``years`` that hold the most of them (the latest on ties).

    >>> days = pd.Series(pd.to_datetime(["1982-01-05", "1982-01-20", "1983-03-01", "2016-07-02"]))
    >>> [f"{m:%Y-%m}" for m in busiest_span(days)]
    ['1982-01', '1983-03']
    """
    ordinals = np.sort(dates.dropna().to_numpy("datetime64[ns]").astype("datetime64[M]").astype("int64"))
    counts = np.searchsorted(ordinals, ordinals + 12 * years, side="left") - np.arange(len(ordinals))
    best = len(counts) - 1 - int(np.argmax(counts[::-1]))
    last = ordinals[best + counts[best] - 1]
    return pd.Timestamp(np.datetime64(int(ordinals[best]), "M")), pd.Timestamp(np.datetime64(int(last), "M"))


def known_themes(events: pd.DataFrame) -> list[str]:
    """The themes the events carry (``security;energy`` counts for both), sorted."""
    return sorted({t for s in events["themes"].dropna().unique() for t in str(s).split(";") if t})


def make_controls(
    events: pd.DataFrame,
    known_pairs: list[str],
    eras: pd.DataFrame | None,
    pairs: Sequence[str] | None,
    themes: Sequence[str] = (),
    quads: Sequence[int | str] = (1, 2, 3, 4),
) -> dict[str, w.Widget]:
    """Every control by name, set to its default.

    Names: ``pairs`` and ``themes`` (searchable tag pickers; no theme chosen keeps every event),
    ``dates`` (months), ``quads`` (four toggle buttons), ``confidence``, ``half_life``, ``goldstein``,
    ``method``, ``export`` and ``export_table`` (buttons). A theme the events do not carry is an error naming the closest ones.
    """
    chosen = default_pairs(known_pairs, pairs)
    months = pd.date_range(
        events["date"].min().to_period("M").start_time,
        events["date"].max().to_period("M").start_time,
        freq="MS",
    )
    offered = known_themes(events)
    quads = [read_quad_class(q) for q in quads]
    chosen_themes = check_values("theme", list(dict.fromkeys(themes)), offered)
    return {
        "pairs": NamePicker(
            "pair",
            value=chosen,
            allowed_tags=known_pairs,
            placeholder="type a pair, e.g. AZE-RUS",
            tooltip="Type to search the pairs; Enter adds one, × removes it",
        ),
        "themes": NamePicker(
            "theme",
            value=chosen_themes,
            allowed_tags=offered,
            placeholder="every theme; type one to keep only its events, e.g. energy",
            tooltip="Type to search the themes; Enter adds one, × removes it; none chosen keeps every event",
        ),
        "quads": QuadPicker(quads),
        "dates": w.SelectionRangeSlider(
            options=[(m.strftime("%b %Y"), m) for m in months],
            index=default_window(months, eras, chosen, events.loc[events["pair"].isin(chosen), "date"]),
            description="Months",
            continuous_update=False,
            style=WIDE,
            layout=w.Layout(width="560px"),
        ),
        "confidence": w.Dropdown(
            options=list(CONFIDENCE_ORDER),
            value="alleged",
            description="Confidence at least",
            style=WIDE,
            layout=w.Layout(width="260px", margin="2px 0 0 32px"),
        ),
        "half_life": w.FloatLogSlider(
            value=ScoreSettings().half_life_days,
            base=10,
            min=0.5,
            max=2.5,
            step=0.05,
            description="Half-life (days)",
            readout_format=".0f",
            continuous_update=False,
            style=WIDE,
        ),
        "goldstein": w.Dropdown(
            options=list(GOLDSTEIN_CHOICES),
            value="events' own weights",
            description="Goldstein weights",
            style=WIDE,
            layout=w.Layout(width="300px", margin="2px 0 0 24px"),  # clear of the months readout
        ),
        "method": w.ToggleButtons(
            options=[(m.label, m.key) for m in METHODS.values()],
            value="index",
            description="Score",
            style={**WIDE, "button_width": "auto"},  # each label whole ("GDELT-style daily mean")
        ),
        "export": w.Button(description="Export view", icon="download", button_style="primary"),
        "export_table": w.Button(
            description="Table as CSV", icon="table", tooltip="Write the filtered events of the window as CSV"
        ),
    }


def read_settings(controls: dict[str, w.Widget]) -> Settings:
    """The settings the controls describe."""
    start, end = controls["dates"].value
    themes, quads = controls["themes"], controls["quads"]
    return Settings(
        pairs=tuple(controls["pairs"].value),
        start=pd.Timestamp(start),
        end=pd.Timestamp(end) + pd.offsets.MonthEnd(0),
        themes=tuple(themes.value) or None,
        quads=None if len(quads.value) == 4 else tuple(quads.value),
        min_confidence=controls["confidence"].value,
        half_life_days=float(controls["half_life"].value),
        goldstein_table=GOLDSTEIN_CHOICES[controls["goldstein"].value],
        method=controls["method"].value,
    )


def arrange(controls: dict[str, w.Widget], style: str, views: Sequence[w.Widget]) -> w.Box:
    """Controls above the views, in rows."""
    c = controls
    row = w.Layout(
        justify_content="flex-start", align_items="center", margin="0 0 4px 0", flex_flow="row wrap"
    )
    return w.VBox(
        [
            w.HTML(style),
            w.HBox([w.Label("Pairs").add_class("pair-label"), c["pairs"], c["confidence"]], layout=row),
            w.HBox([w.Label("Themes").add_class("pair-label"), c["themes"]], layout=row),
            c["quads"],
            w.HBox([c["dates"], c["goldstein"]], layout=row),
            w.HBox([c["half_life"], c["export"], c["export_table"]], layout=row),
            c["method"],
            *views,
        ]
    ).add_class("tensions-dash")
