"""The layers stay apart: the chart builders load neither the scoring engines nor the validation library."""

from __future__ import annotations

import subprocess
import sys


def test_charts_import_neither_scoring_nor_scipy_nor_pandera():
    code = (
        "import sys, tensions.charts; "
        "print(sorted(m for m in ('scipy', 'pandera', 'tensions.scoring', 'tensions.score.kernel') "
        "if m in sys.modules))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"


def test_one_period_end_serves_scoring_timeline_and_coder():
    from tensions import periods
    from tensions.charts import timeline
    from tensions.coder import dedup
    from tensions.score import kernel

    assert kernel.event_period_end is periods.event_period_end
    assert timeline.event_period_end is periods.event_period_end
    assert dedup.period_end is periods.period_end


def test_loading_the_dataset_checks_it_without_pyspark_or_hypothesis():
    code = (
        "import sys, tensions; tensions.load_dataset(); "
        "print(sorted(m for m in ('pandera.pandas', 'pyspark', 'hypothesis') if m in sys.modules))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "['pandera.pandas']"
    assert "PySpark" not in result.stderr


def test_pyspark_and_hypothesis_import_after_pandera():
    code = (
        "import tensions.checks_library as c; c.import_pandera(); import hypothesis, pyspark.sql; print('ok')"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "ok"
