"""Find dates in a sentence and resolve them against the publication date.

Spotting is done with patterns (which phrase is a date, and how precise it is); the phrase is then
parsed by ``dateparser`` with the publication date as its base, preferring the past. Year-less and
relative dates get a ``date_note`` saying what the article says and which base was used. A weekday
that disagrees with the day of the month is flagged with both dates; the day of the month is kept.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from functools import lru_cache

_EN_MONTHS = (
    r"(?:January|February|March|April|May|June|July|August|September|October|November|December|"
    r"Jan\.?|Feb\.?|Mar\.?|Apr\.?|Jun\.?|Jul\.?|Aug\.?|Sept?\.?|Oct\.?|Nov\.?|Dec\.?)"
)
_EN_DAYS = r"(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)"
_RU_GEN = r"(?:января|февраля|марта|апреля|мая|июня|июля|августа|сентября|октября|ноября|декабря)"
_RU_PREP = r"(?:январе|феврале|марте|апреле|мае|июне|июле|августе|сентябре|октябре|ноябре|декабре)"
_RU_DAYS = r"(?:понедельник|вторник|среду|четверг|пятницу|субботу|воскресенье)"
_ORD = r"(?:st|nd|rd|th)?"
_YEAR = r"(?P<y>(?:19|20)\d{2})"

#: (kind, pattern) in the order they are tried; a span taken by one is not matched again.
PATTERNS: dict[str, tuple[tuple[str, str], ...]] = {
    "en": (
        (
            "weekday-day",
            rf"\b(?P<wd>{_EN_DAYS}),?\s*\(?\s*(?P<d>\d{{1,2}}){_ORD}\s+(?:of\s+)?(?P<m>{_EN_MONTHS})\)?(?:,?\s+{_YEAR})?",
        ),
        (
            "weekday-day",
            rf"\b(?P<wd>{_EN_DAYS}),?\s*\(?\s*(?P<m>{_EN_MONTHS})\s+(?P<d>\d{{1,2}}){_ORD}\)?(?:,?\s+{_YEAR})?\b",
        ),
        ("day", rf"\b(?P<m>{_EN_MONTHS})\s+(?P<d>\d{{1,2}}){_ORD}\b(?:,?\s+{_YEAR})?"),
        ("day", rf"\b(?P<d>\d{{1,2}}){_ORD}\s+(?:of\s+)?(?P<m>{_EN_MONTHS})(?:,?\s+{_YEAR})?"),
        ("month", rf"\b(?:(?:early|mid|late)[- ])?(?P<m>{_EN_MONTHS})\s+(?:of\s+)?{_YEAR}\b"),
        ("month", rf"\b(?:last|this past|this|in|early|late|mid-)\s+(?P<m>{_EN_MONTHS})(?!\s+\d)\b"),
        (
            "after",
            r"\b(?:the next day|the following day|a day later|(?P<n>\d+|two|three|four|five) days later)\b",
        ),
        (
            "relative-day",
            r"\b(?:the day before yesterday|yesterday|today|last night|\d+ days ago|two days ago|three days ago)\b",
        ),
        ("relative-week", r"\blast week\b"),
        ("relative-month", r"\blast month\b"),
        ("relative-year", r"\blast year\b"),
        ("weekday", rf"\b(?:on|last|this past)\s+(?P<wd>{_EN_DAYS})\b"),
        ("year", rf"\b(?:in|since|during|by|of|early|late)\s+{_YEAR}\b"),
    ),
    "ru": (
        (
            "weekday-day",
            rf"(?<!\w)во?\s+(?P<wd>{_RU_DAYS})\s*,?\s*\(?(?P<d>\d{{1,2}})\s+(?P<m>{_RU_GEN})\)?(?:\s+{_YEAR}(?:\s*(?:года|г\.))?)?",
        ),
        ("day", rf"(?<!\w)(?P<d>\d{{1,2}})\s+(?P<m>{_RU_GEN})(?:\s+{_YEAR}(?:\s*(?:года|г\.))?)?"),
        ("month", rf"(?<!\w)в\s+(?P<m>{_RU_PREP})(?:\s+{_YEAR}\s*(?:года|г\.)?)?"),
        (
            "after",
            r"(?<!\w)(?:на следующий день|на другой день|спустя день|через (?P<n>\d+|два|три|четыре|пять) дня|(?P<n2>\d+|два|три|четыре|пять) дня спустя)(?!\w)",
        ),
        ("relative-day", r"(?<!\w)(?:позавчера|вчера|сегодня|\d+ дн(?:я|ей) назад)(?!\w)"),
        ("relative-week", r"(?<!\w)на прошлой неделе(?!\w)"),
        ("relative-month", r"(?<!\w)в прошлом месяце(?!\w)"),
        ("relative-year", r"(?<!\w)в прошлом году(?!\w)"),
        ("weekday", rf"(?<!\w)(?:во?|в прошлую|в прошлый|в прошлое)\s+(?P<wd>{_RU_DAYS})(?!\w)"),
        ("year", rf"(?<!\w)в\s+{_YEAR}\s*(?:году|г\.)"),
    ),
}
_COMPILED = {
    lang: tuple((k, re.compile(p, re.IGNORECASE)) for k, p in pats) for lang, pats in PATTERNS.items()
}
_EN_WEEKDAYS = [d.lower() for d in calendar.day_name]
_RU_WEEKDAYS = ["понедельник", "вторник", "среду", "четверг", "пятницу", "субботу", "воскресенье"]


@dataclass(frozen=True)
class DateMention:
    """A date found in a sentence: span, resolved first day, precision, last day, note and flag."""

    start: int
    end: int
    text: str
    date: date
    precision: str
    end_date: date | None
    note: str
    flag: str
    kind: str


_NUMBERS = {"two": 2, "three": 3, "four": 4, "five": 5, "два": 2, "три": 3, "четыре": 4, "пять": 5}


def find_dates(
    sentence: str, language: str, base: date | None, base_note: str = "", previous: date | None = None
) -> list[DateMention]:
    """Every date phrase of ``sentence`` resolved against ``base`` (the publication date).

    Args:
        sentence: the sentence text.
        language: ``en`` or ``ru``.
        base: the publication date (relative and year-less dates need it; without it they are skipped).
        base_note: how the base was obtained, when it is not the publication date.
        previous: the last date the article gave before this sentence ("the next day" counts from it).

    >>> [d.date.isoformat() for d in find_dates("He called on December 29.", "en", date(2025, 1, 3))]
    ['2024-12-29']
    """
    found: list[DateMention] = []
    taken: list[tuple[int, int]] = []
    for kind, pattern in _COMPILED.get(language, ()):
        for m in pattern.finditer(sentence):
            if any(m.start() < e and s < m.end() for s, e in taken):
                continue
            mention = _after(m, previous) if kind == "after" else _resolve(m, kind, language, base, base_note)
            if mention:
                found.append(mention)
                taken.append((m.start(), m.end()))
    return sorted(found, key=lambda d: d.start)


def _resolve(m: re.Match, kind: str, language: str, base: date | None, base_note: str) -> DateMention | None:
    if base is None and not m.groupdict().get("y"):
        return None
    based = f"the publication date {base}" if not base_note else f"{base_note} ({base})"
    if kind in ("day", "weekday-day", "month", "year"):
        return _resolve_calendar(m, kind, language, base, based)
    return _resolve_relative(m, kind, language, base, based)


def _span(start: date, precision: str) -> tuple[date, date | None]:
    """Return the first and last day of the month or year of ``start`` (a day: itself and None)."""
    if precision == "month":
        first = start.replace(day=1)
        return first, first.replace(day=calendar.monthrange(first.year, first.month)[1])
    if precision == "year":
        return date(start.year, 1, 1), date(start.year, 12, 31)
    return start, None


def _resolve_calendar(
    m: re.Match, kind: str, language: str, base: date | None, based: str
) -> DateMention | None:
    """Resolve a calendar date: a day (with or without its weekday), a month or a year."""
    groups = m.groupdict()
    text = m.group().strip()
    if kind == "year":
        first, last = _span(date(int(groups["y"]), 1, 1), "year")
        return DateMention(m.start(), m.end(), text, first, "year", last, "", "", kind)
    day = "" if kind == "month" else f"{groups['d']} "
    parsed = _parse(f"{day}{_month_word(groups['m'], language)} {groups.get('y') or ''}", language, base)
    if parsed is None:
        return None
    note = "" if groups.get("y") else f"'{text}': year taken from {based}"
    if kind == "month":
        first, last = _span(parsed, "month")
        return DateMention(m.start(), m.end(), text, first, "month", last, note, "", kind)
    mention = DateMention(m.start(), m.end(), text, parsed, "day", None, note, "", kind)
    return _check_weekday(mention, groups.get("wd"), language) if kind == "weekday-day" else mention


def _resolve_relative(
    m: re.Match, kind: str, language: str, base: date | None, based: str
) -> DateMention | None:
    """Resolve a date relative to the publication date: a weekday, a day, a week, a month or a year."""
    text = m.group().strip()
    phrase = _weekday_word(m.groupdict()["wd"], language) if kind == "weekday" else text
    parsed = _parse(_relative_phrase(phrase, language), language, base)
    if parsed is None:
        return None
    note = f"'{text}' counted from {based}"
    if kind == "relative-week":
        monday = parsed - timedelta(days=parsed.weekday())
        sunday = monday + timedelta(days=6)
        return DateMention(
            m.start(), m.end(), text, monday, "day", sunday, note, "week only: date is the Monday", kind
        )
    precision = {"relative-month": "month", "relative-year": "year"}.get(kind, "day")
    first, last = _span(parsed, precision)
    return DateMention(m.start(), m.end(), text, first, precision, last, note, "", kind)


def _after(m: re.Match, previous: date | None) -> DateMention | None:
    if previous is None:
        return None
    count = m.group("n") or m.groupdict().get("n2") or "1"
    days = int(count) if count.isdigit() else _NUMBERS[count.lower()]
    when = previous + timedelta(days=days)
    note = f"'{m.group().strip()}' counted from the previous date in the article ({previous})"
    return DateMention(m.start(), m.end(), m.group().strip(), when, "day", None, note, "", "after")


def _check_weekday(mention: DateMention, weekday: str | None, language: str) -> DateMention:
    if not weekday:
        return mention
    names = _RU_WEEKDAYS if language == "ru" else _EN_WEEKDAYS
    wanted = names.index(weekday.lower())
    actual = mention.date.weekday()
    if wanted == actual:
        return mention
    shift = (wanted - actual + 3) % 7 - 3  # nearest day with that weekday, within three days
    other = mention.date + timedelta(days=shift)
    flag = (
        f"weekday contradiction: the article says {weekday} but {mention.date} is a "
        f"{calendar.day_name[actual]}; the nearest {calendar.day_name[wanted]} is {other}. "
        f"Kept {mention.date} (the day of the month)"
    )
    return replace(mention, flag=flag)


def _month_word(month: str, language: str) -> str:
    if language == "ru" and month.lower().endswith("е"):
        from tensions.coder.language import _lemma_ru

        return _lemma_ru(month.lower())
    return month.rstrip(".")


def _weekday_word(word: str, language: str) -> str:
    return word.lower()


def _relative_phrase(phrase: str, language: str) -> str:
    lowered = phrase.lower()
    if lowered == "last night":
        return "yesterday"
    return lowered


def _parse(phrase: str, language: str, base: date | None) -> date | None:
    return _parse_cached(" ".join(phrase.split()), language, base)


@lru_cache(maxsize=20_000)
def _parse_cached(phrase: str, language: str, base: date | None) -> date | None:
    import dateparser

    settings = {
        "PREFER_DATES_FROM": "past",
        "PREFER_DAY_OF_MONTH": "first",
        "RETURN_AS_TIMEZONE_AWARE": False,
    }
    if base is not None:
        settings["RELATIVE_BASE"] = datetime(base.year, base.month, base.day)
    parsed = dateparser.parse(phrase, languages=[language], settings=settings)
    return parsed.date() if parsed else None
