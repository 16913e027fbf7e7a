"""Former home of the DuckDB scoring engine, now :mod:`tensions.score.engine_duckdb` (kept importable)."""

from tensions.score.engine_duckdb import score_dyads_duckdb

__all__ = ["score_dyads_duckdb"]
