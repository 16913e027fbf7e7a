"""The Eurasia tensions workbook's helper library.

Notebooks ``import tensions`` and call the functions below; all logic lives in the submodules:

- :mod:`tensions.paths` — every path the workbook reads or writes.
- :mod:`tensions.schema` — the data dictionary and the checks of every curated table.
- :mod:`tensions.data` — loaders that validate the curated dataset (``load_events`` ...).
- :mod:`tensions.reference` — CAMEO codes, Goldstein weights, quad classes, country-code crosswalks.
- :mod:`tensions.scoring` — the country-pair scores (tension, cooperation, net), explanation and baselines;
  the public face of :mod:`tensions.score` (settings, the shared kernel, the pandas, DuckDB and Spark engines).
- :mod:`tensions.names` — pairs, countries, themes and quad classes normalised and checked.
- :mod:`tensions.charts` — chart builders returning ``plotly.graph_objects.Figure``.
- :mod:`tensions.export` — ``export_figure`` and the offline HTML report.
- :mod:`tensions.widgets` — the interactive dashboard.
- :mod:`tensions.ingest` — readers of GDELT, ACLED, ICEWS and any CSV.
- :mod:`tensions.coder` — ``code_article``: from an article to candidate events.
- :mod:`tensions.review_view` — ``review``, the view of candidates; :mod:`tensions.own` — the analyst's own events.

Names are imported lazily so that ``import tensions`` stays fast.
"""

from __future__ import annotations

import importlib
import warnings
from typing import Any

# pandera probes its optional PySpark backend, and PySpark warns about pandas 3 on import: noise for readers
warnings.filterwarnings("ignore", message="PySpark does not yet fully support", category=FutureWarning)

__version__ = "0.1.0"

_EXPORTS: dict[str, str] = {
    "DatasetError": "tensions.data",
    "canonical_pairs": "tensions.data",
    "load_countries": "tensions.data",
    "load_dataset": "tensions.data",
    "load_eras": "tensions.data",
    "load_events": "tensions.data",
    "load_sources": "tensions.data",
    "filter_events": "tensions.select",
    "round_numbers": "tensions.tables",
    "score_dyads": "tensions.scoring",
    "explain": "tensions.scoring",
    "export_figure": "tensions.export",
    "export_figures": "tensions.export",
    "build_report": "tensions.export",
    "read_events": "tensions.ingest",
    "dashboard": "tensions.widgets",
    "code_article": "tensions.coder",
    "CoderError": "tensions.coder",
    "review": "tensions.review_view",
    "save_accepted": "tensions.own",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        value = getattr(importlib.import_module(_EXPORTS[name]), name)
        globals()[name] = value
        return value
    if name in {
        "paths",
        "schema",
        "data",
        "reference",
        "scoring",
        "score",
        "names",
        "charts",
        "export",
        "widgets",
        "ingest",
        "select",
        "coder",
        "own",
        "tables",
        "docs",
        "notebook_html",
    }:
        return importlib.import_module(f"tensions.{name}")
    raise AttributeError(f"module 'tensions' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_EXPORTS))
