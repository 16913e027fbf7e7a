"""Command line: ``python -m tensions ingest ...``, ``score ...``, ``code ...`` and ``accept ...``.

Examples::

    python -m tensions ingest --format gdelt2 'downloads/*.export.CSV.zip' --countries RUS,AZE,KAZ --out events.parquet
    python -m tensions score events.parquet --out series.parquet --half-life 30
    python -m tensions score data/events.csv --out series.parquet
    TENSIONS_SPARK_MASTER=spark://host:7077 python -m tensions score 's3a://bucket/events/*.parquet' --engine spark \
        --out series.parquet
    python -m tensions code article.html --published 2025-01-03 --out candidates.csv
    python -m tensions accept candidates.csv
"""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from tensions import paths


def _parquet_schema():
    """Return the Arrow schema of ingested events in Parquet: the file's fields plus ``pair``.

    Derived from the event field list (:func:`tensions.schema.event_parquet_schema`): dates as microsecond
    timestamps with no time zone (calendar days), readable by pandas, DuckDB and Spark alike.
    """
    from tensions.schema import event_parquet_schema

    return event_parquet_schema()


#: Event columns whose values are (nearly) all distinct: written without a dictionary, which would only cost
#: the hashing of every value before Parquet gives it up.
DISTINCT_COLUMNS = ("event_id", "source_ids", "notes")


def _output(path: str) -> Path:
    from tensions.outputs import OutputRefusedError, check_output_path

    try:
        check_output_path(path)
    except OutputRefusedError as exc:
        raise SystemExit(str(exc)) from None
    return Path(path)


@contextmanager
def _exclusive(out: Path) -> Iterator[None]:
    """Hold the lock of ``out`` (``.<name>.lock`` beside it) or refuse: one ingest writes a file at a time."""
    from filelock import FileLock, Timeout

    from tensions.outputs import check_output_path

    final = check_output_path(out)
    paths.ensure_dir(final.parent)
    lock = FileLock(final.parent / f".{final.name}.lock", timeout=0)
    try:
        lock.acquire()
    except Timeout:
        raise SystemExit(
            f"another ingest is writing {out}: nothing done; run this one again when it has finished"
        ) from None
    try:
        yield
    finally:
        lock.release()


def _ingest(args: argparse.Namespace) -> int:
    import pyarrow.parquet as pq

    from tensions.ingest.readers import iter_event_batches
    from tensions.outputs import atomic_path

    out = _output(args.out)
    batches = iter_event_batches(
        args.files,
        source_format=args.format,
        start=args.start,
        end=args.end,
        countries=args.countries.split(",") if args.countries else None,
        pairs=args.pairs.split(",") if args.pairs else None,
        root_codes=args.root_codes.split(",") if args.root_codes else None,
        mapping=args.mapping,
        progress=True,
    )
    n_events = 0
    schema = _parquet_schema()
    dictionary = [c for c in schema.names if c not in DISTINCT_COLUMNS]
    before = _identity(out)
    try:
        with (
            _exclusive(out),
            atomic_path(out) as temp,
            pq.ParquetWriter(temp, schema, use_dictionary=dictionary) as writer,
        ):
            for table in batches:  # batch by batch: memory holds one batch
                writer.write_table(table.select(schema.names).cast(schema))
                n_events += table.num_rows
    except KeyboardInterrupt:
        if _identity(out) != before:  # stopped after the rename: the new file is whole
            print(f"interrupted after {out} was written whole ({n_events:,} events)", file=sys.stderr)
        else:
            state = "left as it was" if before else "not created"
            print(f"interrupted: nothing written; {out} {state}", file=sys.stderr)
        return 130
    report = batches.report
    print(report)
    print(
        f"total: read {report.read:,} = kept {report.kept:,} + filtered {report.filtered:,} + rejected "
        f"{report.rejected:,}; {n_events:,} events written to {out}"
    )
    return 1 if report.file_errors else 0  # a file that could not be read is a failure, even if others were


def _identity(path: Path) -> tuple[int, int] | None:
    """(device, inode) of ``path``, or None: a rename over it changes the inode."""
    try:
        stat = path.stat()
    except OSError:
        return None
    return stat.st_dev, stat.st_ino


def _score(args: argparse.Namespace) -> int:
    from tensions.outputs import write_parquet
    from tensions.score.engine_duckdb import score_dyads_duckdb
    from tensions.score.engine_spark import score_dyads_spark
    from tensions.score.settings import resolve_settings

    out = _output(args.out)
    events = _score_input(args.events)
    check_score_span(events)
    settings = resolve_settings(
        half_life_days=args.half_life,
        component=args.component,
        spread=args.spread,
        goldstein_table=args.goldstein_table,
        directed=args.directed or None,
    )
    engine = score_dyads_spark if args.engine == "spark" else score_dyads_duckdb
    series = engine(events, freq=args.freq, settings=settings)
    write_parquet(series, out)
    print(f"{series['pair'].nunique():,} pairs, {len(series):,} rows ({args.freq}) written to {out}")
    print(f"settings: {settings.describe()}")
    return 0


SCORE_INPUTS = (
    "events as Parquet (written by `python -m tensions ingest`) or as CSV in the layout of data/events.csv"
)
#: The most daily rows (pairs x days) ``score`` produces; a wider span is refused, naming its first and last events.
MAX_SCORE_ROWS = 20_000_000


def _score_input(source: str):
    """A Parquet path (or a remote URI / glob, for Spark) as it is, or the events of a CSV file as a DataFrame."""
    from tensions.data import load_events

    path = Path(source)
    if "://" in source or (not path.exists() and any(ch in source for ch in "*?[")):
        return source
    if not path.exists():
        raise SystemExit(f"{source}: file not found; score reads {SCORE_INPUTS}")
    if path.is_dir():
        return source  # a folder of Parquet files (Spark, DuckDB globs)
    with path.open("rb") as handle:
        magic = handle.read(4)
    if magic == b"PAR1":
        return source
    if path.suffix.lower() == ".csv":
        return load_events(path)
    raise SystemExit(f"{source}: neither Parquet nor CSV; score reads {SCORE_INPUTS}")


def check_score_span(events) -> None:
    """Refuse events whose daily score table would be absurd.

    That is dates outside 1800..today + a week, or more than :data:`MAX_SCORE_ROWS` daily rows
    (pairs x days); the message names the first and last events.

    Args:
        events: a local Parquet path or an events DataFrame (a remote source is not checked here).
    """
    import duckdb

    from tensions.ingest.readers import date_range

    if isinstance(events, str) and ("://" in events or Path(events).is_dir()):
        return
    con = duckdb.connect()
    try:
        if isinstance(events, str):
            relation = f"read_parquet('{events.replace(chr(39), chr(39) * 2)}')"
        else:
            con.register("events_frame", events[["event_id", "date", "actor", "target"]])
            relation = "events_frame"
        first, last = date_range("csv")
        n_days, n_pairs, earliest, latest, bad = con.execute(f"""
            SELECT date_diff('day', min(date), max(date)) + 1,
                   count(DISTINCT least(actor, target) || '-' || greatest(actor, target)),
                   arg_min(event_id || ' (' || strftime(date, '%Y-%m-%d') || ')', date),
                   arg_max(event_id || ' (' || strftime(date, '%Y-%m-%d') || ')', date),
                   list(event_id || ' (' || strftime(date, '%Y-%m-%d') || ')' ORDER BY date)
                       FILTER (WHERE date < DATE '{first}' OR date > DATE '{last}')
            FROM {relation}""").fetchone()
    finally:
        con.close()
    if bad:
        shown = ", ".join(bad[:5]) + (f" and {len(bad) - 5} more" if len(bad) > 5 else "")
        raise SystemExit(f"refusing to score: {len(bad):,} event(s) dated outside {first}..{last}: {shown}")
    if n_days and n_pairs and n_days * n_pairs > MAX_SCORE_ROWS:
        raise SystemExit(
            f"refusing to score: {n_pairs:,} pairs x {n_days:,} days = {n_days * n_pairs:,} daily rows (more than "
            f"{MAX_SCORE_ROWS:,}); the span runs from {earliest} to {latest}: narrow it with ingest --start/--end"
        )


def main(argv: list[str] | None = None) -> int:
    """Run the command line (``python -m tensions``) and return its exit status."""
    parser = argparse.ArgumentParser(prog="python -m tensions", description="Eurasia tensions workbook")
    sub = parser.add_subparsers(dest="command", required=True)
    ingest = sub.add_parser("ingest", help="read GDELT/ACLED/ICEWS/CSV files into the event schema (Parquet)")
    ingest.add_argument("files", nargs="+", help="files or glob patterns (.zip and .gz are read too)")
    ingest.add_argument("--format", required=True, choices=("gdelt1", "gdelt2", "acled", "icews", "csv"))
    ingest.add_argument("--countries", help="comma-separated ISO3 codes, e.g. RUS,AZE,KAZ")
    ingest.add_argument("--pairs", help="comma-separated pairs, e.g. AZE-RUS,KAZ-RUS")
    ingest.add_argument("--root-codes", help="comma-separated CAMEO root codes, e.g. 17,18,19,20")
    ingest.add_argument("--start"), ingest.add_argument("--end")
    ingest.add_argument("--mapping", help="YAML or TOML mapping (our field: your column) for --format csv")
    ingest.add_argument(
        "--out", required=True, help="Parquet file to write (atomically; one ingest at a time per file)"
    )
    ingest.set_defaults(func=_ingest)
    score = sub.add_parser(
        "score", help="daily pair scores of ingested Parquet or curated-layout CSV events (DuckDB or Spark)"
    )
    score.add_argument("events", help=SCORE_INPUTS)
    score.add_argument("--out", required=True)
    score.add_argument("--half-life", type=float, help="days (default: the ScoreSettings default, 30)")
    score.add_argument(
        "--component", choices=("tension", "cooperation", "net", "all"), help="default tension"
    )
    score.add_argument(
        "--spread", choices=("mid", "start", "even"), help="month/year-precision dates (default mid)"
    )
    score.add_argument(
        "--goldstein-table", choices=("gdelt", "icews", "phoenix"), help="default: the events' own"
    )
    score.add_argument("--directed", action="store_true", help="score ordered pairs (RUS>AZE)")
    score.add_argument("--freq", default="D", choices=("D", "W", "M", "ME", "Q", "QE"))
    score.add_argument(
        "--engine",
        choices=("duckdb", "spark"),
        default="duckdb",
        help="duckdb (this machine) or spark (TENSIONS_SPARK_MASTER, default local[2])",
    )
    score.set_defaults(func=_score)
    from tensions.coder.commands import add_commands  # code ARTICLE, accept CANDIDATES

    add_commands(sub)
    args = parser.parse_args(argv)
    main_thread = threading.current_thread() is threading.main_thread()
    previous = (
        signal.signal(signal.SIGTERM, _interrupt) if main_thread else None
    )  # SIGTERM cleans up like Ctrl-C
    try:
        return args.func(args)
    except KeyboardInterrupt:
        print("interrupted: nothing written", file=sys.stderr)
        return 130
    except _user_errors() as exc:  # bad input: the message, never a traceback
        raise SystemExit(f"error: {exc}") from None
    finally:
        if main_thread:
            signal.signal(signal.SIGTERM, previous)


def _interrupt(signum, frame) -> None:
    raise KeyboardInterrupt


def _user_errors() -> tuple[type[BaseException], ...]:
    import duckdb
    import pyarrow as pa

    from tensions.data import DatasetError
    from tensions.ingest import IngestError

    return (IngestError, DatasetError, ValueError, OSError, duckdb.Error, pa.ArrowException)


if __name__ == "__main__":
    sys.exit(main())
