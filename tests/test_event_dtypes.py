"""One definition of an event: curated and ingested events share columns, order and dtypes, from the field list."""

from __future__ import annotations

import duckdb
import pandas as pd
import pyarrow as pa
import pytest

from tensions import cli, paths, schema
from tensions.data import load_countries, load_events, load_sources
from tensions.ingest import read_events
from tensions.schema import EventSchemaError, coerce_events, dictionary, event_dtypes, validate_events
from tensions.score.engine_spark import spark_frame
from tensions.score.settings import resolve_settings

from conftest import MINI_EVENTS, write_csv

SAMPLES = [
    ("gdelt1", paths.EXTERNAL_DIR / "gdelt1_events_sample.tsv"),
    ("icews", paths.EXTERNAL_DIR / "icews_events_2018-06-01.tab"),
]
EXPECTED_COLUMNS = [f.name for f in schema.EVENT_FIELDS] + ["pair", "origin"]


@pytest.fixture(scope="module")
def curated() -> pd.DataFrame:
    return load_events()


def _assert_same_dtypes(left: pd.DataFrame, right: pd.DataFrame, columns: list[str]) -> None:
    for column in columns:
        a, b = left[column].dtype, right[column].dtype
        assert a == b and repr(a) == repr(b), f"{column}: {a!r} != {b!r}"
        if isinstance(a, pd.StringDtype):
            assert a.storage == b.storage, column
        if isinstance(a, pd.CategoricalDtype):
            assert list(a.categories) == list(b.categories), column
            assert a.categories.dtype == b.categories.dtype, column


@pytest.mark.parametrize(("fmt", "sample"), SAMPLES, ids=[s[0] for s in SAMPLES])
def test_read_events_is_typed_like_load_events(curated, fmt, sample, tmp_path):
    ingested, report = read_events(sample, source_format=fmt, rejects_dir=tmp_path)
    assert report.kept == len(ingested) > 0
    assert list(curated.columns) == EXPECTED_COLUMNS
    assert list(ingested.columns) == EXPECTED_COLUMNS
    shared = [c for c in curated.columns if c in ingested.columns]
    assert shared == EXPECTED_COLUMNS
    _assert_same_dtypes(curated, ingested, shared)
    assert dict(curated.dtypes) == event_dtypes()
    assert str(ingested["date"].dtype) == "datetime64[us]"
    assert set(ingested["origin"]) == {"machine-coded"}


def test_empty_ingest_is_typed_like_load_events(curated, tmp_path):
    fmt, sample = SAMPLES[1]
    ingested, report = read_events(
        sample, source_format=fmt, start="2019-01-01", end="2019-12-31", rejects_dir=tmp_path
    )
    assert ingested.empty and report.filtered > 0
    assert list(ingested.columns) == EXPECTED_COLUMNS
    _assert_same_dtypes(curated, ingested, EXPECTED_COLUMNS)


def test_a_field_added_to_the_list_reaches_both_loaders(monkeypatch, mini_dataset, tmp_path):
    added = schema.Field("intensity", "float", False, "A test field.")
    fields = (*schema.EVENT_FIELDS, added)
    monkeypatch.setattr(dictionary, "EVENT_FIELDS", fields)  # the one edit: the field list
    events_csv = write_csv(
        tmp_path / "events.csv", fields, [{**row, "intensity": "2.5"} for row in MINI_EVENTS]
    )
    curated = load_events(
        events_csv,
        countries=load_countries(mini_dataset["countries"]),
        sources=load_sources(mini_dataset["sources"]),
    )
    fmt, sample = SAMPLES[0]
    ingested, _ = read_events(sample, source_format=fmt, rejects_dir=tmp_path)
    for events in (curated, ingested):
        assert list(events.columns) == [*EXPECTED_COLUMNS[:-2], "intensity", "pair", "origin"]
        assert str(events["intensity"].dtype) == "float64"
    assert curated["intensity"].tolist() == [2.5] * len(MINI_EVENTS)
    assert ingested["intensity"].isna().all()
    _assert_same_dtypes(curated, ingested, list(curated.columns))


def test_validate_events_names_the_wrong_column(curated):
    with pytest.raises(EventSchemaError, match="'date' has dtype datetime64\\[ns\\]"):
        validate_events(curated.astype({"date": "datetime64[ns]"}))
    broken = curated.copy()
    broken.loc[0, "actor"] = pd.NA
    with pytest.raises(EventSchemaError, match="'actor'"):
        validate_events(broken)
    assert validate_events(curated) is curated


def test_coerce_events_refuses_unknown_categories_and_missing_fields(curated):
    raw = curated.astype({"confidence": "string"})
    raw.loc[0, "confidence"] = "rumoured"
    with pytest.raises(EventSchemaError, match="'confidence' has value\\(s\\) 'rumoured'"):
        coerce_events(raw)
    with pytest.raises(EventSchemaError, match="lack required column\\(s\\) cameo_code"):
        coerce_events(curated.drop(columns=["cameo_code"]))


def test_a_field_added_to_the_list_reaches_arrow_duckdb_and_spark(monkeypatch, curated):
    added = schema.Field("intensity", "float", False, "A test field.")
    monkeypatch.setattr(dictionary, "EVENT_FIELDS", (*schema.EVENT_FIELDS, added))  # the one edit
    columns = [*EXPECTED_COLUMNS[:-2], "intensity", "pair", "origin"]
    arrow = schema.event_arrow_schema()
    assert arrow.names == columns
    assert arrow.field("intensity").type == pa.float64()
    assert arrow.field("date").type == pa.timestamp("us")
    assert cli._parquet_schema().names == columns[:-1]  # ingest writes the file's fields and pair
    assert schema.event_duckdb_types()["intensity"] == "DOUBLE"
    assert list(schema.event_duckdb_types()) == columns
    # the DuckDB column list and the Arrow schema agree: DuckDB hands an empty table back in that schema
    con = duckdb.connect()
    con.execute(f"CREATE TABLE events ({schema.event_duckdb_columns()})")
    assert con.table("events").to_arrow_table().schema == arrow
    # and text cast with the DuckDB select list comes out in the same schema
    con.execute(f"CREATE TABLE raw AS SELECT {', '.join(f'NULL::VARCHAR AS {c}' for c in columns)}")
    assert con.sql(f"SELECT {schema.event_duckdb_casts()} FROM raw").to_arrow_table().schema == arrow
    # typed events (pandas) convert to the Arrow schema, intensity included
    typed = coerce_events(curated.assign(intensity=1.5))
    table = pa.Table.from_pandas(typed, schema=arrow, preserve_index=False)
    assert table.column("intensity").to_pylist() == [1.5] * len(curated)
    spark = schema.event_spark_schema()
    assert spark.fieldNames() == columns
    assert spark["intensity"].dataType.simpleString() == "double"
    assert spark["date"].dataType.simpleString() == "date"
    assert "`intensity` DOUBLE" in schema.event_spark_ddl()


def test_spark_engine_types_its_columns_from_the_field_list(monkeypatch, curated):
    frame, ddl = spark_frame(curated, resolve_settings())
    assert ddl == schema.event_spark_ddl(list(frame.columns))
    assert list(frame.columns) == [
        "date", "actor", "target", "confidence", "goldstein", "end_date", "date_precision", "cameo_code"
    ]  # fmt: skip
    assert frame["end_date"].isna().sum() == curated["end_date"].isna().sum()
    monkeypatch.setattr(
        dictionary, "EVENT_FIELDS", tuple(f for f in schema.EVENT_FIELDS if f.name != "goldstein")
    )
    with pytest.raises(EventSchemaError, match="no event field 'goldstein'"):
        schema.event_spark_ddl(["goldstein"])


def test_an_unknown_field_type_or_name_is_refused():
    with pytest.raises(ValueError, match="unknown type 'flaot'.*'float'"):
        schema.Field("intensity", "flaot", False, "A test field.")
    with pytest.raises(EventSchemaError, match="no event field 'goldsteen'.*'goldstein'"):
        schema.event_columns(["goldsteen"])
