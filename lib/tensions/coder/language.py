"""Language identification, sentence splitting, tokens and lemmas."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from tensions.coder.read import CoderError

#: Languages the coder has dictionaries for (actors, verb patterns, hedges, dates).
SUPPORTED_LANGUAGES: dict[str, str] = {"en": "English", "ru": "Russian"}
_WORD = re.compile(r"\w+(?:[-‐]\w+)*", re.UNICODE)


@dataclass(frozen=True)
class Token:
    """A word of a sentence: its text, character offsets in the sentence, lower case and lemma."""

    text: str
    start: int
    end: int
    lower: str
    lemma: str


@dataclass(frozen=True)
class Sentence:
    """A sentence with its character span in the article and its paragraph number."""

    text: str
    start: int
    end: int
    paragraph: int


def detect_language(text: str, language: str | None = None) -> str:
    """Return the ISO 639-1 code of ``text`` (py3langid), or check ``language`` when given.

    Raises:
        CoderError: a language the coder has no dictionaries for.

    >>> detect_language("Вчера Россия обвинила Азербайджан в нарушении договорённостей.")
    'ru'
    """
    if language is None:
        language = _identifier().classify(text[:20_000])[0]
    language = language.lower()
    if language not in SUPPORTED_LANGUAGES:
        known = ", ".join(f"{code} ({name})" for code, name in SUPPORTED_LANGUAGES.items())
        raise CoderError(
            f"the article is in language {language!r}, which the coder has no dictionaries for; "
            f"it codes {known} (pass language= to override the detection)"
        )
    return language


#: Languages the identifier chooses among: ours, the region's and the most common others, so that a short
#: English or Russian text is not taken for a rare language.
CANDIDATE_LANGUAGES = (
    "en",
    "ru",
    "uk",
    "be",
    "kk",
    "ky",
    "uz",
    "az",
    "tr",
    "fa",
    "ar",
    "zh",
    "de",
    "fr",
    "es",
    "pt",
    "it",
    "pl",
)


@lru_cache(maxsize=1)
def _identifier():
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    identifier = LanguageIdentifier.from_model_file(MODEL_FILE)
    identifier.set_languages(list(CANDIDATE_LANGUAGES))
    return identifier


def split_sentences(text: str, language: str) -> list[Sentence]:
    """Split ``text`` into sentences (razdel for Russian, sentencex otherwise), keeping character spans."""
    sentences: list[Sentence] = []
    offset = 0
    for number, paragraph in enumerate(re.split(r"\n\s*\n", text)):
        start = text.index(paragraph, offset) if paragraph else offset
        offset = start + len(paragraph)
        for s_start, s_end in _paragraph_spans(paragraph, language):
            piece = paragraph[s_start:s_end]
            lead = len(piece) - len(piece.lstrip())
            piece = piece.strip()
            if piece:
                begin = start + s_start + lead
                sentences.append(Sentence(piece.replace("\n", " "), begin, begin + len(piece), number))
    return sentences


def _paragraph_spans(paragraph: str, language: str) -> list[tuple[int, int]]:
    if language == "ru":
        import razdel

        return [(s.start, s.stop) for s in razdel.sentenize(paragraph)]
    from sentencex import segment

    spans, cursor = [], 0
    for piece in segment(language, paragraph):
        found = paragraph.find(piece.strip(), cursor)
        if found < 0:
            continue
        spans.append((found, found + len(piece.strip())))
        cursor = found + len(piece.strip())
    return spans


def tokenize(sentence: str, language: str) -> list[Token]:
    """Words of ``sentence`` with offsets and lemmas (pymorphy3 for Russian, simplemma otherwise)."""
    tokens = []
    for m in _WORD.finditer(sentence):
        lower = m.group().lower()
        lemma = _lemma_ru(lower) if language == "ru" else _lemma_simplemma(lower, language)
        tokens.append(Token(m.group(), m.start(), m.end(), lower, lemma))
    return tokens


@lru_cache(maxsize=1)
def _morph():
    import pymorphy3

    return pymorphy3.MorphAnalyzer(lang="ru")


@lru_cache(maxsize=200_000)
def _lemma_ru(word: str) -> str:
    if not re.search(r"[а-яё]", word):
        return word
    return _morph().parse(word)[0].normal_form


@lru_cache(maxsize=200_000)
def _lemma_simplemma(word: str, language: str) -> str:
    import simplemma

    return simplemma.lemmatize(word, lang=language).lower()
