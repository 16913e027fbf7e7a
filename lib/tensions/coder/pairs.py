"""Who acts on whom in a sentence: its clauses, the countries named as places, the actor-target pairs."""

from __future__ import annotations

import itertools
import re

from tensions.coder.actors import Mention
from tensions.coder.language import Token
from tensions.coder.verbs import VerbMatch

_JOINERS = re.compile(r"^(?:[\s,;&]|and|и|as well as|along with|together with)*$", re.IGNORECASE)
_MUTUAL_ROOTS = ("03", "04", "05", "06")
_CLAUSE_BREAKS = {
    "en": re.compile(r";|,\s+(?:and|while|but|whereas|after which)\s+|\s+while\s+", re.IGNORECASE),
    "ru": re.compile(r";|,\s+(?:а|но|и|тогда как|при этом)\s+", re.IGNORECASE),
}
_LOCATIVE = {"en": ("in", "at", "near", "across", "inside", "within")}


def find_pairs(
    text: str, tokens: list[Token], mentions: list[Mention], verb: VerbMatch
) -> tuple[list[tuple[Mention, Mention]], str]:
    """Return the (actor, target) pairs a verb links, and a flag when the direction is a guess (else ``""``).

    Countries joined by *and* or commas before and after the verb act and are acted upon together; a
    passive conflict verb takes its actor after *by*; a mutual verb (roots 03-06) pairs every country
    before it.
    """
    before = [m for m in mentions if m.last < verb.first]
    after = [m for m in mentions if m.first > verb.last]
    flag = ""
    by_agent = [m for m in after if m.first > 0 and tokens[m.first - 1].lower in ("by", "from")]
    if before and by_agent and verb.cameo_code[:2] in ("18", "19", "20", "17"):
        sources, targets = [by_agent[0]], _chunk_forward(text, tokens, before[-1:] + [])
        flag = "passive sentence: the actor is the one after 'by'"
    elif before and after:
        sources, targets = _chunk_backward(text, tokens, before), _chunk_forward(text, tokens, after)
    elif after:
        sources = _chunk_forward(text, tokens, after)
        rest = [m for m in after if m.iso3 not in {s.iso3 for s in sources}]
        targets = rest[:1]
        flag = "no actor before the verb: check who acts"
    else:
        group = _chunk_backward(text, tokens, before)
        if len({m.iso3 for m in group}) >= 2 and verb.cameo_code[:2] in _MUTUAL_ROOTS:
            distinct = list({m.iso3: m for m in group}.values())
            return list(itertools.combinations(distinct, 2)), ""
        distinct = list({m.iso3: m for m in before}.values())
        sources, targets = distinct[:1], distinct[1:2]
        flag = "actor and target both before the verb: check the direction"
    pairs = [(s, t) for s in _distinct(sources) for t in _distinct(targets) if s.iso3 != t.iso3]
    if not pairs and sources:
        others = [m for m in mentions if m.iso3 not in {s.iso3 for s in sources}]
        if others:
            pairs = [(sources[0], others[0])]
            flag = flag or "target chosen as the other country named in the sentence"
    return pairs, flag


def _chunk_backward(text: str, tokens: list[Token], before: list[Mention]) -> list[Mention]:
    group = [before[-1]]
    for m in reversed(before[:-1]):
        if _joined(text, tokens, m, group[0]):
            group.insert(0, m)
        else:
            break
    return group


def _chunk_forward(text: str, tokens: list[Token], after: list[Mention]) -> list[Mention]:
    group = [after[0]]
    for m in after[1:]:
        if _joined(text, tokens, group[-1], m):
            group.append(m)
        else:
            break
    return group


def _joined(text: str, tokens: list[Token], left: Mention, right: Mention) -> bool:
    between = text[tokens[left.last].end : tokens[right.first].start]
    return bool(_JOINERS.match(between.strip()))


def _distinct(mentions: list[Mention]) -> list[Mention]:
    return list({m.iso3: m for m in mentions}.values())


def split_clauses(text: str, tokens: list[Token], language: str) -> list[tuple[int, int]]:
    """Token ranges of the clauses of a sentence (split at ``;`` and ``, and``, ``, while`` ...)."""
    pattern = _CLAUSE_BREAKS.get(language)
    cuts = [m.start() for m in pattern.finditer(text)] if pattern else []
    units, first = [], 0
    for cut in cuts:
        last = max((i for i, t in enumerate(tokens) if t.end <= cut), default=-1)
        if last >= first:
            units.append((first, last))
            first = last + 1
    if first < len(tokens):
        units.append((first, len(tokens) - 1))
    return units


def is_location(tokens: list[Token], mention: Mention, language: str) -> bool:
    """A country or place named as where something happens (*in Baku*, *в Баку*), not as an actor."""
    if mention.kind in ("office-holder", "institution") or mention.first == 0:
        return False
    before = tokens[mention.first - 1].lower
    if language == "ru":
        if before not in ("в", "во", "на"):
            return False
        from tensions.coder.language import _morph

        return _morph().parse(tokens[mention.first].lower)[0].tag.case == "loct"
    return before in _LOCATIVE.get(language, ())
