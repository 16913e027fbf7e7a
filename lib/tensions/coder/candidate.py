"""The candidate table: its columns, the row a coded clause gives each pair, and the finished table."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import Any

import pandas as pd

from tensions import reference
from tensions.coder.actors import Mention
from tensions.coder.dates import DateMention
from tensions.coder.language import Sentence, Token
from tensions.coder.verbs import VerbMatch
from tensions.schema import EVENT_FIELDS

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
#: The numeric columns of a candidate; every other column is text.
_FLOAT_COLUMNS = ("score", "latitude", "longitude", "goldstein")
_INT_COLUMNS = ("quad_class", "sentence_start", "sentence_end", "sentence_count")
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
class ArticleContext:
    """What every candidate of an article shares: its language, the day relative dates count from, its source."""

    language: str
    base: date | None
    base_note: str
    source: dict[str, str]


@dataclass(frozen=True)
class Coding:
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
    context: ArticleContext
    group_key: str


def known_code(code: str) -> str:
    """Return the code, or its shortest known parent (``0874`` -> ``087`` -> ``08``), in the CAMEO table."""
    codes = _codes()
    while code not in codes and len(code) > 2:
        code = code[:-1] if len(code) == 4 else code[:2]
    return code


def _codes() -> set[str]:
    return set(reference_tables()["descriptions"])


@lru_cache(maxsize=1)
def reference_tables() -> dict[str, dict]:
    """The CAMEO descriptions, GDELT Goldstein weights, quad classes and country names the rows use (cached)."""
    from tensions import paths

    codes = reference.load_cameo_codes()
    countries = pd.read_csv(paths.COUNTRIES_CSV, dtype=str)
    return {
        "descriptions": dict(zip(codes["cameo_code"], codes["description"], strict=True)),
        "weights": reference.load_goldstein_weights("gdelt").to_dict(),
        "quad": reference.load_quad_class_map("cameo").to_dict(),
        "names": dict(zip(countries["iso3"], countries["name"], strict=True)),
    }


def quote_evidence(text: str, tokens: list[Token], mentions: list[Mention], verb: VerbMatch) -> str:
    """Quote the sentence from the actor before the verb, at most :data:`EVIDENCE_WORDS` words."""
    near = [m.first for m in mentions if m.last < verb.first]
    first = max(near[-1] if near else verb.first, verb.first - 7, 0)
    last = min(first + EVIDENCE_WORDS - 1, len(tokens) - 1)
    quote = text[tokens[first].start : tokens[last].end]
    words = quote.split()
    return " ".join(words[:EVIDENCE_WORDS])


def highlight_spans(
    mentions: list[Mention], verb: VerbMatch, when: DateMention | None, tokens: list[Token]
) -> str:
    """Return the character spans of the actors, the verb and the date, as JSON ``[start, end, kind]`` lists."""
    spans = [[tokens[m.first].start, tokens[m.last].end, "actor"] for m in mentions]
    spans.append([tokens[verb.first].start, tokens[verb.last].end, "verb"])
    if when is not None:
        spans.append([when.start, when.end, "date"])
    return json.dumps(sorted(spans))


def candidate_row(source: Mention, target: Mention, coding: Coding) -> dict[str, Any]:
    """Return the candidate row of one pair of a coded clause: the event's columns and the review's."""
    code, when, sentence, context = coding.code, coding.when, coding.sentence, coding.context
    tables = reference_tables()
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


def finish_candidates(frame: pd.DataFrame) -> pd.DataFrame:
    """Number and group the candidates in reading order and type them: :data:`CANDIDATE_COLUMNS`, in order."""
    frame = frame.sort_values(["sentence_start", "actor", "target"], kind="stable").reset_index(drop=True)
    frame["candidate_id"] = [f"C-{i + 1:04d}" for i in range(len(frame))]
    groups = frame["group_key"].fillna("")
    numbers = {k: i + 1 for i, k in enumerate(dict.fromkeys(g for g in groups if g))}
    frame["group_id"] = [f"GR-{numbers[g]:02d}" if g else "" for g in groups]
    frame = frame.drop(columns="group_key")
    typed = {**dict.fromkeys(_FLOAT_COLUMNS, "float64"), **dict.fromkeys(_INT_COLUMNS, "int64")}
    for column, dtype in typed.items():
        frame[column] = pd.to_numeric(frame[column]).astype(dtype)
    text = [c for c in frame.columns if c not in typed]
    frame[text] = frame[text].fillna("").astype("string")
    return frame[list(CANDIDATE_COLUMNS)]
