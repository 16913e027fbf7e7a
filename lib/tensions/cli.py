"""Command line: ``python -m tensions ingest ...`` and ``python -m tensions score ...``.

Examples::

    python -m tensions ingest --format gdelt2 'downloads/*.export.CSV.zip' --countries RUS,AZE,KAZ --out events.parquet
    python -m tensions score events.parquet --out series.parquet --half-life 30
    TENSIONS_SPARK_MASTER=spark://host:7077 python -m tensions score 's3a://bucket/events/*.parquet' --engine spark \
        --out series.parquet
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from tensions import paths


def _parquet_schema():
    """The ingested events in Parquet: the curated columns plus ``pair``, dates as microsecond timestamps with no
    time zone (calendar days), readable by pandas, DuckDB and Spark alike."""
    import pyarrow as pa

    from tensions.ingest.readers import EVENT_COLUMNS

    text = pa.string()
    types = {"date": pa.timestamp("us"), "end_date": pa.timestamp("us"), "quad_class": pa.int64()}
    types.update({c: pa.float64() for c in ("goldstein", "latitude", "longitude")})
    return pa.schema([(c, types.get(c, text)) for c in [*EVENT_COLUMNS, "pair"]])


def _output(path: str) -> Path:
    out = Path(path)
    if paths._is_within(out, paths.DATA_DIR):
        raise SystemExit(f"refusing to write into the curated dataset folder: {out}")
    out.parent.mkdir(parents=True, exist_ok=True)
    return out


def _ingest(args: argparse.Namespace) -> int:
    import pyarrow.parquet as pq

    from tensions.ingest.readers import iter_event_batches

    out = _output(args.out)
    batches = iter_event_batches(
        args.files,
        format=args.format,
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
    with pq.ParquetWriter(out, schema) as writer:  # batch by batch: memory holds one batch
        for table in batches:
            writer.write_table(table.select(schema.names).cast(schema))
            n_events += table.num_rows
    report = batches.report
    print(report)
    print(
        f"total: read {report.read:,} = kept {report.kept:,} + filtered {report.filtered:,} + rejected "
        f"{report.rejected:,}; {n_events:,} events written to {out}"
    )
    return 1 if report.file_errors else 0  # a file that could not be read is a failure, even if others were


def _score(args: argparse.Namespace) -> int:
    from tensions.score.engine_duckdb import score_dyads_duckdb
    from tensions.score.engine_spark import score_dyads_spark
    from tensions.score.settings import resolve_settings

    out = _output(args.out)
    settings = resolve_settings(
        half_life_days=args.half_life,
        component=args.component,
        spread=args.spread,
        goldstein_table=args.goldstein_table,
        directed=args.directed or None,
    )
    engine = score_dyads_spark if args.engine == "spark" else score_dyads_duckdb
    series = engine(args.events, freq=args.freq, settings=settings)
    series.to_parquet(out, index=False)
    print(f"{series['pair'].nunique():,} pairs, {len(series):,} rows ({args.freq}) written to {out}")
    print(f"settings: {settings.describe()}")
    return 0


def main(argv: list[str] | None = None) -> int:
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
    ingest.add_argument("--out", required=True, help="Parquet file to write")
    ingest.set_defaults(func=_ingest)
    score = sub.add_parser("score", help="daily pair scores of an ingested Parquet file (DuckDB or Spark)")
    score.add_argument("events")
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
    args = parser.parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
