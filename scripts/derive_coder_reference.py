"""Derive the article coder's compact English dictionaries from the PETRARCH2 dictionaries.

Run by hand when the PETRARCH2 copy changes (the workbook itself never writes ``data/``)::

    .venv/bin/python scripts/derive_coder_reference.py /work/shared/reference/petrarch2

Writes ``data/reference/coder/verbs_en.csv`` (verb lemma, object words or ``&set``, CAMEO code, line
of ``CAMEO.2.0.txt``), ``synsets_en.csv`` (the ``&set`` word lists) and ``data/reference/coder/actors_en.csv`` (phrase, ISO3 code, kind, line of
``Phoenix.Countries.actors.txt``), and copies PETRARCH2's ``LICENSE``. See ``data/reference/PROVENANCE.md``.
"""

from __future__ import annotations

import csv
import re
import shutil
import sys
from pathlib import Path

OUT_DIR = Path(__file__).resolve().parents[1] / "data" / "reference" / "coder"
CODE = re.compile(r"\[(\d{2,4})(?::\d+)?\]")
INSTITUTION_SUFFIXES = ("GOV", "MIL", "COP", "SPY", "LEG", "JUD")


def _words(token: str) -> str:
    return token.strip("+{}()").rstrip("_").replace("_", " ").lower().strip()


def _read_synsets(lines: list[str]) -> dict[str, list[str]]:
    synsets: dict[str, list[str]] = {}
    current = None
    for line in lines:
        text = line.split("#", 1)[0].strip()
        if text.startswith("&"):
            current = text.split()[0]
            synsets[current] = []
        elif text.startswith("+") and current:
            synsets[current].append(_words(text.split()[0]))
        elif not text:
            continue
        else:
            current = None
    return synsets


def derive_synsets(path: Path) -> list[dict[str, str]]:
    """The ``&NAME`` word sets that verb patterns refer to."""
    lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
    start = next(i for i, line in enumerate(lines) if "VERB PATTERNS" in line)
    synsets = _read_synsets(lines[:start])
    return [
        {"synset": name.lower(), "word": word} for name, words in synsets.items() for word in words if word
    ]


def derive_verbs(path: Path) -> list[dict[str, str]]:
    """Verb lemmas with their default code, and ``verb * object`` patterns with theirs."""
    lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
    start = next(i for i, line in enumerate(lines) if "VERB PATTERNS" in line)
    synsets = _read_synsets(lines[:start])
    rows: list[dict[str, str]] = []
    block_code, verbs = None, []
    for number, raw in enumerate(lines[start + 1 :], start=start + 2):
        text = raw.split("#", 1)[0].rstrip()
        if not text.strip():
            continue
        if text.startswith("---"):
            found = CODE.search(text)
            block_code, verbs = (found.group(1) if found else None), []
            continue
        if text.startswith("-"):
            code = CODE.search(text)
            body = text[1:].split("[", 1)[0].split()
            if not code or "*" not in body or body[0] != "*":
                continue  # only patterns with the verb first: ``- * OBJECT ... [code]``
            terms = []
            for token in body[1:]:
                for part in re.split(r"[{}()]", token):
                    part = part.strip()
                    if not part or part in ("$", "+", "%", "^", "*"):
                        continue
                    if part.startswith("&"):
                        if part not in synsets:
                            terms = None
                            break
                        terms.append(part.lower())
                    elif re.fullmatch(r"[A-Z][A-Z'_-]*", part):
                        terms.append(_words(part))
                    else:
                        terms = None
                        break
                if terms is None:
                    break
            if terms and len(terms) <= 4:
                for verb in verbs:
                    rows.append(
                        {
                            "lemma": verb,
                            "object": " ".join(terms),
                            "cameo_code": code.group(1),
                            "line": str(number),
                        }
                    )
            continue
        head = text.split("[", 1)[0]
        name = head.split("{", 1)[0].split()
        if not name:
            continue
        verb = _words(name[0])
        found = CODE.search(text)
        code = found.group(1) if found else block_code
        verbs.append(verb)
        forms = re.findall(r"\{([^}]*)\}", head)
        if code:
            rows.append({"lemma": verb, "object": "", "cameo_code": code, "line": str(number)})
            for form in forms[0].split() if forms else []:
                rows.append({"lemma": _words(form), "object": "", "cameo_code": code, "line": str(number)})
    unique = {(r["lemma"], r["object"], r["cameo_code"]): r for r in rows}
    return sorted(unique.values(), key=lambda r: (r["lemma"], r["object"], r["cameo_code"]))


def derive_actors(path: Path) -> list[dict[str, str]]:
    """Country names, adjectives, places and institutions with their ISO3 (CAMEO country) code."""
    blocks: list[tuple[list[tuple[str, int]], list[tuple[str, str]], bool]] = []
    for number, raw in enumerate(path.read_text(encoding="utf-8", errors="replace").splitlines(), start=1):
        if not raw.strip() or raw.lstrip().startswith("#"):
            continue
        text = raw.split("#", 1)[0]
        if raw[0] not in " \t+":
            blocks.append(([(_words(text.split("[")[0].split()[0]), number)], [], "CountryInfo" in raw))
        elif raw.startswith("+") and blocks:
            blocks[-1][0].append((_words(text.split()[0]), number))
        if blocks:
            blocks[-1][1].extend(re.findall(r"\[([A-Z]{3,6})(?: ([<>]?[\d-]+))?\]", text))
    rows: list[dict[str, str]] = []
    for names, codes, person in blocks:
        current = [code for code, dates in codes if not dates or dates.startswith(">")]
        if person or not current:
            continue
        code = current[-1]
        if len(code) == 3:
            kind = "country"
        elif code[3:] in INSTITUTION_SUFFIXES:
            kind = "institution"
        else:
            continue
        for phrase, line in names:
            if phrase and re.fullmatch(r"[a-z][a-z .'-]*", phrase):
                rows.append({"phrase": phrase, "iso3": code[:3], "kind": kind, "line": str(line)})
    unique = {(r["phrase"], r["iso3"]): r for r in rows}
    return sorted(unique.values(), key=lambda r: (r["iso3"], r["phrase"]))


def _write(rows: list[dict[str, str]], path: Path) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    print(f"{path}: {len(rows)} rows")


def main(argv: list[str]) -> int:
    source = Path(argv[0] if argv else "/work/shared/reference/petrarch2")
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    _write(derive_verbs(source / "CAMEO.2.0.txt"), OUT_DIR / "verbs_en.csv")
    _write(derive_synsets(source / "CAMEO.2.0.txt"), OUT_DIR / "synsets_en.csv")
    _write(derive_actors(source / "Phoenix.Countries.actors.txt"), OUT_DIR / "actors_en.csv")
    shutil.copyfile(source / "LICENSE", OUT_DIR / "PETRARCH2-LICENSE.txt")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
