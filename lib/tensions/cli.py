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

from tqdm import tqdm

from tensions import paths


def _output(path: str) -> Path:
    out = Path(path)
    if paths._is_within(out, paths.DATA_DIR):
        raise SystemExit(f"refusing to write into the curated dataset folder: {out}")
    out.parent.mkdir(parents=True, exist_ok=True)
    return out


def _ingest(args: argparse.Namespace) -> int:
    import pyarrow as pa
    import pyarrow.parquet as pq

    from tensions.ingest import read_events
    from tensions.ingest.readers import expand_paths

    files = expand_paths(args.files)
    out = _output(args.out)
    reports, writer, n_events = [], None, 0
    bar = tqdm(
        total=sum(f.stat().st_size for f in files if f.exists()), unit="B", unit_scale=True, desc="ingest"
    )
    try:
        for file in files:  # one file at a time: memory holds one file's events, the Parquet file grows
            events, report = read_events(
                file,
                format=args.format,
                start=args.start,
                end=args.end,
                countries=args.countries.split(",") if args.countries else None,
                pairs=args.pairs.split(",") if args.pairs else None,
                root_codes=args.root_codes.split(",") if args.root_codes else None,
                mapping=args.mapping,
            )
            reports.append(report)
            table = pa.Table.from_pandas(  # microsecond dates: readable by Spark and every Parquet tool
                events.astype(
                    {
                        "date_precision": "string",
                        "confidence": "string",
                        "date": "datetime64[us]",
                        "end_date": "datetime64[us]",
                    }
                ),
                preserve_index=False,
            )
            if writer is None:
                writer = pq.ParquetWriter(out, table.schema)
            writer.write_table(table.cast(writer.schema))
            n_events += len(events)
            bar.update(file.stat().st_size if file.exists() else 0)
            bar.set_postfix(events=f"{n_events:,}", rejected=f"{sum(r.rejected for r in reports):,}")
    finally:
        bar.close()
        if writer is not None:
            writer.close()
    read = sum(r.read for r in reports)
    kept, filtered, rejected = (sum(getattr(r, a) for r in reports) for a in ("kept", "filtered", "rejected"))
    for report in reports:
        print(report)
    print(
        f"total: read {read:,} = kept {kept:,} + filtered {filtered:,} + rejected {rejected:,}; "
        f"{n_events:,} events written to {out}"
    )
    return 0


def _score(args: argparse.Namespace) -> int:
    from tensions.ingest import score_dyads_duckdb, score_dyads_spark

    out = _output(args.out)
    if args.engine == "spark":
        series = score_dyads_spark(args.events, half_life_days=args.half_life)
    else:
        series = score_dyads_duckdb(args.events, half_life_days=args.half_life)
    series.to_parquet(out, index=False)
    print(f"{series['pair'].nunique():,} pairs, {len(series):,} daily rows written to {out}")
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
    ingest.add_argument("--mapping", help="YAML mapping (our field: your column) for --format csv")
    ingest.add_argument("--out", required=True, help="Parquet file to write")
    ingest.set_defaults(func=_ingest)
    score = sub.add_parser("score", help="daily pair scores of an ingested Parquet file (DuckDB or Spark)")
    score.add_argument("events")
    score.add_argument("--out", required=True)
    score.add_argument("--half-life", type=float, default=30.0)
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
