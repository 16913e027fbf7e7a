"""Ingest machine-coded event data (GDELT 1.0/2.0, ACLED, ICEWS, any CSV with a mapping) into the workbook's schema.

Files are read out of core by DuckDB; filters run in SQL before anything reaches pandas; every record is
accounted for: ``read = kept + filtered + rejected``, and rejected records go to a CSV with file, line and
reason. See :func:`read_events`. The scoring engines (``score_dyads_duckdb``, ``score_dyads_spark``,
``get_spark``) are importable from here too, loaded on first use.
"""

import functools
import importlib

import pandas as pd

from tensions.ingest import readers
from tensions.ingest.formats import FORMATS
from tensions.ingest.report import IngestError, IngestReport

_ENGINES = {
    "score_dyads_duckdb": "tensions.score.engine_duckdb",
    "score_dyads_spark": "tensions.score.engine_spark",
    "get_spark": "tensions.score.engine_spark",
}


@functools.wraps(readers.read_events)
def read_events(*args: object, **kwargs: object) -> tuple[pd.DataFrame, IngestReport]:
    """:func:`tensions.ingest.readers.read_events`, with ``origin = machine-coded`` on every event."""
    from tensions.schema import event_dtypes

    events, report = readers.read_events(*args, **kwargs)
    events["origin"] = pd.Series("machine-coded", index=events.index, dtype=event_dtypes()["origin"])
    return events, report


def __getattr__(name: str) -> object:
    """The scoring engines, imported when first asked for (an ingest alone does not load them)."""
    if name in _ENGINES:
        return getattr(importlib.import_module(_ENGINES[name]), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "FORMATS",
    "IngestError",
    "IngestReport",
    "get_spark",  # noqa: F822 - loaded by __getattr__
    "read_events",
    "score_dyads_duckdb",  # noqa: F822
    "score_dyads_spark",  # noqa: F822
]
