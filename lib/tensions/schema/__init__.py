"""The data dictionary and the schemas of every curated table.

Two modules, one job each:

- :mod:`tensions.schema.dictionary` — the field lists of every curated table (:data:`EVENT_FIELDS`,
  :data:`EVENT_DERIVED_FIELDS`, :data:`SOURCE_FIELDS`, :data:`COUNTRY_FIELDS`, :data:`ERA_FIELDS`), the
  text schemas built from them and the rendered data dictionary (``make docs``).
- :mod:`tensions.schema.events` — the event table derived from its field list when called: pandas dtypes,
  Arrow and Parquet schema, DuckDB types, column list and casts, Spark schema, and the typing and checks
  of loaded events.

Validation works in two stages. First every file is read as text and checked column by column with
pandera (format, allowed values, ranges), then cross-table rules are checked (country codes that exist,
sources that exist, CAMEO codes and Goldstein weights that agree with the reference tables). Every
problem is reported with its file, line, column and reason; nothing is dropped.

Adding a column to the event table is one :class:`~tensions.fields.Field` in
``tensions.schema.dictionary.EVENT_FIELDS``. Every name is importable from here.
"""

from tensions.fields import Field
from tensions.schema.dictionary import (
    COUNTRY_FIELDS,
    ERA_FIELDS,
    EVENT_DERIVED_FIELDS,
    EVENT_FIELDS,
    MAX_EVIDENCE_WORDS,
    MAX_TITLE_CHARS,
    SOURCE_FIELDS,
    TABLES,
    build_text_schema,
    data_dictionary,
    render_data_dictionary_markdown,
)
from tensions.schema.events import (
    EventSchemaError,
    build_typed_event_schema,
    coerce_events,
    event_arrow_schema,
    event_columns,
    event_dtypes,
    event_duckdb_casts,
    event_duckdb_columns,
    event_duckdb_types,
    event_fields,
    event_parquet_schema,
    event_spark_ddl,
    event_spark_schema,
    field_dtype,
    require_columns,
    validate_events,
)
from tensions.vocabulary import CONFIDENCE_LEVELS, DATE_PRECISIONS, MEMBERSHIPS, ORIGINS, THEMES

__all__ = [
    "CONFIDENCE_LEVELS",
    "COUNTRY_FIELDS",
    "DATE_PRECISIONS",
    "ERA_FIELDS",
    "EVENT_DERIVED_FIELDS",
    "EVENT_FIELDS",
    "MAX_EVIDENCE_WORDS",
    "MAX_TITLE_CHARS",
    "MEMBERSHIPS",
    "ORIGINS",
    "SOURCE_FIELDS",
    "TABLES",
    "THEMES",
    "EventSchemaError",
    "Field",
    "build_text_schema",
    "build_typed_event_schema",
    "coerce_events",
    "data_dictionary",
    "event_arrow_schema",
    "event_columns",
    "event_duckdb_casts",
    "event_duckdb_columns",
    "event_duckdb_types",
    "event_dtypes",
    "event_fields",
    "event_parquet_schema",
    "event_spark_ddl",
    "event_spark_schema",
    "field_dtype",
    "render_data_dictionary_markdown",
    "require_columns",
    "validate_events",
]
