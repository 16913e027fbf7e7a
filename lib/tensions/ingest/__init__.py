"""Ingest machine-coded event data (GDELT 1.0/2.0, ACLED, ICEWS, any CSV with a mapping) into the workbook's schema.

Files are read out of core by DuckDB; filters run in SQL before anything reaches pandas; every record is
accounted for: ``read = kept + filtered + rejected``, and rejected records go to a CSV with file, line and
reason. See :func:`read_events`.
"""

import functools

import pandas as pd

from tensions.ingest import readers
from tensions.ingest.readers import FORMATS, IngestError, IngestReport
from tensions.score.engine_duckdb import score_dyads_duckdb
from tensions.score.engine_spark import get_spark, score_dyads_spark


@functools.wraps(readers.read_events)
def read_events(*args, **kwargs) -> tuple[pd.DataFrame, IngestReport]:
    """:func:`tensions.ingest.readers.read_events`, with ``origin = machine-coded`` on every event."""
    from tensions.schema import event_dtypes

    events, report = readers.read_events(*args, **kwargs)
    events["origin"] = pd.Series("machine-coded", index=events.index, dtype=event_dtypes()["origin"])
    return events, report


__all__ = [
    "FORMATS",
    "IngestError",
    "IngestReport",
    "get_spark",
    "read_events",
    "score_dyads_duckdb",
    "score_dyads_spark",
]
