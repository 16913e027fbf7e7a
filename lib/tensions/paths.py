"""Every path the workbook reads or writes, in one place.

The repository layout follows the cookiecutter-data-science convention: ``data/`` is the curated,
versioned input and is never written to by code; ``reports/`` holds everything generated.

Set the environment variable ``TENSIONS_REPORTS_DIR`` to write generated output elsewhere, and
``TENSIONS_WORKSPACE_DIR`` to keep the analyst's own events somewhere else than ``workspace/``.
"""

from __future__ import annotations

import os
from pathlib import Path

#: Root of the repository (the folder that holds ``data/``, ``notebooks/`` and ``lib/``).
ROOT: Path = Path(__file__).resolve().parents[2]

DATA_DIR: Path = ROOT / "data"
EVENTS_CSV: Path = DATA_DIR / "events.csv"
SOURCES_CSV: Path = DATA_DIR / "sources.csv"
COUNTRIES_CSV: Path = DATA_DIR / "countries.csv"
ERAS_CSV: Path = DATA_DIR / "eras.csv"

REFERENCE_DIR: Path = DATA_DIR / "reference"
GOLDSTEIN_GDELT_TSV: Path = REFERENCE_DIR / "cameo_goldstein_gdelt.tsv"
GOLDSTEIN_COMPARE_CSV: Path = REFERENCE_DIR / "cameo_goldstein_compare.csv"
CAMEO_EVENTCODES_TSV: Path = REFERENCE_DIR / "cameo_eventcodes.tsv"
CAMEO_QUADCLASS_CSV: Path = REFERENCE_DIR / "cameo_quadclass.csv"
CAMEO_COUNTRY_CODES_TSV: Path = REFERENCE_DIR / "cameo_country_codes.tsv"
QUAD_CLASSES_CSV: Path = REFERENCE_DIR / "quad_classes.csv"
FIPS_ISO_CSV: Path = REFERENCE_DIR / "fips_iso.csv"
GDELT_COLUMNS_CSV: Path = REFERENCE_DIR / "gdelt_columns.csv"
ACLED_CAMEO_MAP_CSV: Path = REFERENCE_DIR / "acled_cameo_map.csv"

EXTERNAL_DIR: Path = DATA_DIR / "external"
GEO_DIR: Path = DATA_DIR / "geo"

NOTEBOOKS_DIR: Path = ROOT / "notebooks"
DOCS_DIR: Path = ROOT / "docs"

REPORTS_DIR: Path = Path(os.environ.get("TENSIONS_REPORTS_DIR", ROOT / "reports"))
FIGURES_DIR: Path = REPORTS_DIR / "figures"
REPORT_NOTEBOOKS_DIR: Path = REPORTS_DIR / "notebooks"
REJECTS_DIR: Path = REPORTS_DIR / "rejects"
REPORT_HTML: Path = REPORTS_DIR / "report.html"
BENCH_DIR: Path = REPORTS_DIR / "bench"


#: The analyst's own events and sources (saved from the review of coded articles), git-ignored.
DEFAULT_WORKSPACE_DIR: Path = ROOT / "workspace"


def workspace_dir() -> Path:
    """The folder of the analyst's own events: ``TENSIONS_WORKSPACE_DIR`` or ``workspace/`` at the root.

    Read at each call, so that a notebook or a test can point it elsewhere.
    """
    folder = Path(os.environ.get("TENSIONS_WORKSPACE_DIR") or DEFAULT_WORKSPACE_DIR)
    if _is_within(folder, DATA_DIR):
        raise PermissionError(f"the workspace may not lie inside the curated dataset folder: {folder}")
    return folder


def own_events_csv() -> Path:
    """The analyst's own events file (same columns as ``data/events.csv``)."""
    return workspace_dir() / "events.csv"


def own_sources_csv() -> Path:
    """The analyst's own sources file (same columns as ``data/sources.csv``)."""
    return workspace_dir() / "sources.csv"


def seeds_dir() -> Path | None:
    """The folder of the five seed articles behind the dataset, when this machine has it (not distributed).

    ``TENSIONS_SEEDS_DIR`` when set (None when it is not a folder), else ``shared/seeds`` beside the
    repository or ``/work/shared/seeds``.
    """
    if os.environ.get("TENSIONS_SEEDS_DIR"):
        given = Path(os.environ["TENSIONS_SEEDS_DIR"])
        return given if given.is_dir() else None
    for folder in (ROOT.parent / "shared" / "seeds", Path("/work/shared/seeds")):
        if folder.is_dir():
            return folder
    return None


#: Short example articles (invented, in English and Russian) with their expected events: the coder's
#: test and held-out benchmark set, and the article notebook 06 codes in a clone without the seeds.
EXAMPLE_ARTICLES_DIR: Path = ROOT / "tests" / "articles"


def ensure_dir(path: Path) -> Path:
    """Create ``path`` (a folder) if needed and return it.

    Refuses to create anything inside ``data/``: generated output never goes there.
    """
    path = Path(path)
    if _is_within(path, DATA_DIR):
        raise PermissionError(f"refusing to write into the curated dataset folder: {path}")
    path.mkdir(parents=True, exist_ok=True)
    return path


def _is_within(path: Path, parent: Path) -> bool:
    try:
        path.resolve().relative_to(parent.resolve())
    except (ValueError, OSError, RuntimeError):  # RuntimeError: a symbolic link loop (Python < 3.13)
        return False
    return True
