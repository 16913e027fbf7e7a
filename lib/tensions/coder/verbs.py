"""Find the event verb of a sentence and its CAMEO code from the verb patterns."""

from __future__ import annotations

from dataclasses import dataclass

from tensions.coder.language import Token
from tensions.coder.lexicon import Lexicon, VerbRule

#: How many words after the verb an object word of a pattern may appear.
OBJECT_WINDOW = 6
#: Codes that say little (a bare statement): another verb of the sentence wins over them.
WEAK_CODES = ("01", "010", "02", "020", "03", "030")


@dataclass(frozen=True)
class VerbMatch:
    """A verb found at tokens ``first..last``, its CAMEO code, the rule that fired and the object words."""

    first: int
    last: int
    cameo_code: str
    rule: str
    text: str
    specific: bool


def find_verbs(tokens: list[Token], lexicon: Lexicon) -> list[VerbMatch]:
    """Every verb of ``tokens`` that has a CAMEO pattern, with the most specific code that applies."""
    matches = []
    for i, token in enumerate(tokens):
        rules = lexicon.verbs.get(token.lemma, []) or lexicon.verbs.get(token.lower, [])
        best = _best_rule(tokens, i, rules)
        if best:
            rule, length, specific = best
            text = " ".join(t.text for t in tokens[i : i + length])
            matches.append(VerbMatch(i, i + length - 1, rule.cameo_code, rule.rule, text, specific))
    return matches


def choose_verb(verbs: list[VerbMatch]) -> VerbMatch | None:
    """The verb that codes the sentence: a specific pattern first, then any code but a bare statement."""
    if not verbs:
        return None
    ranked = sorted(verbs, key=lambda v: (not v.specific, v.cameo_code in WEAK_CODES, v.first))
    return ranked[0]


def _best_rule(tokens: list[Token], i: int, rules: list[VerbRule]) -> tuple[VerbRule, int, bool] | None:
    best, best_key = None, None
    grams = _grams(tokens[i + 1 : i + 1 + OBJECT_WINDOW])
    for rule in rules:
        n = len(rule.lemma)
        lemmas = tuple(t.lemma for t in tokens[i : i + n])
        if lemmas != rule.lemma and tuple(t.lower for t in tokens[i : i + n]) != rule.lemma:
            continue
        if rule.objects:
            if not all(any(o in grams for o in term) for term in rule.objects):
                continue
            key = (2, len(rule.objects), n, rule.rule.startswith("verbs_"))
        else:
            key = (1, 0, n, rule.rule.startswith("verbs_"))
        if best_key is None or key > best_key:
            best, best_key = rule, key
    if best is None or best.cameo_code == "-":  # "-": a verb too general to code without an object
        return None
    return best, len(best.lemma), bool(best.objects) or best.rule.startswith("verbs_")


def _grams(window: list[Token]) -> set[tuple[str, ...]]:
    """Every run of one to four words of ``window``, as lemmas and as lower-case words."""
    grams: set[tuple[str, ...]] = set()
    for words in ([t.lemma for t in window], [t.lower for t in window]):
        for n in range(1, 5):
            grams.update(tuple(words[j : j + n]) for j in range(len(words) - n + 1))
    return grams
