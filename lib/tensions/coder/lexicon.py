"""The coder's dictionaries, read once from ``data/reference/coder/`` and cached.

- ``actors_en.csv``: country names, places and institutions from the PETRARCH2 Phoenix country-actor
  dictionary (derived by ``scripts/derive_coder_reference.py``);
- ``actors_extra.csv``: our own names, adjectives, capitals and institutions, English and Russian lemmas
  (``kind = ignore`` removes a PETRARCH2 phrase that is mostly a first name, such as *Vladimir*);
- ``office_holders.csv``: our dated table of office-holders (role, start, end, source);
- ``verbs_en.csv`` / ``synsets_en.csv``: PETRARCH2's CAMEO verb patterns; ``verbs_ru.csv``: ours;
- ``hedges.csv``: words that make an event reported or alleged.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path

from tensions import paths

CODER_DIR: Path = paths.REFERENCE_DIR / "coder"


@dataclass(frozen=True)
class Office:
    """One term of office: who, which country, which role, from when to when (``end`` None: in office)."""

    name: str
    iso3: str
    role: str
    start: date
    end: date | None
    source: str


@dataclass(frozen=True)
class VerbRule:
    """A CAMEO verb pattern: lemma, the terms that must follow it (empty: the verb's default), code.

    Each term is a tuple of alternative phrases (one phrase, or the members of a PETRARCH ``&set``).
    """

    lemma: tuple[str, ...]
    objects: tuple[tuple[tuple[str, ...], ...], ...]
    cameo_code: str
    rule: str


@dataclass(frozen=True)
class Lexicon:
    """Every dictionary of one language, compiled for lookup by first word."""

    language: str
    actors: dict[str, list[tuple[tuple[str, ...], str, str]]]
    people: dict[str, list[tuple[tuple[str, ...], str]]]
    offices: dict[str, list[Office]]
    verbs: dict[str, list[VerbRule]]
    hedges: tuple[tuple[tuple[str, ...], str], ...]


def _rows(name: str) -> list[dict[str, str]]:
    with (CODER_DIR / name).open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def _words(phrase: str, language: str) -> tuple[str, ...]:
    from tensions.coder.language import tokenize

    return tuple(t.lemma if language == "ru" else t.lower for t in tokenize(phrase, language))


@lru_cache(maxsize=4)
def load_lexicon(language: str) -> Lexicon:
    """Compile the dictionaries of ``language`` (``en`` or ``ru``); cached, so later articles pay nothing."""
    import pandas as pd

    known = set(pd.read_csv(paths.COUNTRIES_CSV, dtype=str)["iso3"])
    actors: dict[str, list[tuple[tuple[str, ...], str, str]]] = {}
    ignored = {
        r["phrase"] for r in _rows("actors_extra.csv") if r["kind"] == "ignore" and r["language"] == language
    }
    entries = [
        (r["phrase"], r["iso3"], r["kind"]) for r in _rows("actors_extra.csv") if r["language"] == language
    ]
    if language == "en":
        entries += [(r["phrase"], r["iso3"], r["kind"]) for r in _rows("actors_en.csv")]
    for phrase, iso3, kind in entries:
        if phrase in ignored or iso3 not in known:
            continue
        words = _words(phrase, language)
        if words and all(words != w for w, _, _ in actors.get(words[0], [])):
            actors.setdefault(words[0], []).append((words, iso3, kind))
    people: dict[str, list[tuple[tuple[str, ...], str]]] = {}
    offices: dict[str, list[Office]] = {}
    for r in _rows("office_holders.csv"):
        term = Office(
            r["name"],
            r["iso3"],
            r["role"],
            date.fromisoformat(r["start"]),
            date.fromisoformat(r["end"]) if r["end"] else None,
            r["source"],
        )
        offices.setdefault(r["name"], []).append(term)
        for variant in r[f"match_{language}"].split(";") if language in ("en", "ru") else []:
            words = tuple(variant.lower().split())
            if words and (words, r["name"]) not in people.get(words[0][:4], []):
                people.setdefault(words[0][:4], []).append((words, r["name"]))
    return Lexicon(
        language, _sorted(actors), _sorted(people), offices, _load_verbs(language), _load_hedges(language)
    )


def _sorted(index: dict) -> dict:
    return {key: sorted(values, key=lambda v: -len(v[0])) for key, values in index.items()}


def _load_verbs(language: str) -> dict[str, list[VerbRule]]:
    verbs: dict[str, list[VerbRule]] = {}
    if language == "en":
        synsets: dict[str, list[str]] = {}
        for r in _rows("synsets_en.csv"):
            synsets.setdefault(r["synset"], []).append(r["word"])
        rows = [
            (r["lemma"], r["object"], r["cameo_code"], f"CAMEO.2.0.txt line {r['line']}")
            for r in _rows("verbs_en.csv")
        ]
        rows += [
            (r["lemma"], r["object"], r["cameo_code"], f"verbs_en_extra.csv: {r['note']}")
            for r in _rows("verbs_en_extra.csv")
        ]
    else:
        synsets = {}
        rows = [
            (r["lemma"], r["object"], r["cameo_code"], f"verbs_ru.csv: {r['note']}")
            for r in _rows("verbs_ru.csv")
        ]
    for lemma, obj, code, rule in rows:
        words = tuple(lemma.split())
        objects = tuple(
            tuple(tuple(o.split()) for o in synsets.get(term, [term])) for term in obj.split() if term
        )
        verbs.setdefault(words[0], []).append(VerbRule(words, objects, code, rule))
    return verbs


def _load_hedges(language: str) -> tuple[tuple[tuple[str, ...], str], ...]:
    return tuple(
        (tuple(r["phrase"].split()), r["confidence"])
        for r in _rows("hedges.csv")
        if r["language"] == language
    )
