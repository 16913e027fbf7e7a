"""Command line of the coder: ``python -m tensions code`` and ``python -m tensions accept``.

``python -m tensions code ARTICLE --out candidates.csv`` codes an article, ``python -m tensions accept
candidates.csv`` keeps the accepted candidates.

``code`` writes the candidates as CSV (formula cells neutralised, written atomically); the analyst sets
``status`` to ``accepted`` (or ``rejected``) in the rows to keep, or names them with ``--ids``; ``accept``
appends the accepted rows to the analyst's own events, validated like the curated data.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

import pandas as pd

from tensions import paths


def add_commands(sub) -> None:
    """Add the ``code`` and ``accept`` subcommands to the workbook's command line."""
    code = sub.add_parser(
        "code", help="code an article (.txt or .html) into candidate events (CSV) for review"
    )
    code.add_argument("article", help="the article: a .txt or .html file")
    code.add_argument("--published", help="publication date YYYY-MM-DD (relative dates count from it)")
    code.add_argument("--language", help="en or ru (detected when omitted)")
    code.add_argument("--title", help="the article's title (cited when accepted)")
    code.add_argument("--publisher", help="the article's publisher")
    code.add_argument("--url", help="the article's address")
    code.add_argument("--out", required=True, help="CSV file to write the candidates to")
    code.set_defaults(func=run_code)
    accept = sub.add_parser(
        "accept", help="append the accepted rows of a reviewed candidates CSV to your events"
    )
    accept.add_argument("candidates", help="a candidates CSV written by 'code', with status set to accepted")
    accept.add_argument(
        "--ids", help="comma-separated candidate ids to accept (instead of the status column)"
    )
    accept.set_defaults(func=run_accept)


def run_code(args: argparse.Namespace) -> int:
    """``python -m tensions code``."""
    from tensions.coder import CoderError, code_article

    out = Path(args.out)
    if paths._is_within(out, paths.DATA_DIR):
        print(f"error: refusing to write into the curated dataset folder: {out}", file=sys.stderr)
        return 2
    if not Path(args.article).is_file():
        print(f"error: {args.article}: no such file (give a .txt or .html article)", file=sys.stderr)
        return 2
    source = {
        k: v for k, v in {"title": args.title, "publisher": args.publisher, "url": args.url}.items() if v
    }
    from tensions.data import DatasetError

    try:
        candidates = code_article(
            args.article, published=args.published, language=args.language, source=source
        )
    except (CoderError, DatasetError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    write_csv_atomically(candidates, out)
    repeats = int((candidates["matches_event_id"] != "").sum())
    flagged = int((candidates["flags"] != "").sum())
    print(
        f"{len(candidates)} candidate(s) written to {out} ({repeats} repeat curated events, {flagged} flagged). "
        f"Set status to 'accepted' in the rows to keep, then run: python -m tensions accept {out}"
    )
    return 0


def run_accept(args: argparse.Namespace) -> int:
    """``python -m tensions accept``."""
    from tensions.own import OwnEventsError, save_accepted

    try:
        candidates = read_candidates(Path(args.candidates))
    except (OSError, ValueError) as exc:
        print(f"error: {args.candidates}: {exc}", file=sys.stderr)
        return 2
    if args.ids:
        wanted = {i.strip() for i in args.ids.split(",") if i.strip()}
        unknown = sorted(wanted - set(candidates["candidate_id"]))
        if unknown:
            print(f"error: no candidate(s) {', '.join(unknown)} in {args.candidates}", file=sys.stderr)
            return 2
        candidates["status"] = candidates["candidate_id"].map(
            lambda c: "accepted" if c in wanted else "rejected"
        )
    from tensions.data import DatasetError

    try:
        report = save_accepted(candidates)
    except (OwnEventsError, DatasetError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(report if report.event_ids else f"no accepted candidate in {args.candidates}: nothing saved")
    return 0


def read_candidates(path: Path) -> pd.DataFrame:
    """Read a candidates CSV back, undoing the formula guard of the text cells."""
    from tensions.outputs import FORMULA_START

    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    missing = [
        c
        for c in ("candidate_id", "status", "actor", "target", "date", "cameo_code")
        if c not in frame.columns
    ]
    if missing:
        raise ValueError(f"not a candidates file (missing column(s) {', '.join(missing)})")
    guarded = tuple("'" + s for s in FORMULA_START)
    return frame.map(lambda v: v[1:] if isinstance(v, str) and v.startswith(guarded) else v)


def write_csv_atomically(frame: pd.DataFrame, out: Path) -> Path:
    """Write ``frame`` as CSV with formula cells neutralised, through a temporary file in the same folder."""
    from tensions.export import safe_csv_frame

    out.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile(
        "w", dir=out.parent, suffix=".tmp", delete=False, encoding="utf-8"
    ) as handle:
        safe_csv_frame(frame).to_csv(handle, index=False)
    os.replace(handle.name, out)
    return out
