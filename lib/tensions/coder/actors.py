"""Find actors in a sentence and map them to ISO3: countries, adjectives, capitals, institutions, office-holders."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from tensions.coder.language import Token
from tensions.coder.lexicon import Lexicon, Office


@dataclass(frozen=True)
class Mention:
    """An actor found in a sentence: token range, ISO3 code, what matched and who exactly."""

    first: int
    last: int
    iso3: str
    kind: str
    text: str
    detail: str
    flag: str = ""


def find_actors(tokens: list[Token], lexicon: Lexicon, on: date | None) -> list[Mention]:
    """Every actor mention in ``tokens``, longest match first, left to right.

    Args:
        tokens: the sentence's tokens.
        lexicon: the language's dictionaries.
        on: the event's date, which decides an office-holder's role (None: the latest role).
    """
    mentions: list[Mention] = []
    i = 0
    while i < len(tokens):
        found = _person_at(tokens, i, lexicon, on) or _actor_at(tokens, i, lexicon)
        if found:
            mentions.append(found)
            i = found.last + 1
        else:
            i += 1
    return mentions


def _actor_at(tokens: list[Token], i: int, lexicon: Lexicon) -> Mention | None:
    key = tokens[i].lemma if lexicon.language == "ru" else tokens[i].lower
    for words, iso3, kind in lexicon.actors.get(key, []) + lexicon.actors.get(tokens[i].lemma, []):
        end = i + len(words)
        if end > len(tokens):
            continue
        seen = [(t.lemma if lexicon.language == "ru" else t.lower) for t in tokens[i:end]]
        lemmas = [t.lemma for t in tokens[i:end]]
        if tuple(seen) == words or tuple(lemmas) == words:
            text = " ".join(t.text for t in tokens[i:end])
            return Mention(i, end - 1, iso3, kind, text, text)
    return None


def _person_at(tokens: list[Token], i: int, lexicon: Lexicon, on: date | None) -> Mention | None:
    for words, name in lexicon.people.get(tokens[i].lower[:4], []):
        end = i + len(words)
        if end > len(tokens):
            continue
        if all(
            t.lower.startswith(w) and len(t.lower) <= len(w) + 3
            for t, w in zip(tokens[i:end], words, strict=True)
        ):
            office, flag = office_on(lexicon.offices[name], on)
            text = " ".join(t.text for t in tokens[i:end])
            return Mention(i, end - 1, office.iso3, "office-holder", text, f"{office.role} {name}", flag)
    return None


def office_on(terms: list[Office], on: date | None) -> tuple[Office, str]:
    """The term of office held on ``on`` and a flag when none was (the nearest term is returned then).

    >>> from tensions.coder.lexicon import load_lexicon
    >>> office_on(load_lexicon("en").offices["Dmitry Medvedev"], date(2010, 5, 1))[0].role
    'President of Russia'
    """
    ordered = sorted(terms, key=lambda t: t.start)
    if on is None:
        return ordered[-1], ""
    for term in reversed(ordered):
        if term.start <= on and (term.end is None or on <= term.end):
            return term, ""
    before = [t for t in ordered if t.end is not None and t.end < on]
    if before:
        term = before[-1]
        return term, f"{term.name} was no longer {term.role} on {on} (term ended {term.end})"
    term = ordered[0]
    return term, f"{term.name} was not yet {term.role} on {on} (term began {term.start})"
