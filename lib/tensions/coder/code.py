"""``code_article``: from an article to candidate events, each with its evidence, for an analyst to review.

The sentence is read here (dates, actors, verbs, hedges); :mod:`~tensions.coder.pairs` tells who acts on
whom and :mod:`~tensions.coder.candidate` writes the candidate rows.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pandas as pd

from tensions.coder.actors import Mention, find_actors
from tensions.coder.candidate import (
    CANDIDATE_COLUMNS,
    EVIDENCE_WORDS,
    REVIEW_COLUMNS,
    ArticleContext,
    Coding,
    candidate_row,
    finish_candidates,
    highlight_spans,
    known_code,
    quote_evidence,
)
from tensions.coder.dates import DateMention, find_dates
from tensions.coder.dedup import match_curated, merge_duplicates
from tensions.coder.hedges import find_confidence
from tensions.coder.language import Sentence, Token, detect_language, split_sentences, tokenize
from tensions.coder.lexicon import load_lexicon
from tensions.coder.pairs import find_pairs, is_location, split_clauses
from tensions.coder.read import CoderError, read_article
from tensions.coder.verbs import VerbMatch, choose_verb, find_verbs

__all__ = ["CANDIDATE_COLUMNS", "EVIDENCE_WORDS", "MIN_SCORE", "REVIEW_COLUMNS", "code_article"]

#: Candidates scoring less are left out by default: a sentence with no date of its own or before it, or a
#: general verb pattern with neither a clear direction nor a date in the sentence.
MIN_SCORE = 0.75


def code_article(
    text_or_path: str | Path,
    published: str | date | datetime | None = None,
    language: str | None = None,
    source: str | Mapping[str, Any] | None = None,
    *,
    known_events: pd.DataFrame | None = None,
    min_score: float = MIN_SCORE,
) -> pd.DataFrame:
    """Code an article into candidate events, one row per candidate (and per pair of a multilateral event).

    Args:
        text_or_path: the article's text, or the path of a ``.txt`` or ``.html`` file.
        published: the publication date (ISO string or date); relative and year-less dates are resolved
            against it. When omitted, the latest full date in the article is used and every candidate says so.
        language: ``en`` or ``ru``; detected when omitted.
        source: the article's title, or a mapping with ``title``, ``publisher``, ``url``, ``author``, ``published``.
        known_events: events to find repeats in (default: :func:`tensions.load_events`).
        min_score: candidates scoring less are left out (0 keeps every candidate); see ``_score``.

    Returns:
        The events schema's columns plus the review columns of :data:`REVIEW_COLUMNS`; an empty frame with
        those columns when the article holds no event the dictionaries recognise.

    Raises:
        CoderError: empty or binary input, an unsupported language, a malformed publication date.
    """
    article = read_article(text_or_path)
    lang = detect_language(article.text, language)
    info = _source_info(source, article.title, article.file)
    pub = _as_date(published if published is not None else info.get("published") or None)
    info["published"] = pub.isoformat() if pub else ""
    sentences = split_sentences(article.text, lang)
    base, base_note = pub, ""
    if pub is None:
        base, base_note = _fallback_base(sentences, lang)
    context = ArticleContext(lang, base, base_note, info)
    lexicon = load_lexicon(lang)
    rows: list[dict[str, Any]] = []
    previous: tuple[int, DateMention] | None = None
    for sentence in sentences:
        tokens = tokenize(sentence.text, lang)
        last = previous[1].date if previous and previous[1].precision == "day" else None
        dates = find_dates(sentence.text, lang, base, base_note, previous=last)
        if dates:
            previous = (sentence.paragraph, dates[0])
        inherited = previous if previous and previous[0] == sentence.paragraph and not dates else None
        rows += _code_sentence(sentence, tokens, dates, inherited[1] if inherited else None, lexicon, context)
    frame = pd.DataFrame(rows, columns=[*CANDIDATE_COLUMNS, "group_key"])
    frame = merge_duplicates(frame)
    frame = frame[pd.to_numeric(frame["score"]) >= min_score] if len(frame) else frame
    events = known_events if known_events is not None else _known_events()
    frame = match_curated(frame, events)
    return finish_candidates(frame)


def _code_sentence(
    sentence: Sentence,
    tokens: list[Token],
    dates: list[DateMention],
    inherited: DateMention | None,
    lexicon,
    context: ArticleContext,
) -> list[dict[str, Any]]:
    if len(tokens) < 3:
        return []
    provisional = _pick_date(dates, None) or inherited
    mentions = [
        m
        for m in find_actors(tokens, lexicon, provisional.date if provisional else context.base)
        if not is_location(tokens, m, context.language)
    ]
    if len({m.iso3 for m in mentions}) < 2:
        return []
    inside = {i for m in mentions for i in range(m.first, m.last + 1)}
    verbs = [v for v in find_verbs(tokens, lexicon) if v.first not in inside]
    rows: list[dict[str, Any]] = []
    units = split_clauses(sentence.text, tokens, context.language)
    for first, last in units if len(units) > 1 else []:
        unit_mentions = [m for m in mentions if first <= m.first and m.last <= last]
        unit_verbs = [v for v in verbs if first <= v.first <= last]
        if len({m.iso3 for m in unit_mentions}) >= 2 and unit_verbs:
            rows += _code_unit(
                sentence, tokens, dates, inherited, unit_mentions, unit_verbs, lexicon, context
            )
    return rows or _code_unit(sentence, tokens, dates, inherited, mentions, verbs, lexicon, context)


def _code_unit(
    sentence: Sentence,
    tokens: list[Token],
    dates: list[DateMention],
    inherited: DateMention | None,
    mentions: list[Mention],
    verbs: list[VerbMatch],
    lexicon,
    context: ArticleContext,
) -> list[dict[str, Any]]:
    verb = choose_verb(verbs)
    if verb is None:
        return []
    pairs, direction_flag = find_pairs(sentence.text, tokens, mentions, verb)
    if not pairs:
        return []
    when, flags = _date_and_flags(
        dates, inherited, tokens[verb.first].start, mentions, direction_flag, context
    )
    if when is None:
        return []
    confidence, hedge = find_confidence(tokens, lexicon)
    coding = Coding(
        code=known_code(verb.cameo_code),
        when=when,
        confidence=confidence,
        evidence=quote_evidence(sentence.text, tokens, mentions, verb),
        sentence=sentence,
        rule=f"{verb.rule} ('{verb.text}')"
        + (f"; hedge '{hedge}' -> {confidence}" if hedge else f"; no hedge -> {confidence}"),
        score=_score(verb, when, dates, inherited, direction_flag, mentions),
        flags=tuple(flags),
        highlights=highlight_spans(mentions, verb, when if when in dates else None, tokens),
        context=context,
        group_key=f"{sentence.start}" if len(pairs) > 1 else "",
    )
    return [candidate_row(source, target, coding) for source, target in pairs]


def _date_and_flags(
    dates: list[DateMention],
    inherited: DateMention | None,
    at: int,
    mentions: list[Mention],
    direction_flag: str,
    context: ArticleContext,
) -> tuple[DateMention | None, list[str]]:
    """Return the date of a clause whose verb starts at ``at`` (None: no date at all) and its flags."""
    when = _pick_date(dates, at) or inherited
    flags = list(dict.fromkeys(m.flag for m in mentions if m.flag))
    if direction_flag:
        flags.append(direction_flag)
    if when is None:
        if context.base is None:
            return None, flags
        when = DateMention(
            0, 0, "", context.base, "day", None, "no date in the text: publication date used", "", "none"
        )
        flags.append("no date in or before the sentence: the publication date is used")
    elif when not in dates:
        flags.append(f"date taken from an earlier sentence ('{when.text}')")
    if when.flag:
        flags.append(when.flag)
    if context.base_note:
        flags.append(context.base_note)
    if len(dates) > 1:
        flags.append("several dates in the sentence: " + ", ".join(f"'{d.text}' = {d.date}" for d in dates))
    return when, flags


def _pick_date(dates: list[DateMention], near: int | None) -> DateMention | None:
    if not dates:
        return None
    if near is None:
        return dates[0]
    precise = [d for d in dates if d.precision == "day"] or dates
    return min(precise, key=lambda d: abs(d.start - near))


def _score(
    verb: VerbMatch,
    when: DateMention,
    dates: list[DateMention],
    inherited: DateMention | None,
    direction_flag: str,
    mentions: list[Mention],
) -> float:
    """Return how sure the coder is, 0.3 to 1.

    A date in the sentence adds 0.3 (0.15 from an earlier sentence), a specific pattern 0.2, a clear
    direction 0.1, no flag on the actors or the date 0.1.
    """
    score = 0.3
    score += 0.3 if when in dates else (0.15 if when is inherited else 0.0)
    score += 0.2 if verb.specific else 0.0
    score += 0.1 if not direction_flag else 0.0
    score += 0.1 if not any(m.flag for m in mentions) and not when.flag else 0.0
    return round(score, 2)


def _source_info(source: str | Mapping[str, Any] | None, title: str, file: str) -> dict[str, str]:
    if source is None:
        info: dict[str, str] = {}
    elif isinstance(source, str):
        info = {"url": source} if re.match(r"^https?://", source) else {"title": source}
    else:
        info = {k: "" if v is None else str(v) for k, v in source.items()}
    info.setdefault("title", title or file or "")
    info.setdefault("publisher", "unknown")
    info.setdefault("file", file)
    return info


def _as_date(value: str | date | datetime | None) -> date | None:
    if value is None or value == "" or (not isinstance(value, str) and pd.isna(value)):
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value).strip()[:10])
    except ValueError:
        raise CoderError(f"publication date {value!r} is not an ISO date YYYY-MM-DD") from None


def _fallback_base(sentences: list[Sentence], language: str) -> tuple[date | None, str]:
    """The latest date the article gives, for an article without a publication date.

    Full dates count as written; dates without a year are put in the latest year the article names.
    """
    found = [d for s in sentences for d in find_dates(s.text, language, None)]
    full = [d.date for d in found if d.precision == "day"]
    if not full:
        return None, ""
    year_end = date(max(d.date.year for d in found), 12, 31)
    partial = [
        d.date
        for s in sentences
        for d in find_dates(s.text, language, year_end)
        if d.precision == "day" and d.kind in ("day", "weekday-day") and d.note
    ]
    base = max(full + partial)
    return (
        base,
        f"no publication date given: relative dates counted from the latest date in the article ({base})",
    )


def _known_events() -> pd.DataFrame:
    from tensions.data import load_events

    return load_events()
