"""Names an analyst types (pairs, countries, themes, quad classes), normalised and checked.

A misspelt name is an error that names the closest known values, never an empty result.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Sequence

from tensions.vocabulary import QUAD_NAMES


def suggest(name: str, known: Iterable[str], n: int = 3) -> str:
    """The closest known values to ``name``, as text for an error message.

    >>> suggest("aviaton", ["aviation", "trade", "energy"])
    "did you mean 'aviation'?"
    """
    known = sorted({str(k) for k in known})
    close = difflib.get_close_matches(str(name), known, n=n, cutoff=0.5)
    if not close:
        close = difflib.get_close_matches(str(name).upper(), [k.upper() for k in known], n=n, cutoff=0.3)
        close = [k for k in known if k.upper() in close][:n]
    if close:
        return "did you mean " + " or ".join(repr(c) for c in close) + "?"
    shown = ", ".join(known[:12]) + (" ..." if len(known) > 12 else "")
    return f"known values: {shown}"


def normalise_pair(label: str, directed: bool = False) -> str:
    """A pair label in its canonical form: ``rus-aze`` -> ``AZE-RUS``; ``rus>aze`` -> ``RUS>AZE`` (directed).

    Raises:
        ValueError: on a directed label (``RUS>AZE``) without ``directed=True``, an undirected one with
            it, or a label that is not two country codes.

    >>> normalise_pair(" rus-aze ")
    'AZE-RUS'
    >>> normalise_pair("rus>aze", directed=True)
    'RUS>AZE'
    """
    text = str(label).strip().upper()
    if ">" in text:
        if not directed:
            raise ValueError(
                f"{label!r} is a directed pair (actor>target): pass directed=True, or write it "
                f"undirected as {normalise_pair(text.replace('>', '-'))!r}"
            )
        parts = text.split(">")
    else:
        parts = text.split("-")
        if directed and len(parts) == 2:
            raise ValueError(
                f"{label!r} is an undirected pair but directed=True: write it as "
                f"{parts[0]}>{parts[1]} or {parts[1]}>{parts[0]}"
            )
    if len(parts) != 2 or not all(p.strip() for p in parts):
        raise ValueError(f"{label!r} is not a pair of country codes such as 'AZE-RUS'")
    a, b = (p.strip() for p in parts)
    return f"{a}>{b}" if directed else "-".join(sorted((a, b)))


def check_pairs(pairs: Iterable[str], known: Iterable[str], directed: bool = False) -> list[str]:
    """Normalise ``pairs`` and check each against the ``known`` pair labels.

    Raises:
        ValueError: naming a pair that is not known and the closest known ones.

    >>> check_pairs(["rus-aze"], ["AZE-RUS", "KAZ-RUS"])
    ['AZE-RUS']
    """
    if isinstance(pairs, str):
        pairs = [pairs]
    known = set(known)
    out = []
    for pair in pairs:
        label = normalise_pair(pair, directed)
        if label not in known:
            raise ValueError(f"no events for pair {pair!r} ({label}); {suggest(label, known)}")
        out.append(label)
    return out


def check_values(kind: str, values: Iterable, known: Sequence, upper: bool = False) -> list:
    """Check that each of ``values`` is one of ``known`` (case-folded to upper case with ``upper``).

    Raises:
        ValueError: naming the unknown value and the closest known ones.

    >>> check_values("country", ["rus"], ["RUS", "AZE"], upper=True)
    ['RUS']
    """
    if isinstance(values, (str, int)):
        values = [values]
    known_set = set(known)
    out = []
    for value in values:
        v = str(value).strip().upper() if upper else value
        if v not in known_set:
            raise ValueError(f"unknown {kind} {value!r}; {suggest(str(v), [str(k) for k in known])}")
        out.append(v)
    return out


def read_quad_class(value: int | str) -> int:
    """A quad class given as its number or name (any case) as its number.

    Raises:
        ValueError: naming the closest classes.

    >>> read_quad_class("material conflict"), read_quad_class("3")
    (4, 3)
    """
    by_name = {name.lower(): q for q, name in QUAD_NAMES.items()} | {str(q): q for q in QUAD_NAMES}
    quad = by_name.get(str(value).strip().lower())
    if quad is None or isinstance(value, float | bool):
        names = list(QUAD_NAMES.values())
        raise ValueError(f"unknown quad class {value!r}; {suggest(str(value).capitalize(), names)} (or 1-4)")
    return quad
