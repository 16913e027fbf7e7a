"""Hedges decide an event's confidence: *reportedly* → reported, *allegedly* → alleged, none → confirmed."""

from __future__ import annotations

from tensions.coder.language import Token
from tensions.coder.lexicon import Lexicon
from tensions.vocabulary import CONFIDENCE_LEVELS

#: Rank of each confidence level, the strongest first: a higher rank is a weaker hedge.
_RANK = {level: rank for rank, level in enumerate(CONFIDENCE_LEVELS)}


def find_confidence(tokens: list[Token], lexicon: Lexicon) -> tuple[str, str]:
    """Return the confidence of a sentence and the words that decided it.

    The weakest hedge wins (alleged over reported); no hedge means a statement of fact: confirmed.
    """
    lowers = [t.lower for t in tokens]
    found: list[tuple[str, str]] = []
    for words, confidence in lexicon.hedges:
        n = len(words)
        for j in range(len(lowers) - n + 1):
            if tuple(lowers[j : j + n]) == words:
                found.append((confidence, " ".join(t.text for t in tokens[j : j + n])))
                break
    if not found:
        return CONFIDENCE_LEVELS[0], ""
    level = max(found, key=lambda f: _RANK[f[0]])[0]
    return level, "; ".join(sorted({w for c, w in found if c == level}))
