"""Read an article: plain text, a saved HTML page (boilerplate stripped) or a string."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

#: Articles longer than this (characters) are refused: the coder is made for news articles.
MAX_CHARS = 2_000_000
_HTML_HINT = re.compile(r"<\s*(html|body|p|div|article|head|script|!doctype)\b", re.IGNORECASE)
_DROP_TAGS = (
    "script",
    "style",
    "noscript",
    "template",
    "nav",
    "header",
    "footer",
    "aside",
    "form",
    "iframe",
    "svg",
)


class CoderError(ValueError):
    """An article cannot be coded; the message says why and what to do."""


@dataclass(frozen=True)
class Article:
    """The text of an article and where it came from.

    Attributes:
        text: the plain text, paragraphs separated by blank lines.
        file: file name when read from a file, else ``""``.
        title: the page title of an HTML page, else ``""``.
    """

    text: str
    file: str = ""
    title: str = ""


def read_article(text_or_path: str | Path) -> Article:
    """Read ``text_or_path`` (a path to a ``.txt``/``.html`` file, or the text itself) into an :class:`Article`.

    Raises:
        CoderError: empty text, a file that is not text (binary), or a file that does not exist.

    >>> read_article("Russia and Azerbaijan met.").text
    'Russia and Azerbaijan met.'
    """
    file = ""
    if isinstance(text_or_path, Path) or _looks_like_path(text_or_path):
        path = Path(text_or_path)
        if not path.is_file():
            raise CoderError(
                f"{path}: no such file (give the article's text or the path of a .txt or .html file)"
            )
        raw = path.read_bytes()
        if len(raw) > MAX_CHARS * 4:
            raise CoderError(f"{path}: {len(raw):,} bytes is too large for one article")
        if b"\x00" in raw[:8192]:
            raise CoderError(f"{path}: this is a binary file, not an article (save it as .txt or .html)")
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            text = _decode_other(raw, path)
        file = path.name
    else:
        text = str(text_or_path)
    title = ""
    if _HTML_HINT.search(text[:5000]) or file.lower().endswith((".html", ".htm")):
        text, title = _html_to_text(text)
    text = _normalise(text)
    if len(text) > MAX_CHARS:
        raise CoderError(f"the article has {len(text):,} characters; the coder takes at most {MAX_CHARS:,}")
    if not re.search(r"\w{2,}", text):
        where = f"{file}: " if file else ""
        raise CoderError(f"{where}the article is empty (no words to code)")
    return Article(text=text, file=file, title=title)


def _decode_other(raw: bytes, path: Path) -> str:
    """Text in another encoding (a page's declared charset, or a guess such as windows-1251), via Beautiful Soup."""
    from bs4 import UnicodeDammit

    guess = UnicodeDammit(raw, ["windows-1251", "koi8-r", "windows-1252"])
    if guess.unicode_markup is None:
        raise CoderError(
            f"{path}: the file's text encoding is not recognised (save it as UTF-8 .txt or .html)"
        )
    return guess.unicode_markup


def _looks_like_path(value: str) -> bool:
    if "\n" in value or len(value) >= 4096:
        return False
    if re.search(r"\.(txt|html?|md)$", value.strip(), re.I):
        return True
    try:
        return Path(value).is_file()
    except OSError:  # a text no file system takes as a name (too long, say) is text
        return False


def _html_to_text(html: str) -> tuple[str, str]:
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(html, "html.parser")
    title = soup.title.get_text(" ", strip=True) if soup.title else ""
    for tag in soup(_DROP_TAGS):
        tag.decompose()
    body = soup.find("article") or soup.find("main") or soup.body or soup
    blocks = [
        el.get_text(" ", strip=True) for el in body.find_all(["p", "h1", "h2", "h3", "li", "blockquote"])
    ]
    text = "\n\n".join(b for b in blocks if b) or body.get_text("\n", strip=True)
    return text, title


def _normalise(text: str) -> str:
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\u00a0", " ")
    text = re.sub(r"[ \t]+", " ", text)
    return re.sub(r"\n{3,}", "\n\n", text).strip()
