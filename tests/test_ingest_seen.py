"""The ids kept so far (:class:`tensions.ingest.seen.SeenIds`): by hash, but never two ids taken for one."""

import numpy as np
import pyarrow as pa

from tensions.ingest.seen import SeenIds


def _batch(ids, hashes):
    return pa.array(ids, pa.string()), np.array(hashes, dtype=np.uint64)


def test_new_ids_pass_and_repeats_are_caught_within_and_across_batches():
    seen = SeenIds()
    assert seen.first_seen(*_batch(["a", "b", "c"], [3, 1, 2])) is None
    fresh = seen.first_seen(*_batch(["d", "b", "d", "e"], [7, 1, 7, 5]))
    assert fresh.tolist() == [True, False, False, True]
    assert len(seen) == 5
    assert seen.first_seen(*_batch(["e", "f"], [5, 9])).tolist() == [False, True]


def test_ids_sharing_a_hash_are_told_apart():
    seen = SeenIds()
    assert seen.first_seen(*_batch(["a", "b"], [1, 2])) is None
    assert seen.first_seen(*_batch(["x", "a"], [1, 1])).tolist() == [True, False]  # x shares a's hash
    assert seen.first_seen(*_batch(["y", "y", "z"], [4, 4, 4])).tolist() == [True, False, True]


def test_many_batches_stay_a_few_runs_and_forgotten_ids_are_new_again():
    seen = SeenIds()
    rng = np.random.default_rng(0)
    hashes = rng.permutation(10_000).astype(np.uint64)
    ids = [f"id{h}" for h in hashes]
    for start in range(0, 10_000, 100):
        assert seen.first_seen(*_batch(ids[start : start + 100], hashes[start : start + 100])) is None
    assert len(seen) == 10_000 and len(seen.runs) <= 14
    assert seen.first_seen(*_batch([ids[5], "new"], [hashes[5], 10_001])).tolist() == [False, True]
    seen.forget(pa.array(ids[:50]))
    assert seen.first_seen(*_batch(ids[:2], hashes[:2])) is None


def test_the_scan_query_keeps_the_order_records_were_read_in(tmp_path):
    """No join in the one query of a scan.

    DuckDB's joins hand rows over out of order, and the first record of a repeated id (the one kept) would then
    depend on the run.
    """
    from tensions.ingest import classify
    from tensions.ingest.formats import get_format
    from tensions.ingest.sqltext import Connection

    path = tmp_path / "a.export.CSV"
    path.write_text("\t".join(["1"] * 61) + "\n", encoding="utf-8")
    for name in ("gdelt1", "gdelt2"):  # ICEWS looks its country names up by a join: not yet
        fmt = get_format(name)
        filters, params = classify.filters_sql(["RUS"], ["AZE-RUS"], "2020-01-01", None, ["19"])
        first, last = classify.date_range(fmt)
        with Connection(tmp_path) as con:
            source, files = fmt.source_sql([path], path, "rejects_plan")
            query = classify.stream_sql(fmt, source, filters, path)
            plan = con.sql(
                "EXPLAIN " + query, params={**params, **files, "first_date": first, "last_date": last}
            )
            assert "join" not in plan.fetchall()[0][1].lower(), name
