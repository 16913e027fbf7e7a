"""Article coder benchmark: recall, precision, date accuracy and speed against gold events.

Two sets, reported separately:

- **development set**: the five seed articles (``/work/shared/seeds``, skipped when absent), with the curated
  events that cite each article (``data/sources.csv`` maps a source to its file; events cite ``source_ids``)
  as gold. The coder's dictionaries were tuned while looking at these.
- **held-out set**: the short example articles of ``tests/articles/`` (English and Russian, invented for the
  tests, each with an ``.expected.csv``), not used to tune the dictionaries.

A gold event is *found* when a candidate has the same undirected pair, the same side of CAMEO (cooperation
01-08, conflict 09-20) and a date inside the gold event's window (its day, month or year, or
``date``..``end_date``). *Precision* is the share of candidates that find some gold event of their article.
A stricter recall also asks for the same CAMEO root. *Date accuracy* is, among candidates with a gold event of the same pair and side, the share whose date lies
in that event's window. Speed: milliseconds per article and per 2,000 words, dictionaries already loaded
(median of three runs).
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

import pandas as pd

from tensions import paths
from tensions.coder import code_article

SEEDS_DIR = paths.seeds_dir()
#: Publication dates the seed texts do not state, as estimated in the notes of ``data/sources.csv``
#: (an analyst coding an article knows its date).
ESTIMATED_PUBLISHED = {"S000": "2025-01-04", "S001": "2025-03-25", "S003": "2022-01-14"}
EXAMPLES_DIR = paths.EXAMPLE_ARTICLES_DIR


def side(code: str) -> str:
    """``coop`` for CAMEO roots 01-08, ``conflict`` for 09-20."""
    return "coop" if int(str(code)[:2]) <= 8 else "conflict"


def window(row: pd.Series) -> tuple[pd.Timestamp, pd.Timestamp]:
    """First and last day of a gold event's date window."""
    start = pd.Timestamp(row["date"])
    if pd.notna(row.get("end_date")) and str(row.get("end_date")) not in ("", "NaT"):
        return start, pd.Timestamp(row["end_date"])
    precision = str(row["date_precision"])
    if precision == "month":
        return start, start + pd.offsets.MonthEnd(0)
    if precision == "year":
        return start, start + pd.offsets.YearEnd(0)
    return start, start


def _same(cand: pd.Series, gold: pd.Series) -> bool:
    pair = sorted((cand["actor"], cand["target"])) == sorted((gold["actor"], gold["target"]))
    return pair and side(cand["cameo_code"]) == side(gold["cameo_code"])


def _inside(cand: pd.Series, gold: pd.Series) -> bool:
    first, last = window(gold)
    return first <= pd.Timestamp(cand["date"]) <= last


def evaluate(candidates: pd.DataFrame, gold: pd.DataFrame) -> dict[str, int]:
    """Counts for one article: gold found, candidates correct, date checks."""
    found = sum(
        any(_same(c, g) and _inside(c, g) for _, c in candidates.iterrows()) for _, g in gold.iterrows()
    )
    correct = sum(
        any(_same(c, g) and _inside(c, g) for _, g in gold.iterrows()) for _, c in candidates.iterrows()
    )
    found_root = sum(
        any(_same(c, g) and _inside(c, g) and str(c["cameo_code"])[:2] == str(g["cameo_code"])[:2]
            for _, c in candidates.iterrows())
        for _, g in gold.iterrows()
    )  # fmt: skip
    dated = [(c, [g for _, g in gold.iterrows() if _same(c, g)]) for _, c in candidates.iterrows()]
    dated = [(c, gs) for c, gs in dated if gs]
    date_ok = sum(any(_inside(c, g) for g in gs) for c, gs in dated)
    return {
        "gold": len(gold),
        "found": found,
        "found_root": found_root,
        "candidates": len(candidates),
        "correct": correct,
        "dated": len(dated),
        "date_ok": date_ok,
    }


def _time(text_path: Path, **kwargs) -> float:
    runs = []
    for _ in range(3):
        started = time.perf_counter()
        code_article(text_path, **kwargs)
        runs.append(time.perf_counter() - started)
    return statistics.median(runs)


def run_set(
    name: str, articles: list[tuple[Path, str | None, str | None, pd.DataFrame]], known: pd.DataFrame
):
    """Code every article of a set, print one line per article and the totals; return the totals."""
    rows = []
    print(f"\n-- {name}")
    for path, published, language, gold in articles:
        candidates = code_article(path, published=published, language=language, known_events=known)
        seconds = _time(path, published=published, language=language, known_events=known)
        words = len(path.read_text(encoding="utf-8").split())
        counts = evaluate(candidates, gold)
        counts.update(article=path.name, words=words, ms=seconds * 1000)
        rows.append(counts)
        print(
            f"{path.name:34s} {words:5d} words  gold {counts['gold']:2d}  found {counts['found']:2d}  "
            f"candidates {counts['candidates']:2d}  correct {counts['correct']:2d}  {counts['ms']:7.1f} ms"
        )
    table = pd.DataFrame(rows)
    totals = {
        "recall": table["found"].sum() / max(table["gold"].sum(), 1),
        "precision": table["correct"].sum() / max(table["candidates"].sum(), 1),
        "date_accuracy": table["date_ok"].sum() / max(table["dated"].sum(), 1),
        "ms_per_article": table["ms"].mean(),
        "ms_per_2000_words": (table["ms"].sum() / table["words"].sum()) * 2000,
    }
    print(
        f"{name}: recall {totals['recall']:.0%} ({table['found'].sum()}/{table['gold'].sum()}), "
        f"precision {totals['precision']:.0%} ({table['correct'].sum()}/{table['candidates'].sum()}), "
        f"date accuracy {totals['date_accuracy']:.0%} ({table['date_ok'].sum()}/{table['dated'].sum()}), "
        f"{totals['ms_per_article']:.0f} ms per article, {totals['ms_per_2000_words']:.0f} ms per 2,000 words"
    )
    print(
        f"{name}: stricter recall (same CAMEO root, not only the same side) "
        f"{table['found_root'].sum() / max(table['gold'].sum(), 1):.0%} ({table['found_root'].sum()}/{table['gold'].sum()})"
    )
    return totals


def seed_articles(events: pd.DataFrame) -> list[tuple[Path, str | None, str | None, pd.DataFrame]]:
    """The seed articles with their publication date (when known) and their curated events as gold."""
    sources = pd.read_csv(paths.SOURCES_CSV, dtype=str)
    out = []
    if SEEDS_DIR is None:
        return out
    for _, source in sources.iterrows():
        path = SEEDS_DIR / source["file"]
        if not path.exists():
            continue
        cites = (
            events["source_ids"].astype(str).str.split(";").map(lambda ids, s=source["source_id"]: s in ids)
        )
        published = source["published"] if isinstance(source["published"], str) else None
        published = published or ESTIMATED_PUBLISHED.get(source["source_id"])
        out.append((path, published, "en", events[cites]))
    return out


def example_articles() -> list[tuple[Path, str | None, str | None, pd.DataFrame]]:
    """The held-out example articles with their expected events."""
    index = pd.read_csv(EXAMPLES_DIR / "articles.csv", dtype=str)
    out = []
    for _, row in index.iterrows():
        path = EXAMPLES_DIR / row["file"]
        gold = pd.read_csv(path.with_suffix(".expected.csv"), dtype=str)
        out.append((path, row["published"], None, gold))
    return out


def main(argv: list[str]) -> int:
    from tensions.data import load_events

    events = load_events(include_own=False)
    code_article("Russia accused Azerbaijan on 1 May 2025.", published="2025-05-02", known_events=events)
    code_article("Россия обвинила Азербайджан 1 мая 2025 года.", published="2025-05-02", known_events=events)
    seeds = seed_articles(events)
    if seeds:
        run_set("development set (five seed articles, curated events as gold)", seeds, events)
    else:
        print("\n-- development set skipped: the seed articles are not on this machine (TENSIONS_SEEDS_DIR)")
    run_set("held-out set (tests/articles, expected events)", example_articles(), events.iloc[0:0])
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
