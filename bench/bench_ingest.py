"""Ingest benchmark: a synthetic GDELT 2.0 file set ingested and scored with DuckDB vs pandas read-all-then-filter.

The file set (default 10,000,000 rows in files of 1,000,000, 61 tab-separated columns following the published
layout, with the text fields real exports carry) is generated once and cached under ``reports/bench/``. Each
measurement runs in its own process and reports its own peak memory (VmHWM). References: DuckDB's bare
``read_csv`` count of the same files, and ``read_csv`` with the same country and date filter but no checks. The
workbook's path is ``python -m tensions ingest`` (every record validated and accounted for, Parquet written file
by file) then ``python -m tensions score``. The pandas baseline reads one file (1,000,000 rows) entirely, then
filters: its rate is per row, its memory per file.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

from tensions import paths

ROWS_PER_FILE = 1_000_000
COUNTRIES = np.array(["RUS", "AZE", "KAZ", "UZB", "ARM", "USA", "CHN", "TUR", "UKR", "DEU", "FRA", ""])
CODES = np.array(["010", "040", "042", "057", "112", "120", "160", "173", "190", "0874"])
GOLD = {
    "010": "0.0",
    "040": "1.0",
    "042": "1.9",
    "057": "8.0",
    "112": "-2.0",
    "120": "-4.0",
    "160": "-4.0",
    "173": "-5.0",
    "190": "-10.0",
    "0874": "10.0",
}


def _names() -> list[str]:
    cols = pd.read_csv(paths.GDELT_COLUMNS_CSV)
    return cols[cols["table"] == "gdelt2_events"].sort_values("position")["name"].tolist()


def generate(folder: Path, rows: int, seed: int = 0) -> list[Path]:
    """Write (once) ``rows`` synthetic GDELT 2.0 records in files of ``ROWS_PER_FILE``."""
    marker = folder / f"rows-{rows}-v2.json"
    files = [folder / f"synthetic-{i:03d}.export.CSV" for i in range(-(-rows // ROWS_PER_FILE))]
    if marker.exists() and all(f.exists() for f in files):
        return files
    folder.mkdir(parents=True, exist_ok=True)
    names = _names()
    rng = np.random.default_rng(seed)
    for i, path in enumerate(files):
        n = min(ROWS_PER_FILE, rows - i * ROWS_PER_FILE)
        cols = {name: np.full(n, "", dtype=object) for name in names}
        cols["GLOBALEVENTID"] = (np.arange(n) + i * ROWS_PER_FILE + 1).astype(str)
        days = pd.Timestamp("2015-01-01") + pd.to_timedelta(rng.integers(0, 3650, n), unit="D")
        cols["SQLDATE"] = days.strftime("%Y%m%d").to_numpy()
        cols["Actor1CountryCode"] = rng.choice(COUNTRIES, n)
        cols["Actor2CountryCode"] = rng.choice(COUNTRIES, n)
        codes = rng.choice(CODES, n)
        cols["EventCode"] = codes
        cols["EventRootCode"] = pd.Series(codes).str[:2].to_numpy()
        cols["GoldsteinScale"] = pd.Series(codes).map(GOLD).to_numpy()
        cols["QuadClass"] = "1"
        cols["ActionGeo_CountryCode"] = "RS"
        # the text fields real exports carry, so that a row is about as wide as a real one (~300 bytes)
        cols["Actor1Name"] = np.where(cols["Actor1CountryCode"] == "", "", "GOVERNMENT")
        cols["Actor2Name"] = np.where(cols["Actor2CountryCode"] == "", "", "MINISTRY OF FOREIGN AFFAIRS")
        cols["ActionGeo_FullName"] = "Moscow, Moskva, Russia"
        cols["ActionGeo_Lat"], cols["ActionGeo_Long"] = "55.7522", "37.6156"
        cols["DATEADDED"] = "20250101120000"
        cols["SOURCEURL"] = "https://www.example-news-site.invalid/world/europe/2025/01/01/article-" + (
            cols["GLOBALEVENTID"].astype(object)
        )
        frame = pd.DataFrame(cols)
        frame.to_csv(path, sep="\t", header=False, index=False)
    marker.write_text(json.dumps({"rows": rows, "files": len(files)}))
    return files


CHILD = r"""
import json, sys, time
def peak_mib():  # VmHWM: this process's own peak (ru_maxrss would carry over the parent's through exec)
    with open("/proc/self/status") as status:
        return next(int(l.split()[1]) for l in status if l.startswith("VmHWM")) / 1024
import pandas as pd
kind, files = sys.argv[1], json.loads(sys.argv[2])
started = time.perf_counter()
# DuckDB's own reader over the same files, all 61 columns as text, and the filter the ingest applies
scan = (f"read_csv({files!r}, delim='{chr(9)}', header=false, quote='', auto_detect=false, columns={{"
        + ", ".join(f"'c{i}': 'VARCHAR'" for i in range(61)) + "})")
wanted = "(c7 IN ('RUS', 'AZE', 'KAZ') OR c17 IN ('RUS', 'AZE', 'KAZ')) AND c1 >= '20200101'"
if kind == "duckdb_count":
    import duckdb
    n = kept = duckdb.sql(f"SELECT count(*) FROM {scan}").fetchall()[0][0]
elif kind == "duckdb_filter":
    import duckdb
    n, kept = duckdb.sql(f"SELECT count(*), count(*) FILTER (WHERE {wanted}) FROM {scan}").fetchall()[0]
elif kind == "duckdb_fields":  # the same filter, and the 12 source fields the workbook keeps, materialised
    import duckdb
    con = duckdb.connect()
    con.execute("CREATE TABLE kept AS SELECT c0, c1, c6, c7, c16, c17, c26, c30, c52, c56, c57, c60 "
                f"FROM {scan} WHERE {wanted}")
    kept = con.execute("SELECT count(*) FROM kept").fetchone()[0]
    n = int(sys.argv[3])  # the rows of the file set, known from its generation
elif kind == "ingest":
    import contextlib, io, os, tempfile
    from tensions.cli import main
    out = os.path.join(tempfile.mkdtemp(), "events.parquet")
    log = io.StringIO()
    with contextlib.redirect_stdout(log):
        main(["ingest", "--format", "gdelt2", *files, "--countries", "RUS,AZE,KAZ", "--start", "2020-01-01",
              "--out", out])
    total = log.getvalue().strip().splitlines()[-1]  # total: read N = kept K + ...
    n = int(total.split("read ")[1].split(" ")[0].replace(",", ""))
    kept = int(total.split("kept ")[1].split(" ")[0].replace(",", ""))
    ingest_s = time.perf_counter() - started
    main(["score", out, "--out", out.replace("events", "series")])
    print(json.dumps({"ingest_seconds": ingest_s}))
elif kind == "stages":
    from bench.bench_ingest import stage_seconds
    print(json.dumps(stage_seconds(files)))
    n = kept = 0
else:
    frames = [pd.read_csv(f, sep=chr(9), header=None, dtype=str, keep_default_na=False, quoting=3) for f in files]
    raw = pd.concat(frames, ignore_index=True)
    keep = (raw[7].isin(["RUS", "AZE", "KAZ"]) | raw[17].isin(["RUS", "AZE", "KAZ"])) & (raw[1] >= "20200101")
    n, kept = len(raw), int(keep.sum())
elapsed = time.perf_counter() - started
import resource
usage = resource.getrusage(resource.RUSAGE_SELF)
print(json.dumps({"rows": n, "kept": kept, "seconds": elapsed, "cpu_seconds": usage.ru_utime + usage.ru_stime,
                  "max_rss_mib": peak_mib()}))
"""


def _run(kind: str, files: list[Path], rows: int = 0) -> dict:
    out = subprocess.run(
        [sys.executable, "-c", CHILD, kind, json.dumps([str(f) for f in files]), str(rows)],
        capture_output=True,
        text=True,
    )
    if out.returncode:
        raise RuntimeError(f"{kind} failed:\n{out.stderr[-3000:]}")
    result: dict = {}
    for line in out.stdout.strip().splitlines():  # the child prints one JSON object per line
        if line.startswith("{"):
            result.update(json.loads(line))
    return result


def stage_seconds(files: list[str]) -> dict[str, float]:
    """Seconds of the ingest's stages over ``files``, each measured as a pass of its own.

    GDELT 2.0 with the filter of the benchmark: the reader and the source columns; the classification (outcome
    codes counted in SQL); the hand-over (the stream of codes and kept fields to Arrow, counted and derived in
    Arrow, no output).
    """
    import tempfile

    from tensions.ingest import classify
    from tensions.ingest.batches import BATCH_ROWS
    from tensions.ingest.formats import get_format
    from tensions.ingest.sqltext import Connection

    fmt = get_format("gdelt2")
    filters, params = classify.filters_sql(["RUS", "AZE", "KAZ"], None, "2020-01-01", None, None)
    first, last = classify.date_range(fmt)
    params.update(first_date=first, last_date=last)
    paths_ = [Path(f) for f in files]
    out = {}
    with tempfile.TemporaryDirectory() as tmp, Connection(Path(tmp)) as con:
        source, files_param = fmt.source_sql(paths_, paths_[0], "rejects_scan_stage")
        started = time.perf_counter()
        columns = (
            "count(*), max(rec_id), max(date), max(a1_code), max(a2_code), max(goldstein), max(cameo_code)"
        )
        con.sql(f"SELECT {columns} FROM ({source})", params=files_param).fetchall()
        out["scan"] = time.perf_counter() - started
        source, files_param = fmt.source_sql(paths_, paths_[0], "rejects_classify_stage")
        started = time.perf_counter()
        query = f"WITH source AS ({source}) SELECT code, count(*) FROM ({classify.classify_sql(filters, fmt)}) GROUP BY 1"
        con.sql(query, params={**params, **files_param}).fetchall()
        out["classify"] = time.perf_counter() - started
        source, files_param = fmt.source_sql(paths_, paths_[0], "rejects_stream_stage")
        started = time.perf_counter()
        texts, counts, rejected = classify.outcomes(fmt), {}, []
        query = classify.stream_sql(fmt, source, filters, paths_[0])
        for batch in con.sql(query, params={**params, **files_param}).to_arrow_reader(BATCH_ROWS):
            classify.count_batch(batch, texts, counts, rejected)
            kept = classify.kept_rows(batch, classify.handed_over(fmt))
            classify.derive_columns(kept, classify.fixed_columns(fmt))
        out["handover"] = time.perf_counter() - started
    return out


def bench_rejects(lines: int, folder: Path) -> None:
    """Ingest a mapped CSV whose lines are mostly malformed, at ``lines`` and 4x ``lines``.

    Stray quotes, a field too many, unknown countries: locating the rejects should scale linearly (the rate
    stays about the same).
    """
    from tensions.ingest import read_events

    mapping = {"event_id": "id", "date": "when", "actor": "from", "target": "to", "cameo_code": "code"}
    mapping["goldstein"] = "weight"
    patterns = (
        'q{i},2024-12-25,"RUS,AZE,190,-1',  # a quote that the next one closes: lines swallowed, read again
        "k{i},2024-12-25,RUS,AZE,190,-1",
        'x{i},2024-12-25,"RUS",AZE,190,-1,"x"',  # a field too many: skipped by the reader
        "u{i},2024-12-25,XXX,AZE,190,-1",  # an unknown country: rejected by the classifier
    )
    for n in (lines, 4 * lines):
        path = folder / f"malformed-{n}.csv"
        if not path.exists():
            body = "\n".join(patterns[i % 4].format(i=i) for i in range(n))
            path.write_text("id,when,from,to,code,weight\n" + body + "\n", encoding="utf-8")
        started = time.perf_counter()
        _, report = read_events(path, source_format="csv", mapping=mapping, rejects_dir=folder / "rejects")
        seconds = time.perf_counter() - started
        print(
            f"malformed CSV, {n:,} lines: read {report.read:,} = kept {report.kept:,} + rejected "
            f"{report.rejected:,} in {seconds:.1f} s = {n / seconds:,.0f} lines/s"
        )


def main(argv: list[str]) -> int:
    rows = 1_000_000 if os.environ.get("BENCH_QUICK") == "1" else 10_000_000
    if argv:
        rows = int(argv[0])
    bench_rejects(int(os.environ.get("BENCH_REJECT_LINES", "100000")), paths.ensure_dir(paths.BENCH_DIR))
    started = time.perf_counter()
    files = generate(paths.BENCH_DIR / "gdelt2-synthetic", rows)
    size = sum(f.stat().st_size for f in files) / 2**20
    print(
        f"{rows:,} synthetic GDELT 2.0 rows in {len(files)} files, {size:,.0f} MiB "
        f"(ready in {time.perf_counter() - started:.0f} s)"
    )
    ref = _run("duckdb_count", files)
    flt = _run("duckdb_filter", files)
    fld = _run("duckdb_fields", files, rows)
    ing = _run("ingest", files)
    stages = _run("stages", files)
    base = _run("pandas", files[:1])
    for label, r in (
        ("DuckDB bare read_csv count", ref),
        ("DuckDB read_csv + the same country/date filter, unchecked", flt),
        ("DuckDB read_csv + that filter, the 12 kept source fields into a table", fld),
        ("python -m tensions ingest + score (DuckDB, every record checked)", ing),
        ("pandas read-all-then-filter, 1 file", base),
    ):
        print(
            f"{label}: {r['rows']:,} rows in {r['seconds']:.1f} s = {r['rows'] / r['seconds']:,.0f} rows/s, "
            f"kept {r['kept']:,}, peak RSS {r['max_rss_mib']:,.0f} MiB, CPU {r['cpu_seconds']:.1f} s"
        )
    print(
        f"  of which ingest {ing['ingest_seconds']:.1f} s, score {ing['seconds'] - ing['ingest_seconds']:.1f} s"
    )
    scan, classified, handed = stages["scan"], stages["classify"], stages["handover"]
    print(
        f"  ingest breakdown (each stage its own pass over the files): scan + source columns {scan:.1f} s, "
        f"classify +{classified - scan:.1f} s, hand-over to Arrow (counted, derived) +{handed - classified:.1f} s, "
        f"write Parquet and the rest +{ing['ingest_seconds'] - handed:.1f} s (of the ingest's "
        f"{ing['ingest_seconds']:.1f} s)"
    )
    print(
        f"ingest+score speed / read_csv+filter+fields: {(ing['rows'] / ing['seconds']) / (fld['rows'] / fld['seconds']):.2f}; "
        f"/ read_csv+filter: {(ing['rows'] / ing['seconds']) / (flt['rows'] / flt['seconds']):.2f}; "
        f"/ bare read_csv: {(ing['rows'] / ing['seconds']) / (ref['rows'] / ref['seconds']):.2f}; "
        f"ingest / pandas rows/s: {(ing['rows'] / ing['seconds']) / (base['rows'] / base['seconds']):.1f}x; "
        f"ingest peak RSS / file set size: {ing['max_rss_mib'] / size:.2f}"
    )
    print(  # CPU time (the process's, all threads, imports included): steadier than wall time on a busy machine
        f"CPU seconds, ingest+score / read_csv+filter+fields: {ing['cpu_seconds'] / fld['cpu_seconds']:.2f} "
        f"(a ratio of speeds of {fld['cpu_seconds'] / ing['cpu_seconds']:.2f}); load average "
        f"{os.getloadavg()[0]:.1f}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
