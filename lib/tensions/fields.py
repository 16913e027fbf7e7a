"""The record of one table column, and the forms its type takes in pandas, Arrow, DuckDB and Spark.

A :class:`Field` names a column, its type, whether it may be empty, its meaning and the checks of its
text. :mod:`tensions.schema` declares every curated table as a tuple of fields; the functions below turn
such a tuple into an Arrow schema, a DuckDB column list or a Spark schema, so that every engine reads one
definition.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import pandas as pd
import pyarrow

from tensions.checks_library import import_pandera
from tensions.names import suggest

if TYPE_CHECKING:
    from pyspark.sql.types import StructType

pa = import_pandera()  # without the PySpark and hypothesis it probes for (see checks_library)

#: An ISO calendar date as text.
ISO_DATE = r"^\d{4}-\d{2}-\d{2}$"


@dataclass(frozen=True)
class FieldType:
    """How one field type is held by each engine: pandas, Arrow (and Parquet), DuckDB and Spark.

    Attributes:
        pandas: the pandas dtype (``category`` fields get a ``CategoricalDtype`` of their categories).
        arrow: the Arrow type; Parquet files are written with it.
        duckdb: the DuckDB SQL type, the one DuckDB reads the Arrow type as.
        spark: the Spark SQL type (DDL name).
    """

    pandas: str
    arrow: pyarrow.DataType
    duckdb: str
    spark: str


#: Every field type and how each engine holds it. Dates are calendar days: microsecond timestamps with no
#: time zone in pandas, Arrow and DuckDB (the resolution pandas gives parsed ISO dates), ``DATE`` in Spark.
#: Categories travel as text; pandas types them with their categories.
FIELD_TYPES: dict[str, FieldType] = {
    "string": FieldType("string", pyarrow.string(), "VARCHAR", "STRING"),
    "date": FieldType("datetime64[us]", pyarrow.timestamp("us"), "TIMESTAMP", "DATE"),
    "int": FieldType("int64", pyarrow.int64(), "BIGINT", "BIGINT"),
    "float": FieldType("float64", pyarrow.float64(), "DOUBLE", "DOUBLE"),
    "category": FieldType("category", pyarrow.string(), "VARCHAR", "STRING"),
}


@dataclass(frozen=True)
class Field:
    """One column of a curated table: its name, type, whether it may be empty, its meaning and checks.

    ``dtype`` is a key of :data:`FIELD_TYPES` (``string``, ``date``, ``int``, ``float`` or ``category``); a
    ``category`` field lists its allowed values, in order, in ``categories``. The pandas, Arrow, DuckDB and
    Spark types of the field are derived from ``dtype``.

    >>> Field("intensity", "float", False, "How intense.").duckdb_type()
    'DOUBLE'
    """

    name: str
    dtype: str
    required: bool
    description: str
    checks: tuple[pa.Check, ...] = field(default_factory=tuple)
    categories: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        """Refuse an unknown field type, or categories on a field that is not a category."""
        if self.dtype not in FIELD_TYPES:
            raise ValueError(
                f"field {self.name!r}: unknown type {self.dtype!r}; {suggest(self.dtype, FIELD_TYPES)}"
            )
        if (self.dtype == "category") != bool(self.categories):
            raise ValueError(f"field {self.name!r}: a category field, and only one, lists its categories")

    def text_checks(self) -> tuple[pa.Check, ...]:
        """Return the checks of the field's text: its own, and for a category that it is one of the categories."""
        if self.dtype != "category":
            return self.checks
        allowed = pa.Check.isin(self.categories, error=f"must be one of {', '.join(self.categories)}")
        return (allowed, *self.checks)

    def pandas_dtype(self) -> object:
        """The pandas dtype of the field."""
        if self.dtype == "category":
            return pd.CategoricalDtype(list(self.categories))
        return pd.api.types.pandas_dtype(FIELD_TYPES[self.dtype].pandas)

    def arrow_type(self) -> pyarrow.DataType:
        """The Arrow (and Parquet) type of the field."""
        return FIELD_TYPES[self.dtype].arrow

    def duckdb_type(self) -> str:
        """The DuckDB SQL type of the field."""
        return FIELD_TYPES[self.dtype].duckdb

    def spark_type(self) -> str:
        """The Spark SQL type of the field."""
        return FIELD_TYPES[self.dtype].spark


def valid_iso_date(series: pd.Series) -> pd.Series:
    """Tell which texts are calendar dates ``YYYY-MM-DD``."""
    parsed = pd.to_datetime(series, format="%Y-%m-%d", errors="coerce")
    return parsed.notna()


def split_ok(allowed: tuple[str, ...]) -> Callable[[pd.Series], pd.Series]:
    """Return a check that every ``;``-separated part of a text is one of ``allowed``."""

    def check(series: pd.Series) -> pd.Series:
        return series.map(lambda s: all(part.strip() in allowed for part in str(s).split(";")))

    return check


def between(low: float, high: float) -> tuple[pa.Check, ...]:
    """Return the check of a number that must lie in [low, high]."""
    return (
        pa.Check(
            lambda s: pd.to_numeric(s, errors="coerce").between(low, high),
            error=f"must be a number in [{low}, {high}]",
        ),
    )


def matches(pattern: str, error: str) -> tuple[pa.Check, ...]:
    """Return the check of a text that must match a regular expression."""
    return (pa.Check.str_matches(pattern, error=error),)


def listed_in(allowed: tuple[str, ...], error: str) -> tuple[pa.Check, ...]:
    """Return the check of a ``;``-separated list whose every part is one of ``allowed`` (a vocabulary)."""
    return (pa.Check(split_ok(allowed), element_wise=False, error=error),)


def list_of(pattern: str, error: str) -> tuple[pa.Check, ...]:
    """Return the check of a ``;``-separated list whose every part matches ``pattern`` (no anchors).

    >>> list_of("[A-Z]{3}", "must be codes")[0].statistics["pattern"]
    '^[A-Z]{3}(;[A-Z]{3})*$'
    """
    return matches(rf"^{pattern}(;{pattern})*$", error)


#: The checks of an ISO date field: the pattern, and a real calendar day.
DATE_CHECKS = (
    pa.Check.str_matches(ISO_DATE, error="must be an ISO date YYYY-MM-DD"),
    pa.Check(valid_iso_date, element_wise=False, error="is not a calendar date"),
)


def arrow_schema(fields: Iterable[Field]) -> pyarrow.Schema:
    """Return the Arrow schema of a table of these fields.

    >>> arrow_schema([Field("n", "int", True, "A count.")])
    n: int64
    """
    return pyarrow.schema([(f.name, f.arrow_type()) for f in fields])


def duckdb_types(fields: Iterable[Field]) -> dict[str, str]:
    """Return the DuckDB SQL type of each field, by name."""
    return {f.name: f.duckdb_type() for f in fields}


def duckdb_columns(fields: Iterable[Field]) -> str:
    """Return the DuckDB column list of a table of these fields, as in ``CREATE TABLE t (...)``."""
    return ", ".join(f"{quote_sql_name(f.name)} {f.duckdb_type()}" for f in fields)


def duckdb_casts(fields: Iterable[Field], source: str = "") -> str:
    """Return a DuckDB select list that casts each field's column to its type, keeping its name.

    Args:
        fields: the fields.
        source: the quoted relation or alias the columns come from (e.g. ``k``), if any.

    >>> duckdb_casts([Field("n", "int", True, "A count.")], "k")
    'CAST(k."n" AS BIGINT) AS "n"'
    """
    prefix = f"{source}." if source else ""
    return ", ".join(
        f"CAST({prefix}{quote_sql_name(f.name)} AS {f.duckdb_type()}) AS {quote_sql_name(f.name)}"
        for f in fields
    )


def spark_ddl(fields: Iterable[Field]) -> str:
    """Return the Spark schema of a table of these fields as a DDL string."""
    return ", ".join("`" + f.name.replace("`", "``") + "` " + f.spark_type() for f in fields)


def spark_schema(fields: Iterable[Field]) -> StructType:
    """Return the Spark schema of a table of these fields as a ``StructType`` (PySpark, no JVM needed).

    Every Spark field is nullable: required fields are checked by the table's schema, not by Spark.
    """
    from pyspark.sql import types

    kinds = {
        "STRING": types.StringType,
        "DATE": types.DateType,
        "BIGINT": types.LongType,
        "DOUBLE": types.DoubleType,
    }
    return types.StructType([types.StructField(f.name, kinds[f.spark_type()](), True) for f in fields])


def quote_sql_name(name: str) -> str:
    """Quote a column or table name for DuckDB SQL.

    >>> print(quote_sql_name('a"b'))
    "a""b"
    """
    return '"' + name.replace('"', '""') + '"'
