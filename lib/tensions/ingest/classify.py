"""The streaming classifier: one SQL pass that gives every record an outcome code and hands over the kept ones.

``code`` indexes :func:`outcomes`: kept, or the first reason that rejects or filters the record, tested in that
order. One query per scan reads the files, converts the fields (the format's source SQL), classifies, and hands
the kept records' fields to Arrow in batches, where the remaining event columns are derived
(:func:`derive_columns`). User values (countries, pairs, dates, codes) are DuckDB parameters.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from tensions.ingest.formats import FIRST_DATES, TEXT_FIELDS, SourceFormat
from tensions.ingest.lookups import cameo_arrays
from tensions.schema import EVENT_FIELDS, event_parquet_schema

#: The curated event columns, in order (plus ``pair`` in the handed-over tables). Like the types of the tables
#: handed over (:func:`event_schema`), they come from the event field list: a field added there is a column
#: here, NULL unless a format provides it (:data:`KEPT_COLUMNS`).
EVENT_COLUMNS = [f.name for f in EVENT_FIELDS]
#: Days after today an event date may lie (time zones, files published ahead): later dates are rejected.
FUTURE_MARGIN_DAYS = 7
#: The codes of rejected records (0 is kept, the others filtered).
REJECTED_CODES = (1, 2, 3, 4, 5, 7, 8, 9, 10, 11)
#: The source columns that locate a rejected record, handed over as one JSON list (cheaper than a struct in the
#: many rows where it is NULL).
REJECT_KEYS = ("filename", "raw_id", "key_b", "key_c", "key_d", "key_e", "key_f", "line_text", "line_no")
#: The fields of a kept record handed over by DuckDB, by name: SQL over a classified record. ``{notes}`` is the
#: format's notes expression. The other event columns are derived from these in Arrow (:func:`derive_columns`),
#: which costs less than building them in SQL for every record.
KEPT_COLUMNS = {
    "event_id": "rec_id",
    "date": "date",
    "date_precision": "coalesce(date_precision, 'day')",
    "end_date": "end_date",
    "actor": "actor",
    "target": "target",
    "actor_detail": "actor_detail",
    "target_detail": "target_detail",
    "cameo_code": "cameo_code",
    "goldstein": "goldstein",
    "goldstein_note": "goldstein_note",
    "location": "location",
    "latitude": "TRY_CAST(latitude AS DOUBLE)",
    "longitude": "TRY_CAST(longitude AS DOUBLE)",
    "confidence": "coalesce(confidence, 'reported')",
    "date_note": "date_note",
    "notes": "{notes}",
}
#: Event columns that copy one source column (its value when NULL): not handed over for a format that fixes it.
COPIED = {
    "date_precision": ("date_precision", "day"),
    "end_date": ("end_date", None),
    "goldstein_note": ("goldstein_note", None),
    "confidence": ("confidence", "reported"),
    "date_note": ("date_note", None),
}


def fixed_columns(source_format: SourceFormat) -> dict[str, object]:
    """The event columns with one value for every record of ``source_format`` (filled in Arrow)."""
    out = {}
    for column, (source, default) in COPIED.items():
        if source in source_format.fixed:
            value = source_format.fixed[source]
            out[column] = default if value is None else value
    return out


def handed_over(source_format: SourceFormat) -> list[str]:
    """The kept fields handed over record by record for ``source_format`` (:data:`KEPT_COLUMNS` not fixed)."""
    fixed = fixed_columns(source_format)
    return [c for c in KEPT_COLUMNS if c not in fixed]


def date_range(source_format: str | SourceFormat, today: date | None = None) -> tuple[date, date]:
    """The dates an event of a format can have: from the start of the source to today plus a small margin.

    Args:
        source_format: a format or its name.
        today: the day to count from (default: today).

    Returns:
        (first, last) possible dates.

    >>> date_range("gdelt2", today=date(2025, 1, 1))
    (datetime.date(1979, 1, 1), datetime.date(2025, 1, 8))
    """
    name = source_format if isinstance(source_format, str) else source_format.name
    return FIRST_DATES[name], (today or date.today()) + timedelta(days=FUTURE_MARGIN_DAYS)


def outcomes(source_format: SourceFormat) -> dict[int, str | None]:
    """The outcome of each ``code`` of :func:`classify_sql` (``None``: the text depends on the record)."""
    first, last = date_range(source_format)
    return {
        0: "kept",
        1: "rejected: wrong number of fields",
        2: "rejected: NUL byte in a field",
        3: None,
        4: "rejected: invalid date",
        5: f"rejected: date outside {first:%Y-%m-%d}..{last:%Y-%m-%d} (impossible for {source_format.name})",
        6: None,
        7: "rejected: non-numeric Goldstein",
        8: "rejected: Goldstein outside -10..10",
        9: "rejected: invalid CAMEO code",
        10: None,
        11: None,
        12: "filtered: not a country pair",
        13: "filtered: domestic (same country on both sides)",
        14: "filtered: outside the requested countries, pairs, dates or codes",
    }


def classify_sql(filters: str, source_format: SourceFormat) -> str:
    """SQL over ``source``: its columns, ``actor``/``target`` (ISO3 of states) and the outcome ``code``.

    Country codes are looked up by a cast to an ENUM of the format's known codes, states first (see
    :mod:`tensions.ingest.lookups`). The dates are parameters ``$first_date`` and ``$last_date``.
    """
    # one search of the fields joined (NULL as empty) costs less than one per field
    nul = f"contains(concat({', '.join(TEXT_FIELDS)}), chr(0))"
    kind = source_format.countries
    return f"""SELECT *, CASE
            WHEN NOT count_ok THEN 1
            WHEN {nul} THEN 2
            WHEN extra_reject IS NOT NULL THEN 3
            WHEN date IS NULL THEN 4
            WHEN date < $first_date OR date > $last_date THEN 5
            WHEN extra_filter IS NOT NULL THEN 6
            WHEN goldstein IS NULL THEN 7
            WHEN isnan(goldstein) OR goldstein < -10 OR goldstein > 10 THEN 8
            WHEN cameo_code IS NULL OR NOT regexp_full_match(cameo_code, '(0[1-9]|1\\d|20)\\d{{0,2}}') THEN 9
            WHEN a1_code IS NOT NULL AND a1 IS NULL THEN 10
            WHEN a2_code IS NOT NULL AND a2 IS NULL THEN 11
            WHEN actor IS NULL OR target IS NULL THEN 12
            WHEN actor = target THEN 13
            WHEN NOT ({filters}) THEN 14
            ELSE 0 END::UTINYINT AS code
        FROM (SELECT *, state_iso3_{kind}(a1, a1_code) AS actor, state_iso3_{kind}(a2, a2_code) AS target
              FROM (SELECT *, TRY_CAST(a1_code AS country_code_{kind}) AS a1,
                           TRY_CAST(a2_code AS country_code_{kind}) AS a2 FROM source))"""


def stream_sql(source_format: SourceFormat, source: str, filters: str, origin: Path) -> str:
    """The one query of a scan: outcome codes, reasons, rejected records' keys, kept records' fields.

    Every record's ``code``, the text of record-specific outcomes, the rejected records' keys, and the kept
    records' id hash (``id_hash``, for :class:`tensions.ingest.seen.SeenIds`) and fields (NULL in the other
    records' rows).
    """
    notes = source_format.notes_sql(origin)
    kept = ",\n        ".join(
        f"CASE WHEN code = 0 THEN {KEPT_COLUMNS[name].format(notes=notes)} END AS {name}"
        for name in handed_over(source_format)
    )
    # a test per code, not ``code IN (...)``: DuckDB makes a long IN list a join, which loses the order of the
    # records (and the first of a repeated id would depend on the run)
    rejected = " OR ".join(f"code = {c}" for c in REJECTED_CODES)
    return f"""WITH source AS ({source}), classified AS ({classify_sql(filters, source_format)})
    SELECT code,
        CASE code WHEN 3 THEN 'rejected: ' || extra_reject WHEN 6 THEN 'filtered: ' || extra_filter
            WHEN 10 THEN 'rejected: unknown country code ' || a1_code
            WHEN 11 THEN 'rejected: unknown country code ' || a2_code END AS reason,
        CASE WHEN {rejected} THEN to_json([{", ".join(REJECT_KEYS[:-1])}, line_no::VARCHAR])
            END AS rejected,
        CASE WHEN code = 0 THEN hash(rec_id) END AS id_hash,
        {kept}
    FROM classified"""


def filters_sql(
    countries: Sequence[str] | None,
    pairs: Sequence[str] | None,
    start: object,
    end: object,
    root_codes: Sequence[str] | None,
) -> tuple[str, dict]:
    """The user's filters as SQL over the classified record, and their values as DuckDB parameters.

    Countries are ISO3 codes in any case; pairs are two ISO3 codes in either order (``RUS-AZE`` = ``AZE-RUS``);
    root codes are CAMEO roots ``01``..``20`` (``1`` = ``01``). Anything else raises ``ValueError`` rather than
    filtering every record out.

    >>> filters_sql(["rus"], ["RUS-AZE"], None, None, ["19"])[1]
    {'countries': ['RUS'], 'pairs': ['AZE-RUS'], 'roots': ['19']}
    """
    values = {
        "countries": [_iso3(c) for c in countries or []],
        "pairs": ["-".join(sorted(_iso3(c) for c in str(p).split("-"))) for p in pairs or []],
        "roots": [str(c).strip().zfill(2) for c in root_codes or []],
    }
    if any(len(p.split("-")) != 2 for p in values["pairs"]):
        raise ValueError(f"a pair is two ISO3 codes joined by '-', e.g. AZE-RUS: {values['pairs']}")
    bad_roots = [c for c in values["roots"] if not (c.isdigit() and 1 <= int(c) <= 20 and len(c) == 2)]
    if bad_roots:
        raise ValueError(f"CAMEO root codes are 01..20 (two digits), not {', '.join(bad_roots)}")
    tests = {
        "countries": "(list_contains($countries, actor) OR list_contains($countries, target))",
        "pairs": "list_contains($pairs, least(actor, target) || '-' || greatest(actor, target))",
        "roots": "list_contains($roots, substr(cameo_code, 1, 2))",
        "start": "date >= $start",
        "end": "date <= $end",
    }
    values.update({k: pd.Timestamp(v).date() for k, v in (("start", start), ("end", end)) if v is not None})
    values = {k: v for k, v in values.items() if v not in ([], None)}
    return " AND ".join(["TRUE", *(tests[k] for k in values)]), values


def _iso3(code: str) -> str:
    code = str(code).strip().upper()
    if not (len(code) == 3 and code.isalpha()):
        raise ValueError(f"countries are ISO 3166 alpha-3 codes such as RUS or AZE, not {code!r}")
    return code


def count_batch(
    batch: pa.RecordBatch, texts: dict[int, str | None], counts: dict[str, int], rejected: list
) -> None:
    """Count the outcomes of a batch into ``counts``; append its rejected records (keys, reason) to ``rejected``."""
    for item in pc.value_counts(batch.column("code")).to_pylist():
        text = texts[item["values"]]
        if text is not None:
            counts[text] = counts.get(text, 0) + item["counts"]
    reasons = batch.column("reason")
    if reasons.null_count < len(reasons):
        for item in pc.value_counts(reasons.drop_null()).to_pylist():
            counts[item["values"]] = counts.get(item["values"], 0) + item["counts"]
    keys = batch.column("rejected")
    if keys.null_count == len(keys):
        return
    mask = pc.is_valid(keys)
    rows = zip(
        pc.filter(batch.column("code"), mask).to_pylist(),
        pc.filter(reasons, mask).to_pylist(),
        pc.filter(keys, mask).to_pylist(),
        strict=True,
    )
    for code, reason, keys_json in rows:
        text = texts[code] if reason is None else reason
        row = dict(zip(REJECT_KEYS, json.loads(keys_json), strict=True))
        row["line_no"] = None if row["line_no"] is None else int(row["line_no"])
        rejected.append({**row, "reason": text.removeprefix("rejected: ")})


def kept_rows(batch: pa.RecordBatch, columns: list[str]) -> pa.Table:
    """The kept records of a batch, in the handed-over ``columns`` (see :func:`handed_over`)."""
    table = pa.Table.from_batches([batch])
    return table.select(columns).filter(pc.equal(table.column("code"), 0))


def event_schema() -> pa.Schema:
    """The Arrow schema of the tables handed over: the event columns plus ``pair``, from the field list."""
    return event_parquet_schema()


def distinct_rows(columns: list[pa.Array | pa.ChunkedArray]) -> tuple[list[pa.Array], pa.Array] | None:
    """The distinct combinations of ``columns`` (no NULL in them), and the index of each row's combination.

    Columns such as actor, target and CAMEO code take few values together: what is derived from them alone is
    computed once per combination, then taken for every row. ``None`` if a column holds a NULL.

    >>> values, index = distinct_rows([pa.array(["RUS", "AZE", "RUS"]), pa.array(["AZE", "RUS", "AZE"])])
    >>> [v.to_pylist() for v in values], index.to_pylist()
    ([['RUS', 'AZE'], ['AZE', 'RUS']], [0, 1, 0])
    """
    encoded = []
    for column in columns:
        array = column.combine_chunks() if isinstance(column, pa.ChunkedArray) else column
        if array.null_count:
            return None
        encoded.append(pc.dictionary_encode(array))
    key = np.zeros(len(encoded[0]), dtype=np.int64)
    for array in encoded:
        key = key * len(array.dictionary) + array.indices.to_numpy().astype(np.int64)
    distinct, index = np.unique(key, return_inverse=True)
    values = []
    for array in reversed(encoded):
        size = len(array.dictionary)
        values.append(pc.take(array.dictionary, pa.array(distinct % size)))
        distinct = distinct // size
    return values[::-1], pa.array(index.reshape(-1))


def _pair_columns(kept: pa.Table) -> dict[str, pa.Array]:
    """Quad class, title, pair and the CAMEO description (``what``) of the kept rows."""
    codes, descriptions, roots, quads = cameo_arrays()
    keys = [kept.column("actor"), kept.column("target"), kept.column("cameo_code")]
    found = distinct_rows(keys)
    (actor, target, cameo), index = found if found else (keys, None)
    what = pc.fill_null(pc.take(descriptions, pc.index_in(cameo, value_set=codes)), "event")
    out = {
        "what": what,
        "quad_class": pc.fill_null(
            pc.take(quads, pc.index_in(pc.utf8_slice_codeunits(cameo, 0, 2), value_set=roots)), 0
        ),
        "title": pc.utf8_slice_codeunits(
            pc.binary_join_element_wise(actor, " → ", target, ": ", what, ""), 0, 80
        ),
        "pair": pc.binary_join_element_wise(
            pc.min_element_wise(actor, target), pc.max_element_wise(actor, target), "-"
        ),
    }
    return out if index is None else {k: pc.take(v, index) for k, v in out.items()}


def derive_columns(kept: pa.Table, fixed: dict[str, object] | None = None) -> pa.Table:
    """The kept fields -> the event columns (plus ``pair``), typed by :func:`event_schema`.

    CAMEO description and quad class, title, themes and pair are derived here (those of actor, target and code
    alone once per combination, :func:`distinct_rows`), the ``fixed`` columns filled (:func:`fixed_columns`);
    an event column that no step provides is NULL.
    """
    paired = _pair_columns(kept)
    what, quad = paired.pop("what"), paired["quad_class"]
    details = [pc.fill_null(kept.column(c), "") for c in ("actor_detail", "target_detail")]
    derived = {
        **paired,
        "description": pc.binary_join_element_wise(what, " (", details[0], " → ", details[1], ")", ""),
        "themes": pc.if_else(pc.less(quad, 3), "diplomacy", "security"),
        "source_ids": kept.column("event_id"),
        "evidence": pa.nulls(kept.num_rows, pa.string()),
        "group_id": pa.nulls(kept.num_rows, pa.string()),
    }
    n = kept.num_rows
    constant = {
        c: pa.nulls(n, pa.string()) if v is None else pa.repeat(pa.scalar(v), n)
        for c, v in (fixed or {}).items()
    }
    columns = {**constant, **{c: kept.column(c) for c in kept.column_names}, **derived}
    schema = event_schema()
    arrays = [columns.get(f.name, pa.nulls(kept.num_rows, f.type)) for f in schema]
    return pa.table(arrays, names=schema.names).cast(schema)
