"""Former home of the Spark scoring engine, now :mod:`tensions.score.engine_spark` (kept importable)."""

from tensions.score.engine_spark import (
    DEFAULT_MASTER,
    MASTER_ENV,
    get_spark,
    score_dyads_spark,
    spark_settings,
)

__all__ = ["DEFAULT_MASTER", "MASTER_ENV", "get_spark", "score_dyads_spark", "spark_settings"]
