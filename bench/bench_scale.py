"""Scale run (``make bench-scale``): a year of synthetic GDELT 2.0 ingested and scored out of core.

Generates ``--rows`` records (default 100,000,000, ~24 GiB) in ``--files`` 15-minute-style export files
(default 366, one a day of 2024, named like GDELT's ``YYYYMMDDHHMMSS.export.CSV``) in the real 61-column
layout (``data/reference/gdelt_columns.csv``), written by DuckDB from generated SQL. Actor countries follow a
skewed distribution close to GDELT's (a third of the actors without a country, the United States far
ahead, Russia a few per cent, its Caucasus and Central Asian neighbours a fraction of a per cent); event
codes follow GDELT's mix of root codes (statements and consultations most, force rare), with the GDELT
Goldstein weight of each code. Most events carry the day of their file, some an earlier day.

Then ``python -m tensions ingest`` (Russia and its neighbours) and ``python -m tensions score`` run as
separate processes: time, rows/s and peak RSS (that process's own, ``VmHWM``) are printed, with the disk
used by the input and the outputs. Last, a 1% sample of the ingested events is scored by DuckDB and by
Spark (``local[2]``) and the two daily series are compared. The generated files are deleted at the end
(``--keep`` keeps them for another run).

Develop on a small size: ``python -m bench.bench_scale --rows 2000000 --files 20``.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

from tensions import paths

YEAR = 2024
SLOTS = 100_000  # resolution of the weighted draws
NEIGHBOURS = "RUS,AZE,KAZ,UZB,ARM,GEO,KGZ,TJK,TKM,BLR,UKR"

#: Share of actors per country code (of all actors; the rest spread over the other state codes, see
#: :func:`country_table`). GDELT-like: USA leads, a third of the actors have no country at all.
COUNTRY_SHARES = {
    "": 0.34,
    "USA": 0.13,
    "GBR": 0.025,
    "CHN": 0.025,
    "RUS": 0.03,
    "ISR": 0.02,
    "IND": 0.022,
    "IRN": 0.016,
    "UKR": 0.018,
    "PAK": 0.012,
    "FRA": 0.012,
    "DEU": 0.011,
    "TUR": 0.01,
    "SYR": 0.009,
    "CAN": 0.009,
    "AUS": 0.009,
    "JPN": 0.008,
    "AFG": 0.007,
    "NGA": 0.007,
    "SAU": 0.006,
    "EGY": 0.006,
    "KOR": 0.006,
    "PRK": 0.004,
    "IRQ": 0.006,
    "PHL": 0.005,
    "MEX": 0.005,
    "ZAF": 0.005,
    "ITA": 0.005,
    "BLR": 0.0015,
    "GEO": 0.0012,
    "AZE": 0.0012,
    "ARM": 0.001,
    "KAZ": 0.001,
    "UZB": 0.0005,
    "KGZ": 0.0003,
    "TJK": 0.0003,
    "TKM": 0.0002,
}
#: Share of events per CAMEO root code, close to GDELT 2.0's mix.
ROOT_SHARES = {
    "01": 0.19,
    "02": 0.07,
    "03": 0.05,
    "04": 0.26,
    "05": 0.08,
    "06": 0.025,
    "07": 0.02,
    "08": 0.025,
    "09": 0.01,
    "10": 0.012,
    "11": 0.05,
    "12": 0.015,
    "13": 0.017,
    "14": 0.015,
    "15": 0.005,
    "16": 0.01,
    "17": 0.04,
    "18": 0.03,
    "19": 0.04,
    "20": 0.002,
}
TYPES = ["GOV", "MIL", "BUS", "MED", "CVL", "JUD", "LEG", "COP", "OPP", "EDU", "", "", ""]


def _slots(values: list, weights: list[float]) -> np.ndarray:
    """``SLOTS`` draws laid out so that a uniform slot number picks ``values`` with ``weights``."""
    w = np.asarray(weights, dtype=float)
    counts = np.floor(w / w.sum() * SLOTS).astype(int)
    counts[np.argmax(counts)] += SLOTS - counts.sum()
    return np.repeat(np.arange(len(values)), counts)


def country_table() -> pd.DataFrame:
    """``slot -> country code, name, FIPS code`` with :data:`COUNTRY_SHARES` (the rest over other states)."""
    codes = pd.read_csv(paths.CAMEO_COUNTRY_CODES_TSV, sep="\t", dtype=str, keep_default_na=False)
    states = codes[codes["kind"] == "state"]
    table = pd.read_csv(paths.FIPS_ISO_CSV, dtype=str, keep_default_na=False)
    fips = dict(zip(table["iso3"], table["fips"], strict=True))
    others = [c for c in states["cameo_code"] if c not in COUNTRY_SHARES]
    rest = max(0.0, 1.0 - sum(COUNTRY_SHARES.values()))
    values = [*COUNTRY_SHARES, *others]
    weights = [*COUNTRY_SHARES.values(), *[rest / len(others)] * len(others)]
    names = dict(zip(states["cameo_code"], states["name"].str.upper(), strict=True))
    pick = _slots(values, weights)
    chosen = np.asarray(values, dtype=object)[pick]
    return pd.DataFrame(
        {
            "slot": np.arange(SLOTS),
            "code": chosen,
            "name": [names.get(c, "") for c in chosen],
            "fips": [fips.get(c, "") if c else "" for c in chosen],
        }
    )


def code_table() -> pd.DataFrame:
    """Return the code table ``slot -> EventCode, base, root, quad class, Goldstein``.

    Root codes are drawn by :data:`ROOT_SHARES`; within a root, its ``x0`` code ("not specified") half the
    time, the others evenly.
    """
    table = pd.read_csv(paths.GOLDSTEIN_GDELT_TSV, sep="\t", dtype=str)
    table = table[table["CAMEOEVENTCODE"].str.len() >= 3]
    quads = pd.read_csv(paths.CAMEO_QUADCLASS_CSV, dtype=str).set_index("root_code")["quad_class_gdelt"]
    values, weights = [], []
    for root, share in ROOT_SHARES.items():
        codes = table[table["CAMEOEVENTCODE"].str[:2] == root]
        plain = codes["CAMEOEVENTCODE"] == root + "0"
        n_other = int((~plain).sum())
        for code, gold, is_plain in zip(codes["CAMEOEVENTCODE"], codes["GOLDSTEINSCALE"], plain, strict=True):
            values.append((code, gold))
            weights.append(share * (0.5 if is_plain else 0.5 / max(n_other, 1)) if n_other else share)
    pick = _slots(values, weights)
    code = [values[i][0] for i in pick]
    return pd.DataFrame(
        {
            "slot": np.arange(SLOTS),
            "code": code,
            "base": [c[:3] for c in code],
            "root": [c[:2] for c in code],
            "quad": [int(quads[c[:2]]) for c in code],
            "goldstein": [float(values[i][1]) for i in pick],
        }
    )


def file_times(n_files: int) -> list[pd.Timestamp]:
    """The files' timestamps: spread over the year, on 15-minute marks (one a day for 366 files)."""
    start, end = pd.Timestamp(f"{YEAR}-01-01"), pd.Timestamp(f"{YEAR + 1}-01-01")
    step = (end - start) / n_files
    return [(start + i * step).floor("15min") for i in range(n_files)]


# Each line of a file, in the 61-column order of data/reference/gdelt_columns.csv. Three 64-bit hashes of the
# event id give every draw (slices of their bits): uniform, and the same every run.
ROW_SQL = """
WITH g AS (
  SELECT {first_id} + i AS id, hash({first_id} + i, {seed}) AS h, hash({first_id} + i, {seed}, 1) AS k,
         hash({first_id} + i, {seed}, 2) AS m
  FROM range({n}) r(i)
), d AS (
  SELECT i AS lag, DATE '{file_day}' - CAST(i AS INTEGER) AS day FROM range(366) r(i)
), days AS (
  SELECT lag, strftime(day, '%Y%m%d') AS sqldate, strftime(day, '%Y%m') AS monthyear, year(day) AS yr,
         round(year(day) + dayofyear(day) / 365.0, 4) AS fraction, strftime(day, '%Y/%m/%d') AS url_day
  FROM d
), r AS (
  SELECT id, h % {slots} AS s1, (h >> 20) % {slots} AS s2, (h >> 40) % {slots} AS s3,
    CAST(CASE WHEN k % 100 < 85 THEN 0 WHEN k % 100 < 95 THEN 1 + (k >> 8) % 7 ELSE 8 + (k >> 8) % 358 END
         AS INTEGER) AS lag,
    list_extract({types}, 1 + ((k >> 20) % {n_types})::INT) AS t1,
    list_extract({types}, 1 + ((k >> 28) % {n_types})::INT) AS t2,
    ((k >> 36) % 2)::INT AS root_event, 1 + ((k >> 37) % 40)::INT AS mentions, 1 + ((k >> 43) % 4)::INT AS sources,
    1 + ((k >> 45) % 40)::INT AS articles, round(((k >> 51) % 2000) / 100.0 - 10, 2) AS tone,
    round((m % 1400000) / 10000.0 - 70, 4) AS lat, round(((m >> 21) % 3600000) / 10000.0 - 180, 4) AS lon
  FROM g
)
SELECT
  id AS GLOBALEVENTID, sqldate AS SQLDATE, monthyear AS MonthYear, yr AS Year, fraction AS FractionDate,
  CASE WHEN a1.code = '' THEN NULL ELSE a1.code || t1 END AS Actor1Code, nullif(a1.name, '') AS Actor1Name,
  nullif(a1.code, '') AS Actor1CountryCode, NULL AS Actor1KnownGroupCode, NULL AS Actor1EthnicCode,
  NULL AS Actor1Religion1Code, NULL AS Actor1Religion2Code, nullif(t1, '') AS Actor1Type1Code,
  NULL AS Actor1Type2Code, NULL AS Actor1Type3Code,
  CASE WHEN a2.code = '' THEN NULL ELSE a2.code || t2 END AS Actor2Code, nullif(a2.name, '') AS Actor2Name,
  nullif(a2.code, '') AS Actor2CountryCode, NULL AS Actor2KnownGroupCode, NULL AS Actor2EthnicCode,
  NULL AS Actor2Religion1Code, NULL AS Actor2Religion2Code, nullif(t2, '') AS Actor2Type1Code,
  NULL AS Actor2Type2Code, NULL AS Actor2Type3Code,
  root_event AS IsRootEvent, c.code AS EventCode, c.base AS EventBaseCode, c.root AS EventRootCode,
  c.quad AS QuadClass, c.goldstein AS GoldsteinScale,
  mentions AS NumMentions, sources AS NumSources, articles AS NumArticles, tone AS AvgTone,
  CASE WHEN a1.code = '' THEN 0 ELSE 1 END AS Actor1Geo_Type, nullif(a1.name, '') AS Actor1Geo_FullName,
  nullif(a1.fips, '') AS Actor1Geo_CountryCode, nullif(a1.fips, '') AS Actor1Geo_ADM1Code,
  NULL AS Actor1Geo_ADM2Code, lat AS Actor1Geo_Lat, lon AS Actor1Geo_Long, nullif(a1.fips, '') AS Actor1Geo_FeatureID,
  CASE WHEN a2.code = '' THEN 0 ELSE 1 END AS Actor2Geo_Type, nullif(a2.name, '') AS Actor2Geo_FullName,
  nullif(a2.fips, '') AS Actor2Geo_CountryCode, nullif(a2.fips, '') AS Actor2Geo_ADM1Code,
  NULL AS Actor2Geo_ADM2Code, lat AS Actor2Geo_Lat, lon AS Actor2Geo_Long, nullif(a2.fips, '') AS Actor2Geo_FeatureID,
  4 AS ActionGeo_Type, coalesce(nullif(a1.name, ''), 'Moscow, Moskva, Russia') AS ActionGeo_FullName,
  coalesce(nullif(a1.fips, ''), 'RS') AS ActionGeo_CountryCode,
  coalesce(nullif(a1.fips, ''), 'RS') || '48' AS ActionGeo_ADM1Code,
  NULL AS ActionGeo_ADM2Code, lat AS ActionGeo_Lat, lon AS ActionGeo_Long, '-2960561' AS ActionGeo_FeatureID,
  '{added}' AS DATEADDED,
  'https://www.example-news-site.invalid/world/' || url_day || '/story-' || id || '.html' AS SOURCEURL
FROM r JOIN days USING (lag)
JOIN countries a1 ON a1.slot = r.s1 JOIN countries a2 ON a2.slot = r.s2 JOIN codes c ON c.slot = r.s3
"""


def generate(folder: Path, rows: int, n_files: int, seed: int = 0) -> list[Path]:
    """Write ``rows`` synthetic GDELT 2.0 records in ``n_files`` export files (DuckDB COPY).

    Rows are written in parallel, so within a file they are not in id order (the ingest does not care).
    """
    import duckdb

    folder.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect()
    con.execute("SET preserve_insertion_order = false")  # lets COPY write with every core
    con.register("countries_src", country_table())
    con.register("codes_src", code_table())
    con.execute("CREATE TABLE countries AS SELECT * FROM countries_src")
    con.execute("CREATE TABLE codes AS SELECT * FROM codes_src")
    types = "[" + ", ".join(f"'{t}'" for t in TYPES) + "]"
    written, first_id = [], 1_000_000_000
    for k, stamp in enumerate(file_times(n_files)):
        n = rows // n_files + (1 if k < rows % n_files else 0)
        path = folder / f"{stamp:%Y%m%d%H%M%S}.export.CSV"
        sql = ROW_SQL.format(
            first_id=first_id,
            seed=seed,
            slots=SLOTS,
            file_day=f"{stamp:%Y-%m-%d}",
            added=f"{stamp:%Y%m%d%H%M%S}",
            types=types,
            n_types=len(TYPES),
            n=n,
        )
        con.execute(f"COPY ({sql}) TO '{path}' (FORMAT csv, DELIMITER '\t', HEADER false)")
        written.append(path)
        first_id += n
    con.close()
    return written


def _run_measured(args: list[str], limit_mib: float) -> tuple[float, float, str]:
    """Run a command; its wall time, its own peak RSS in MiB (``VmHWM``), and its standard output.

    The command is stopped if its resident memory passes ``limit_mib`` (the machine is shared).
    """
    started = time.perf_counter()
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        process = subprocess.Popen(args, stdout=out, stderr=err, text=True)
        while process.poll() is None:
            if _rss_mib(process.pid) > limit_mib:
                process.kill()
                process.wait()
                raise RuntimeError(
                    f"{' '.join(args[3:5])} stopped: resident memory above {limit_mib:,.0f} MiB"
                )
            time.sleep(0.5)
        elapsed = time.perf_counter() - started
        out.seek(0), err.seek(0)
        stdout, stderr = out.read(), err.read()
    if process.returncode:
        raise RuntimeError(f"{' '.join(args[3:5])} failed ({process.returncode}):\n{stderr[-3000:]}")
    return elapsed, _peak_from_stderr(stderr), stdout


def _rss_mib(pid: int) -> float:
    try:
        with open(f"/proc/{pid}/status") as status:
            return next(int(line.split()[1]) for line in status if line.startswith("VmRSS")) / 1024
    except (OSError, StopIteration):
        return 0.0


PEAK_WRAPPER = r"""
import runpy, sys
sys.argv = sys.argv[1:]
try:
    runpy.run_module(sys.argv[0], run_name="__main__", alter_sys=True)
except SystemExit as done:
    code = done.code or 0
else:
    code = 0
with open("/proc/self/status") as status:  # VmHWM: this process's own peak (ru_maxrss spans the exec)
    hwm = next(int(l.split()[1]) for l in status if l.startswith("VmHWM"))
sys.stderr.write(f"\nPEAK_RSS_KIB {hwm}\n")
sys.exit(code)
"""


def _peak_from_stderr(err: str) -> float:
    lines = [line for line in err.splitlines() if line.startswith("PEAK_RSS_KIB ")]
    return int(lines[-1].split()[1]) / 1024 if lines else float("nan")


def _tensions(*args: str) -> list[str]:
    return [sys.executable, "-c", PEAK_WRAPPER, "tensions", *args]


def _size(path: Path) -> int:
    if path.is_file():
        return path.stat().st_size
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def compare_with_spark(events: Path, folder: Path, fraction: float = 0.01) -> str:
    """Score a ``fraction`` sample of the ingested events with DuckDB and with Spark; the comparison."""
    import duckdb

    from tensions.ingest import get_spark, score_dyads_duckdb, score_dyads_spark

    sample = folder / "sample.parquet"
    duckdb.execute(
        f"COPY (SELECT * FROM read_parquet('{events}') USING SAMPLE {fraction * 100:g} PERCENT (bernoulli, 7)) "
        f"TO '{sample}' (FORMAT parquet)"
    )
    n = duckdb.execute(f"SELECT count(*) FROM read_parquet('{sample}')").fetchone()[0]
    duck = score_dyads_duckdb(sample)
    started = time.perf_counter()
    spark = get_spark("local[2]")
    theirs = score_dyads_spark(str(sample), spark=spark)
    spark_s = time.perf_counter() - started
    spark.stop()
    both = duck.merge(theirs, on=["pair", "date"], how="outer", suffixes=("", "_spark"), indicator=True)
    unmatched = int((both["_merge"] != "both").sum())
    diff = float((both["pressure"] - both["pressure_spark"]).abs().max())
    counts_equal = bool((both["n_events"] == both["n_events_spark"]).all())
    verdict = "the same" if unmatched == 0 and diff < 1e-9 and counts_equal else "DIFFERENT"
    return (
        f"{fraction:.0%} sample, {n:,} events: DuckDB and Spark (local[2], {spark_s:.0f} s) daily series "
        f"{verdict}: {len(duck):,} vs {len(theirs):,} pair-days, {unmatched} unmatched, "
        f"max |pressure difference| {diff:.2e}, event counts equal: {counts_equal}"
    )


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.bench_scale", description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000_000, help="records to generate (default 100 M)")
    parser.add_argument("--files", type=int, default=366, help="export files (default 366, one a day)")
    parser.add_argument("--countries", default=NEIGHBOURS, help=f"ingest filter (default {NEIGHBOURS})")
    parser.add_argument("--folder", type=Path, default=paths.BENCH_DIR / "scale", help="work folder")
    parser.add_argument("--keep", action="store_true", help="keep the generated files afterwards")
    parser.add_argument(
        "--reuse", action="store_true", help="ingest the files a --keep run left (no generation)"
    )
    parser.add_argument("--max-rss-gib", type=float, default=6.0, help="stop a step above this memory (6)")
    args = parser.parse_args(argv)
    folder, raw, limit = args.folder, args.folder / "gdelt2", args.max_rss_gib * 1024
    print(
        f"load average {os.getloadavg()[0]:.2f} (2 cores, shared); free disk "
        f"{shutil.disk_usage(paths.ensure_dir(folder)).free / 2**30:,.0f} GiB"
    )
    try:
        started = time.perf_counter()
        if args.reuse:
            files = sorted(raw.glob("*.export.CSV"))
            print(f"reusing {len(files)} files in {raw}")
        else:
            if raw.exists():
                shutil.rmtree(raw)
            files = generate(raw, args.rows, args.files)
            generated_s = time.perf_counter() - started
            print(
                f"generated {args.rows:,} rows in {len(files)} files, {_size(raw) / 2**30:,.2f} GiB, in "
                f"{generated_s:.0f} s ({args.rows / generated_s:,.0f} rows/s, DuckDB COPY)"
            )
        raw_bytes = _size(raw)
        events, series = folder / "events.parquet", folder / "series.parquet"
        ingest_s, ingest_rss, out = _run_measured(
            _tensions(
                "ingest",
                "--format",
                "gdelt2",
                str(raw / "*.export.CSV"),
                "--countries",
                args.countries,
                "--out",
                str(events),
            ),
            limit,
        )
        total = [line for line in out.splitlines() if line.startswith("total:")]
        if not total:
            raise RuntimeError(f"the ingest printed no total:\n{out[-2000:]}")
        print(total[-1])
        rows = int(total[-1].split("read ")[1].split(" ")[0].replace(",", ""))
        score_s, score_rss, out = _run_measured(_tensions("score", str(events), "--out", str(series)), limit)
        print(out.strip().splitlines()[-1])
        print(
            f"ingest: {ingest_s:.0f} s = {rows / ingest_s:,.0f} rows/s, peak RSS {ingest_rss:,.0f} MiB; "
            f"score: {score_s:.1f} s, peak RSS {score_rss:,.0f} MiB; together {ingest_s + score_s:.0f} s = "
            f"{rows / (ingest_s + score_s):,.0f} rows/s"
        )
        print(
            f"disk: input {raw_bytes / 2**30:,.2f} GiB, events {_size(events) / 2**20:,.0f} MiB, series "
            f"{_size(series) / 2**20:,.1f} MiB; peak RSS / input {max(ingest_rss, score_rss) / (raw_bytes / 2**20):.3f}"
        )
        print(compare_with_spark(events, folder))
    finally:
        if not args.keep and raw.exists():
            shutil.rmtree(raw)
            print(f"deleted {raw}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
