"""``code_article``: from an article to candidate events, each with its evidence, for an analyst to review."""

from __future__ import annotations

import itertools
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

import pandas as pd

from tensions import reference
from tensions.coder.actors import Mention, find_actors
from tensions.coder.dates import DateMention, find_dates
from tensions.coder.dedup import match_curated, merge_duplicates
from tensions.coder.hedges import find_confidence
from tensions.coder.language import Sentence, Token, detect_language, split_sentences, tokenize
from tensions.coder.lexicon import load_lexicon
from tensions.coder.read import CoderError, read_article
from tensions.coder.verbs import VerbMatch, choose_verb, find_verbs
from tensions.schema import EVENT_FIELDS

#: Candidates scoring less are left out by default: a sentence with no date of its own or before it, or a
#: general verb pattern with neither a clear direction nor a date in the sentence.
MIN_SCORE = 0.75
#: Longest evidence quote the coder takes from a sentence, in words.
EVIDENCE_WORDS = 15
#: Columns added for the review, after the events schema's columns.
REVIEW_COLUMNS = (
    "candidate_id",
    "status",
    "sentence",
    "sentence_start",
    "sentence_end",
    "rule",
    "score",
    "flags",
    "matches_event_id",
    "all_evidence",
    "sentence_count",
    "highlights",
    "language",
    "source_title",
    "source_publisher",
    "source_url",
    "source_published",
    "source_file",
)
CANDIDATE_COLUMNS = tuple(f.name for f in EVENT_FIELDS) + ("pair",) + REVIEW_COLUMNS
_JOINERS = re.compile(r"^(?:[\s,;&]|and|и|as well as|along with|together with)*$", re.IGNORECASE)
_MUTUAL_ROOTS = ("03", "04", "05", "06")
_THEMES_BY_ROOT = {
    "01": "diplomacy", "02": "diplomacy", "03": "diplomacy", "04": "diplomacy", "05": "diplomacy",
    "06": "economy", "07": "humanitarian", "08": "diplomacy", "09": "politics", "10": "politics",
    "11": "politics", "12": "politics", "13": "security", "14": "politics", "15": "military",
    "16": "diplomacy", "17": "security", "18": "security", "19": "military", "20": "military",
}  # fmt: skip
_THEME_WORDS = {
    "aviation": r"flight|plane|airline|aircraft|airliner|airport|airspace|рейс|самол[её]т|авиа",
    "energy": r"energy|gas|oil|pipeline|электроэнерг|газ|нефт|энерг",
    "trade": r"trade|export|import|tariff|торгов|экспорт|импорт",
    "media": r"media|news agenc|journalist|сми|журналист",
    "migration": r"migrant|diaspora|мигрант|диаспор",
    "transport": r"corridor|railway|port|коридор|железн|порт",
}


@dataclass(frozen=True)
class _Context:
    language: str
    base: date | None
    base_note: str
    source: dict[str, str]


@dataclass(frozen=True)
class _Coding:
    """What a coded clause gives each pair of states it names."""

    code: str
    when: DateMention
    confidence: str
    evidence: str
    sentence: Sentence
    rule: str
    score: float
    flags: tuple[str, ...]
    highlights: str
    context: _Context
    group_key: str


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
    context = _Context(lang, base, base_note, info)
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
    return _finish(frame)


def _code_sentence(
    sentence: Sentence,
    tokens: list[Token],
    dates: list[DateMention],
    inherited: DateMention | None,
    lexicon,
    context: _Context,
) -> list[dict[str, Any]]:
    if len(tokens) < 3:
        return []
    provisional = _pick_date(dates, None) or inherited
    mentions = [
        m
        for m in find_actors(tokens, lexicon, provisional.date if provisional else context.base)
        if not _is_location(tokens, m, context.language)
    ]
    if len({m.iso3 for m in mentions}) < 2:
        return []
    inside = {i for m in mentions for i in range(m.first, m.last + 1)}
    verbs = [v for v in find_verbs(tokens, lexicon) if v.first not in inside]
    rows: list[dict[str, Any]] = []
    units = _clauses(sentence.text, tokens, context.language)
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
    context: _Context,
) -> list[dict[str, Any]]:
    verb = choose_verb(verbs)
    if verb is None:
        return []
    pairs, direction_flag = _pairs(sentence.text, tokens, mentions, verb)
    if not pairs:
        return []
    when, flags = _date_and_flags(
        dates, inherited, tokens[verb.first].start, mentions, direction_flag, context
    )
    if when is None:
        return []
    confidence, hedge = find_confidence(tokens, lexicon)
    coding = _Coding(
        code=_known_code(verb.cameo_code),
        when=when,
        confidence=confidence,
        evidence=_evidence(sentence.text, tokens, mentions, verb),
        sentence=sentence,
        rule=f"{verb.rule} ('{verb.text}')"
        + (f"; hedge '{hedge}' -> {confidence}" if hedge else f"; no hedge -> {confidence}"),
        score=_score(verb, when, dates, inherited, direction_flag, mentions),
        flags=tuple(flags),
        highlights=_highlights(mentions, verb, when if when in dates else None, tokens),
        context=context,
        group_key=f"{sentence.start}" if len(pairs) > 1 else "",
    )
    return [_row(source, target, coding) for source, target in pairs]


def _date_and_flags(
    dates: list[DateMention],
    inherited: DateMention | None,
    at: int,
    mentions: list[Mention],
    direction_flag: str,
    context: _Context,
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


def _pairs(
    text: str, tokens: list[Token], mentions: list[Mention], verb: VerbMatch
) -> tuple[list[tuple[Mention, Mention]], str]:
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


def _pick_date(dates: list[DateMention], near: int | None) -> DateMention | None:
    if not dates:
        return None
    if near is None:
        return dates[0]
    precise = [d for d in dates if d.precision == "day"] or dates
    return min(precise, key=lambda d: abs(d.start - near))


def _known_code(code: str) -> str:
    codes = _codes()
    while code not in codes and len(code) > 2:
        code = code[:-1] if len(code) == 4 else code[:2]
    return code


def _codes() -> set[str]:
    return set(_tables()["descriptions"])


@lru_cache(maxsize=1)
def _tables() -> dict[str, dict]:
    from tensions import paths

    codes = reference.load_cameo_codes()
    countries = pd.read_csv(paths.COUNTRIES_CSV, dtype=str)
    return {
        "descriptions": dict(zip(codes["cameo_code"], codes["description"], strict=True)),
        "weights": reference.load_goldstein_weights("gdelt").to_dict(),
        "quad": reference.load_quad_class_map("cameo").to_dict(),
        "names": dict(zip(countries["iso3"], countries["name"], strict=True)),
    }


def _evidence(text: str, tokens: list[Token], mentions: list[Mention], verb: VerbMatch) -> str:
    near = [m.first for m in mentions if m.last < verb.first]
    first = max(near[-1] if near else verb.first, verb.first - 7, 0)
    last = min(first + EVIDENCE_WORDS - 1, len(tokens) - 1)
    quote = text[tokens[first].start : tokens[last].end]
    words = quote.split()
    return " ".join(words[:EVIDENCE_WORDS])


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


_CLAUSE_BREAKS = {
    "en": re.compile(r";|,\s+(?:and|while|but|whereas|after which)\s+|\s+while\s+", re.IGNORECASE),
    "ru": re.compile(r";|,\s+(?:а|но|и|тогда как|при этом)\s+", re.IGNORECASE),
}
_LOCATIVE = {"en": ("in", "at", "near", "across", "inside", "within")}


def _clauses(text: str, tokens: list[Token], language: str) -> list[tuple[int, int]]:
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


def _is_location(tokens: list[Token], mention: Mention, language: str) -> bool:
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


def _highlights(
    mentions: list[Mention], verb: VerbMatch, when: DateMention | None, tokens: list[Token]
) -> str:
    spans = [[tokens[m.first].start, tokens[m.last].end, "actor"] for m in mentions]
    spans.append([tokens[verb.first].start, tokens[verb.last].end, "verb"])
    if when is not None:
        spans.append([when.start, when.end, "date"])
    return json.dumps(sorted(spans))


def _row(source: Mention, target: Mention, coding: _Coding) -> dict[str, Any]:
    code, when, sentence, context = coding.code, coding.when, coding.sentence, coding.context
    tables = _tables()
    weights, quad, descriptions, names = (
        tables["weights"],
        tables["quad"],
        tables["descriptions"],
        tables["names"],
    )
    meaning = descriptions.get(code, code)
    title = f"{names.get(source.iso3, source.iso3)} → {names.get(target.iso3, target.iso3)}: {meaning}"
    themes = [_THEMES_BY_ROOT.get(code[:2], "politics")]
    for theme, pattern in _THEME_WORDS.items():
        if re.search(pattern, sentence.text, re.IGNORECASE) and theme not in themes:
            themes.append(theme)
    pair = "-".join(sorted((source.iso3, target.iso3)))
    named = ("country", "adjective", "capital")  # "Russian", "России", "Moscow": the country's name
    actor_detail = names.get(source.iso3, source.detail) if source.kind in named else source.detail
    target_detail = names.get(target.iso3, target.detail) if target.kind in named else target.detail
    return {
        "event_id": "",
        "date": when.date.isoformat(),
        "date_precision": when.precision,
        "end_date": when.end_date.isoformat() if when.end_date else "",
        "actor": source.iso3,
        "target": target.iso3,
        "actor_detail": actor_detail,
        "target_detail": target_detail,
        "cameo_code": code,
        "quad_class": int(quad[code[:2]]),
        "goldstein": float(weights.get(code, 0.0)),
        "goldstein_note": "" if code in weights else "no GDELT weight for this code: 0 used",
        "title": title[:80],
        "description": f"{meaning} ({actor_detail} towards {target_detail}); coded from the article, to be rephrased.",
        "themes": ";".join(themes),
        "location": "",
        "latitude": None,
        "longitude": None,
        "confidence": coding.confidence,
        "source_ids": "",
        "evidence": coding.evidence,
        "date_note": when.note,
        "group_id": "",
        "notes": "",
        "pair": pair,
        "candidate_id": "",
        "status": "pending",
        "sentence": sentence.text,
        "sentence_start": sentence.start,
        "sentence_end": sentence.end,
        "rule": coding.rule,
        "score": coding.score,
        "flags": "; ".join(dict.fromkeys(coding.flags)),
        "matches_event_id": "",
        "all_evidence": coding.evidence,
        "sentence_count": 1,
        "highlights": coding.highlights,
        "language": context.language,
        "source_title": context.source.get("title", ""),
        "source_publisher": context.source.get("publisher", ""),
        "source_url": context.source.get("url", ""),
        "source_published": context.source.get("published", ""),
        "source_file": context.source.get("file", ""),
        "group_key": coding.group_key,
    }


def _finish(frame: pd.DataFrame) -> pd.DataFrame:
    frame = frame.sort_values(["sentence_start", "actor", "target"], kind="stable").reset_index(drop=True)
    frame["candidate_id"] = [f"C-{i + 1:04d}" for i in range(len(frame))]
    groups = frame["group_key"].fillna("")
    numbers = {k: i + 1 for i, k in enumerate(dict.fromkeys(g for g in groups if g))}
    frame["group_id"] = [f"GR-{numbers[g]:02d}" if g else "" for g in groups]
    frame = frame.drop(columns="group_key")
    for column in ("score", "latitude", "longitude", "goldstein"):
        frame[column] = pd.to_numeric(frame[column]).astype("float64")
    for column in ("quad_class", "sentence_start", "sentence_end", "sentence_count"):
        frame[column] = pd.to_numeric(frame[column]).astype("int64")
    text = [
        c
        for c in frame.columns
        if c
        not in (
            "score",
            "latitude",
            "longitude",
            "goldstein",
            "quad_class",
            "sentence_start",
            "sentence_end",
            "sentence_count",
        )
    ]
    frame[text] = frame[text].fillna("").astype("string")
    return frame[list(CANDIDATE_COLUMNS)]


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
