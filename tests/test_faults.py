"""Faults: hostile or broken input, interrupted and concurrent runs. Nothing is lost, nothing crashes.

Each test builds its own small files. The interrupted and concurrent ingests run the CLI in subprocesses and
wait for progress (the temporary output appearing), never for a fixed time.
"""

from __future__ import annotations

import csv
import os
import signal
import subprocess
import sys
import time
import warnings
from pathlib import Path

import pandas as pd
import plotly.graph_objects as go
import pytest
from filelock import FileLock
from test_ingest import ACLED_COLUMNS, CSV_MAPPING, ICEWS, acled_row, gdelt2_line, write

from tensions import outputs, paths
from tensions.cli import main as cli_main
from tensions.data import DatasetError, ExtraColumnWarning, load_events
from tensions.export import ExportError, build_report, export_figures
from tensions.ingest import read_events
from tensions.schema import EVENT_FIELDS

from conftest import MINI_EVENTS, write_csv

MAPPING_TOML = "\n".join(f'{ours} = "{theirs}"' for ours, theirs in CSV_MAPPING.items()) + "\n"
#: Generous ceilings for the subprocess tests (a shared, slow machine): a limit on waiting, not an assertion.
PATIENCE = 600


def run_cli(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    """``python -m tensions ARGS`` in a subprocess (rejects under ``cwd``), to completion."""
    return subprocess.run(
        [sys.executable, "-m", "tensions", *args],
        cwd=cwd,
        env=_env(cwd),
        capture_output=True,
        text=True,
        timeout=PATIENCE,
    )


def _env(folder: Path) -> dict[str, str]:
    return {**os.environ, "TENSIONS_REPORTS_DIR": str(folder / "reports")}


def csv_events(folder: Path, n_files: int, rows: int = 50, tag: str = "e") -> str:
    """``n_files`` small mapped-CSV event files (each scanned on its own: a run long enough to interrupt)."""
    folder.mkdir(parents=True, exist_ok=True)
    for f in range(n_files):
        pd.DataFrame(
            {
                "id": [f"{tag}{f}-{i}" for i in range(rows)],
                "when": "2024-12-25",
                "from": "RUS",
                "to": "AZE",
                "code": "190",
                "weight": "-10",
            }
        ).to_csv(folder / f"part{f:04}.csv", index=False)
    return str(folder / "*.csv")


def ingest_args(pattern: str, mapping: Path, out: Path) -> list[str]:
    return ["ingest", "--format", "csv", pattern, "--mapping", str(mapping), "--out", str(out)]


def temps_of(out: Path) -> list[Path]:
    return sorted(out.parent.glob(f".{out.name}.*.tmp{out.suffix}"))


def wait_until(condition, proc: subprocess.Popen) -> bool:
    """Poll ``condition`` until it holds (True) or ``proc`` has ended (False)."""
    deadline = time.monotonic() + PATIENCE
    while time.monotonic() < deadline:
        if condition():
            return True
        if proc.poll() is not None:
            return condition()
        time.sleep(0.01)
    raise RuntimeError("the ingest neither progressed nor ended")


def rows_in(path: Path) -> int:
    return len(pd.read_parquet(path))


@pytest.fixture
def mapping(tmp_path: Path) -> Path:
    path = tmp_path / "mapping.toml"
    path.write_text(MAPPING_TOML, encoding="utf-8")
    return path


# ---------------------------------------------------------------------------------------- 1. encodings


def test_non_ascii_text_with_rejects_is_located_in_any_encoding(tmp_path):
    lines = [
        gdelt2_line(1, Actor1Name="МОСКВА"),
        gdelt2_line(2, date="2024125"),  # rejected: its line must still be found
        gdelt2_line(3, Actor2Name="İSTANBUL ŞEHİR"),
        gdelt2_line(4, goldstein="x"),
    ]
    path = tmp_path / "utf8.export.CSV"
    path.write_bytes(("\n".join(lines) + "\n").encode("utf-8"))
    latin = tmp_path / "latin1.export.CSV"  # one Latin-1 byte in a name, one bad record after it
    latin.write_bytes(
        (gdelt2_line(5, Actor1Name="S\xe3O PAULO") + "\n").encode("latin-1")
        + (gdelt2_line(6, code="000") + "\n").encode()
    )
    events, report = read_events([path, latin], source_format="gdelt2", rejects_dir=tmp_path)
    assert report.read == report.kept + report.filtered + report.rejected and not report.file_errors
    assert set(events["event_id"]) == {"gdelt:1", "gdelt:3"}
    assert events.set_index("event_id").loc["gdelt:1", "actor_detail"] == "МОСКВА"
    rejects = pd.read_csv(report.rejects_path)
    located = {(Path(f).name, line): reason for f, line, reason in rejects[["file", "line", "reason"]].values}
    assert located == {
        ("utf8.export.CSV", 2): "invalid date",
        ("utf8.export.CSV", 4): "non-numeric Goldstein",
        ("latin1.export.CSV", 1): "malformed record: invalid encoding",
        ("latin1.export.CSV", 2): "invalid CAMEO code",
    }
    icews = tmp_path / "icews.tab"  # the real ICEWS sample, plus a Cyrillic name and a country outside ISO
    header, first, *rest = ICEWS.read_text(encoding="utf-8").splitlines()
    fields = first.split("\t")
    fields[2], fields[4] = "Владимир Путин", "Atlantis"
    icews.write_text("\n".join([header, "\t".join(fields), *rest]) + "\n", encoding="utf-8")
    _, report = read_events(icews, source_format="icews", rejects_dir=tmp_path)
    rejects = pd.read_csv(report.rejects_path)
    row = rejects[rejects["line"] == 2].iloc[0]
    assert row["reason"] == "unknown country code name:Atlantis" and "Владимир Путин" in row["record"]


# ---------------------------------------------------------------------------------------- 2. interruption


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGKILL], ids=["SIGINT", "SIGKILL"])
def test_an_interrupted_ingest_leaves_the_previous_output_whole(tmp_path, mapping, sig):
    out = tmp_path / "out" / "events.parquet"
    small = csv_events(tmp_path / "small", 1, rows=3, tag="old")
    first = run_cli(*ingest_args(small, mapping, out), cwd=tmp_path)
    assert first.returncode == 0 and rows_in(out) == 3, first.stderr
    interrupted = False
    for n_files in (40, 160):  # a larger input if the run ended before the signal reached it
        pattern = csv_events(tmp_path / f"big{n_files}", n_files)
        proc = subprocess.Popen(
            [sys.executable, "-m", "tensions", *ingest_args(pattern, mapping, out)],
            cwd=tmp_path,
            env=_env(tmp_path),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        started = wait_until(lambda: bool(temps_of(out)), proc)
        if started:
            proc.send_signal(sig)
        stdout, stderr = proc.communicate(timeout=PATIENCE)
        if proc.returncode == 0:  # it finished first: the new output, whole
            assert rows_in(out) == n_files * 50 and f"{n_files * 50:,} events written" in stdout
            continue
        interrupted = True
        assert rows_in(out) == 3  # the previous output, as it was
        if sig == signal.SIGINT:
            assert proc.returncode == 130, stderr
            assert "Traceback" not in stderr
            assert f"interrupted: nothing written; {out} left as it was" in stderr
            assert temps_of(out) == []
        else:
            assert proc.returncode == -signal.SIGKILL
        break
    assert interrupted, "every run ended before the signal: the test could not interrupt one"
    again = run_cli(*ingest_args(csv_events(tmp_path / "again", 2, rows=4), mapping, out), cwd=tmp_path)
    assert again.returncode == 0, again.stderr
    assert rows_in(out) == 8 and temps_of(out) == []  # a temporary file left by a killed run is cleared


# ---------------------------------------------------------------------------------------- 3. concurrency


def test_an_ingest_refuses_while_another_writes_the_same_file(tmp_path, mapping, capsys):
    out = tmp_path / "events.parquet"
    pattern = csv_events(tmp_path / "in", 1, rows=5)
    assert cli_main(ingest_args(pattern, mapping, out)) == 0
    lock = FileLock(tmp_path / f".{out.name}.lock", timeout=0)  # held as a running ingest holds it
    with lock, pytest.raises(SystemExit, match="another ingest is writing"):
        cli_main(ingest_args(csv_events(tmp_path / "other", 1, rows=9), mapping, out))
    assert rows_in(out) == 5


def test_two_concurrent_ingests_leave_one_whole_file_that_a_printed_count_describes(tmp_path, mapping):
    out = tmp_path / "events.parquet"
    inputs = {20: csv_events(tmp_path / "a", 20, tag="a"), 10: csv_events(tmp_path / "b", 10, tag="b")}
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", "tensions", *ingest_args(pattern, mapping, out)],
            cwd=tmp_path,
            env=_env(tmp_path),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for pattern in inputs.values()
    ]
    results = [(p, *p.communicate(timeout=PATIENCE)) for p in procs]
    written = []
    for (proc, stdout, stderr), n_files in zip(results, inputs, strict=True):
        if proc.returncode == 0:
            assert f"{n_files * 50:,} events written to {out}" in stdout
            written.append(n_files * 50)
        else:  # the other one held the file
            assert proc.returncode == 1 and "another ingest is writing" in stderr, stderr
            assert "Traceback" not in stderr
    assert written and rows_in(out) in written  # readable, whole, and one command's count
    assert temps_of(out) == []


# ---------------------------------------------------------------------------------------- 4. impossible dates


def test_impossible_dates_are_rejected_per_format(tmp_path):
    path = write(
        tmp_path / "dates.export.CSV",
        [
            gdelt2_line(1, date="00010101"),
            gdelt2_line(2, date="18991231"),
            gdelt2_line(3, date="21000101"),
            gdelt2_line(4, date="19790101"),
        ],
    )
    events, report = read_events(path, source_format="gdelt2", rejects_dir=tmp_path)
    assert events["event_id"].tolist() == ["gdelt:4"]
    reasons = pd.read_csv(report.rejects_path).set_index("line")["reason"]
    assert reasons.index.tolist() == [1, 2, 3]
    assert all(r.startswith("date outside 1979-01-01..") and "impossible for gdelt2" in r for r in reasons)
    acled = tmp_path / "acled.csv"
    rows = [acled_row("UKR1", event_date="1990-05-01"), acled_row("UKR2")]
    pd.DataFrame(rows, columns=ACLED_COLUMNS).to_csv(acled, index=False)
    events, report = read_events(acled, source_format="acled", rejects_dir=tmp_path)
    assert events["event_id"].tolist() == ["acled:UKR2"]
    assert pd.read_csv(report.rejects_path)["reason"].str.startswith("date outside 1997-01-01..").all()


def test_score_refuses_impossible_or_absurd_spans(tmp_path, monkeypatch):
    import tensions.cli

    events = pd.DataFrame(
        {
            "event_id": ["old", "a", "b"],
            "date": pd.to_datetime(["1750-01-01", "2024-01-01", "2024-12-31"]),
            "actor": ["RUS"] * 3,
            "target": ["AZE"] * 3,
            "goldstein": [-5.0] * 3,
            "confidence": ["reported"] * 3,
        }
    )
    bad = tmp_path / "bad.parquet"
    events.to_parquet(bad)
    with pytest.raises(SystemExit, match=r"1 event\(s\) dated outside 1800-01-01\.\..*: old \(1750-01-01\)"):
        cli_main(["score", str(bad), "--out", str(tmp_path / "s.parquet")])
    wide = tmp_path / "wide.parquet"
    events.iloc[1:].to_parquet(wide)
    monkeypatch.setattr(tensions.cli, "MAX_SCORE_ROWS", 100)  # 366 daily rows: "absurd" at this limit
    with pytest.raises(SystemExit, match=r"from a \(2024-01-01\) to b \(2024-12-31\)"):
        cli_main(["score", str(wide), "--out", str(tmp_path / "s.parquet")])
    assert not (tmp_path / "s.parquet").exists()


# ---------------------------------------------------------------------------------------- 5. formula injection


def test_rejects_csv_is_guarded_against_formulas(tmp_path):
    path = tmp_path / "mine.csv"
    path.write_text(
        "id,when,from,to,code,weight\n"
        '"=HYPERLINK(""http://x"")",2024-12-25,RUS,AZE,190,bad\n'
        "+cmd|' /C calc'!A0,2024-12-25,RUS,AZE,190,-1,extra\n"
        "@SUM(A1),2024-12-25,=1+1,AZE,190,-1\n",
        encoding="utf-8",
    )
    _, report = read_events(path, source_format="csv", mapping=CSV_MAPPING, rejects_dir=tmp_path)
    assert report.rejected == 3
    with report.rejects_path.open(newline="", encoding="utf-8") as handle:
        cells = [cell for row in csv.reader(handle) for cell in row]
    assert not [c for c in cells if c.startswith(("=", "+", "-", "@"))]
    assert any(c.startswith("'=HYPERLINK") for c in cells) and any(c.startswith("'+cmd") for c in cells)


# ---------------------------------------------------------------------------------------- 6. stray quote


def test_a_stray_quote_costs_its_record_not_the_file(tmp_path):
    path = tmp_path / "acled.csv"
    rows = [acled_row(f"UKR{i}") for i in range(60)]
    pd.DataFrame(rows, columns=ACLED_COLUMNS).to_csv(path, index=False)
    lines = path.read_text(encoding="utf-8").splitlines()
    lines[10] = lines[10].replace(",Kharkiv,", ',"Kharkiv,', 1)  # opens a quote that the next record closes
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    events, report = read_events(path, source_format="acled", rejects_dir=tmp_path)
    assert report.read == report.kept + report.filtered + report.rejected
    assert 1 <= report.rejected <= 2 and report.kept == 60 - report.rejected
    assert set(pd.read_csv(report.rejects_path)["line"]) <= {11, 12}
    unclosed = write(  # a quote that nothing closes: the lines after it are read again
        tmp_path / "mine.csv",
        ["id,when,from,to,code,weight", 'a,2024-12-25,"RUS,AZE,190,-1']
        + [f"e{i},2024-12-25,RUS,AZE,190,-1" for i in range(20)],
    )
    events, report = read_events(unclosed, source_format="csv", mapping=CSV_MAPPING, rejects_dir=tmp_path)
    assert (report.read, report.kept, report.rejected) == (21, 20, 1)
    assert pd.read_csv(report.rejects_path)["line"].tolist() == [2]
    semicolons = write(  # the dialect is given, not sniffed: another delimiter is named in the mapping
        tmp_path / "semi.csv", ["id;when;from;to;code;weight", "a;2024-12-25;RUS;AZE;190;-1"]
    )
    events, _ = read_events(semicolons, source_format="csv", mapping={**CSV_MAPPING, "delimiter": ";"})
    assert events["event_id"].tolist() == ["a"]


def test_many_stray_quotes_cost_their_records_and_every_reject_names_its_own_line(tmp_path):
    lines = ["id,when,from,to,code,weight"]
    for i in range(40):
        if i % 4 == 0:
            lines.append(f'q{i},2024-12-25,"RUS,AZE,190,-1')  # swallows the lines up to the next quote
        elif i % 4 == 2:
            lines.append(f'x{i},2024-12-25,"RUS",AZE,190,-1,"x"')  # a field too many
        elif i % 8 == 3:
            lines.append(f"u{i},2024-12-25,XXX,AZE,190,-1")  # an unknown country
        else:
            lines.append(f"k{i},2024-12-25,RUS,AZE,190,-1")
    path = write(tmp_path / "quotes.csv", lines)
    events, report = read_events(path, source_format="csv", mapping=CSV_MAPPING, rejects_dir=tmp_path)
    assert (report.read, report.kept, report.rejected) == (40, 15, 25)
    assert sorted(events["event_id"]) == sorted(line.split(",")[0] for line in lines if line.startswith("k"))
    rejects = pd.read_csv(report.rejects_path)
    assert [lines[n - 1].split(",")[0] for n in rejects["line"]] == [
        r.split(",")[0] for r in rejects["record"]
    ]


# ---------------------------------------------------------------------------------------- 7. duplicates


def test_a_repeated_event_id_is_filtered_as_a_duplicate(tmp_path):
    same = write(tmp_path / "a.export.CSV", [gdelt2_line(1)] * 1000 + [gdelt2_line(2)])
    republished = write(tmp_path / "b.export.CSV", [gdelt2_line(2), gdelt2_line(3)])
    events, report = read_events([same, republished], source_format="gdelt2", rejects_dir=tmp_path)
    assert events["event_id"].tolist() == ["gdelt:1", "gdelt:2", "gdelt:3"]
    assert report.reasons == {"filtered: duplicate event id (the first record kept)": 1000}
    assert (report.read, report.kept, report.filtered) == (1003, 3, 1000)
    assert "1,000 filtered: duplicate event id" in str(report)


# ---------------------------------------------------------------------------------------- 8-9. paths


def test_a_symlink_loop_is_a_file_error_and_the_other_files_are_read(tmp_path):
    good = write(tmp_path / "good.export.CSV", [gdelt2_line(1)])
    (tmp_path / "loop-a").symlink_to(tmp_path / "loop-b")
    (tmp_path / "loop-b").symlink_to(tmp_path / "loop-a")
    events, report = read_events([tmp_path / "loop-a", good], source_format="gdelt2", rejects_dir=tmp_path)
    assert events["event_id"].tolist() == ["gdelt:1"]
    assert any("loop-a" in e and "symbolic link loop" in e for e in report.file_errors), report.file_errors


def test_no_writer_follows_a_symlink_into_data(tmp_path):
    target = paths.DATA_DIR / "never-written-by-tests.html"
    assert not target.exists()
    link = tmp_path / "report.html"
    link.symlink_to(target)
    folder_link = tmp_path / "figures"
    folder_link.symlink_to(paths.DATA_DIR)
    events = load_events()
    fig = go.Figure(go.Scatter(x=[1, 2], y=[1, 2]))
    try:
        with pytest.raises(PermissionError, match="curated dataset folder"):
            build_report({"A chart": fig}, events, out=link)
        with pytest.raises(PermissionError, match="curated dataset folder"):
            export_figures([(fig, "never-written", pd.DataFrame({"a": [1]}))], ("html",), out_dir=folder_link)
        with pytest.raises(PermissionError, match="curated dataset folder"):
            outputs.write_csv(pd.DataFrame({"a": [1]}), link)
    finally:
        leaked = [
            p for p in (target, paths.DATA_DIR / "never-written.html", paths.DATA_DIR / "never-written.csv")
        ]
        for path in leaked:
            path.unlink(missing_ok=True)
    assert not target.exists()
    built = build_report({"A chart": fig}, events, out=tmp_path / "real.html")  # an ordinary path still works
    assert built.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")


# ---------------------------------------------------------------------------------------- 10-11. loaders


def test_loader_names_the_line_of_a_latin1_byte_and_refuses_a_folder(mini_dataset, tmp_path):
    events = mini_dataset["events"]
    raw = events.read_bytes().replace(b"Aktau", b"Aktau \xe9", 1)
    events.write_bytes(raw)
    with pytest.raises(DatasetError, match=r"events\.csv, line 2.*0xE9 is not UTF-8.*save it as UTF-8"):
        load_events(events)
    with pytest.raises(DatasetError, match="is a folder"):
        load_events(tmp_path)


def test_an_extra_column_is_named_and_ignored(mini_dataset, tmp_path):
    path = write_csv(
        tmp_path / "extra.csv",
        [*(f.name for f in EVENT_FIELDS), "my_flag"],
        [{**row, "my_flag": "x"} for row in MINI_EVENTS],
    )
    countries, sources = _mini_tables(mini_dataset)
    with pytest.warns(ExtraColumnWarning, match="my_flag.*ignored"):
        events = load_events(path, countries=countries, sources=sources)
    assert "my_flag" not in events.columns and len(events) == 2
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        load_events(mini_dataset["events"], countries=countries, sources=sources)  # no warning without one


def _mini_tables(mini: dict[str, Path]):
    from tensions.data import load_countries, load_sources

    return load_countries(mini["countries"]), load_sources(mini["sources"])


# ---------------------------------------------------------------------------------------- 13. CLI


def test_score_reads_curated_csv_and_parquet_and_names_the_formats(tmp_path, mapping):
    series = tmp_path / "series.parquet"
    done = run_cli("score", str(paths.EVENTS_CSV), "--out", str(series), cwd=tmp_path)
    assert done.returncode == 0 and "rows (D) written" in done.stdout, done.stderr
    assert set(pd.read_parquet(series)["pair"]) >= {"AZE-RUS"}
    ingested = tmp_path / "events.parquet"
    assert (
        run_cli(*ingest_args(csv_events(tmp_path / "in", 1), mapping, ingested), cwd=tmp_path).returncode == 0
    )
    assert run_cli("score", str(ingested), "--out", str(series), cwd=tmp_path).returncode == 0
    notes = tmp_path / "notes.txt"
    notes.write_text("not events\n", encoding="utf-8")
    broken = tmp_path / "broken.parquet"
    broken.write_bytes(b"PAR1 and then nothing")
    for args, expected in [
        (
            ["score", str(notes), "--out", str(series)],
            "neither Parquet nor CSV; score reads events as Parquet",
        ),
        (["score", str(tmp_path / "absent.parquet"), "--out", str(series)], "file not found"),
        (["score", str(broken), "--out", str(series)], "error:"),
        (["score", str(paths.COUNTRIES_CSV), "--out", str(series)], "required column is missing"),
        (
            ["ingest", "--format", "gdelt2", str(notes), "--countries", "Russia", "--out", str(series)],
            "alpha-3",
        ),
        (["ingest", "--format", "csv", str(notes), "--out", str(series)], "needs a mapping"),
        (["ingest", "--format", "gdelt2", str(tmp_path / "none*"), "--out", str(series)], "no file matches"),
    ]:
        failed = run_cli(*args, cwd=tmp_path)
        assert failed.returncode != 0 and expected in failed.stderr, (args, failed.stderr)
        assert "Traceback" not in failed.stderr, failed.stderr


# ---------------------------------------------------------------------------------------- 14. NUL bytes


def test_nul_bytes_are_rejected_with_a_reason(tmp_path, mini_dataset):
    path = tmp_path / "nul.export.CSV"
    path.write_bytes(("\n".join([gdelt2_line(1, Actor1Name="RUS\x00SIA"), gdelt2_line(2)]) + "\n").encode())
    events, report = read_events(path, source_format="gdelt2", rejects_dir=tmp_path)
    assert events["event_id"].tolist() == ["gdelt:2"]
    assert pd.read_csv(report.rejects_path)[["line", "reason"]].values.tolist() == [
        [1, "NUL byte in a field"]
    ]
    curated = mini_dataset["events"]
    curated.write_bytes(curated.read_bytes().replace(b"comma.", b"comma.\x00", 1))
    with pytest.raises(DatasetError, match=r"line 2.*NUL byte"):
        load_events(curated)


def test_an_image_that_kaleido_did_not_render_is_an_error_and_replaces_nothing(tmp_path, monkeypatch):
    from tensions import static_session

    previous = tmp_path / "chart.png"
    previous.write_bytes(b"the previous image")
    calls = []

    def renders_nothing(specs):  # as the session does when a render times out: no file, the error raised
        calls.append(len(specs))
        for spec in specs:
            Path(spec["path"]).unlink(missing_ok=True)
        raise TimeoutError("render timed out")

    monkeypatch.setattr(static_session, "write_static", renders_nothing)
    fig = go.Figure(go.Scatter(x=[1, 2], y=[1, 2]))
    with pytest.raises(ExportError, match=r"chart\.png \(2 attempts\): render timed out"):
        export_figures([(fig, "chart", None)], ("png",), out_dir=tmp_path)
    assert calls == [1, 1] and previous.read_bytes() == b"the previous image"
    assert temps_of(previous) == []


def test_ctrl_c_while_duckdb_is_set_up_is_an_interruption_not_a_crash(monkeypatch):
    """A SIGINT while DuckDB applies a setting stops the run like Ctrl-C.

    DuckDB turns it into ``RuntimeError: Query interrupted``: the CLI must say "interrupted" and exit 130,
    not show a traceback.
    """
    from tensions.ingest import readers

    def interrupted(self):
        raise RuntimeError("Query interrupted")

    monkeypatch.setattr(readers._connect, "_set_up", interrupted)
    with pytest.raises(KeyboardInterrupt), readers._connect():
        pass

    def broken(self):
        raise RuntimeError("something else")

    monkeypatch.setattr(readers._connect, "_set_up", broken)
    with pytest.raises(RuntimeError, match="something else"), readers._connect():
        pass


def test_the_duckdb_memory_setting_is_checked_never_pasted_into_sql(tmp_path, monkeypatch):
    path = write(tmp_path / "a.export.CSV", [gdelt2_line(1)])
    monkeypatch.setenv("TENSIONS_DUCKDB_MEMORY", "256MB'; SELECT 1; --")
    with pytest.raises(ValueError, match="memory limit must be a size"):
        read_events(path, source_format="gdelt2", rejects_dir=tmp_path)
    monkeypatch.setenv("TENSIONS_DUCKDB_MEMORY", "300 MiB")
    events, _ = read_events(path, source_format="gdelt2", rejects_dir=tmp_path)
    assert events["event_id"].tolist() == ["gdelt:1"]
