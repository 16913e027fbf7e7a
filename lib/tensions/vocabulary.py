"""The controlled vocabularies of the event table, each written once.

:mod:`tensions.schema` builds its category fields and checks from these tuples, and every other module
(selection, scoring weights, the dashboard's controls, the review view) reads them from here. This module
imports nothing, so the chart and scoring modules can use it without loading the validation library.
"""

from __future__ import annotations

#: Controlled vocabulary for ``events.themes``.
THEMES: tuple[str, ...] = (
    "aviation",
    "culture",
    "diplomacy",
    "economy",
    "energy",
    "history",
    "humanitarian",
    "integration",
    "justice",
    "media",
    "migration",
    "military",
    "politics",
    "security",
    "trade",
    "transport",
)

#: How precise an event's ``date`` is.
DATE_PRECISIONS: tuple[str, ...] = ("day", "month", "year")
#: An event's confidence levels, strongest first: ``min_confidence="reported"`` keeps the first two.
CONFIDENCE_LEVELS: tuple[str, ...] = ("confirmed", "reported", "alleged")
#: Where an event comes from: the curated dataset, the analyst's own events, or machine-coded data.
ORIGINS: tuple[str, ...] = ("curated", "own", "machine-coded")
#: The CAMEO quad classes (``events.quad_class``), by number.
QUAD_NAMES: dict[int, str] = {
    1: "Verbal cooperation",
    2: "Material cooperation",
    3: "Verbal conflict",
    4: "Material conflict",
}
#: The organisations a country's ``memberships`` may name.
MEMBERSHIPS: tuple[str, ...] = ("CSTO", "EAEU", "CIS", "OTS", "OTS-observer", "SCO", "NATO", "EU", "GUAM")


def levels_at_least(level: str) -> tuple[str, ...]:
    """The confidence levels as strong as ``level`` or stronger.

    Args:
        level: one of :data:`CONFIDENCE_LEVELS`.

    Returns:
        The levels from ``confirmed`` down to ``level``.

    Raises:
        ValueError: ``level`` is not a confidence level.

    >>> levels_at_least("reported")
    ('confirmed', 'reported')
    """
    if level not in CONFIDENCE_LEVELS:
        raise ValueError(f"min_confidence must be one of {', '.join(CONFIDENCE_LEVELS)}, got {level!r}")
    return CONFIDENCE_LEVELS[: CONFIDENCE_LEVELS.index(level) + 1]
