"""The country-pair score: settings, the shared kernel and the three engines (pandas, DuckDB, Spark).

:mod:`tensions.scoring` is the public face of this package; import from there.

- :mod:`tensions.score.settings` — :class:`ScoreSettings`, the one place knob defaults live, and
  :class:`ScoreRequest`, what an engine call reports.
- :mod:`tensions.score.kernel` — components of a push, placement in time, decay, the index formula.
- :mod:`tensions.score.dyads` — the pandas engine: ``weigh_events``, ``score_dyads``, ``explain``, bootstrap.
- :mod:`tensions.score.summaries` — rankings, alerts, monthly arrows, the analysis window, baselines.
- :mod:`tensions.score.engine_duckdb`, :mod:`tensions.score.engine_spark` — the same scores, aggregated where
  the data lives.
"""
