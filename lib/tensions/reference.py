"""Reference tables: CAMEO event codes, Goldstein weights, quad classes and country-code crosswalks.

All of them are read from ``data/reference/`` (public tables with their provenance in
``data/reference/PROVENANCE.md``); no code is typed by hand. CAMEO codes are always strings.
"""

from __future__ import annotations

from functools import cache
from typing import Literal

import pandas as pd

from tensions import paths

GoldsteinTable = Literal["gdelt", "icews", "phoenix"]
GOLDSTEIN_TABLES: tuple[str, ...] = ("gdelt", "icews", "phoenix")
QuadConvention = Literal["cameo", "gdelt", "phoenix"]


@cache
def load_cameo_codes() -> pd.DataFrame:
    """CAMEO event codes and their descriptions (311 codes, GDELT's list, cleaned).

    >>> codes = load_cameo_codes()
    >>> codes.loc[codes["cameo_code"] == "190", "description"].item()
    'Use conventional military force, not specified below'
    """
    df = pd.read_csv(paths.CAMEO_EVENTCODES_TSV, sep="\t", dtype=str, keep_default_na=False)
    df["root_code"] = df["cameo_code"].str[:2]
    return df


@cache
def load_goldstein_weights(table: GoldsteinTable = "gdelt") -> pd.Series:
    """Goldstein weight per CAMEO code from one coding system's table.

    Args:
        table: ``"gdelt"`` (default), ``"icews"`` (Parus values used by ICEWS) or ``"phoenix"``.

    Returns:
        A float Series indexed by CAMEO code (string), without codes the table lacks.

    >>> load_goldstein_weights()["190"]
    np.float64(-10.0)
    >>> load_goldstein_weights("icews")["016"]
    np.float64(-5.0)
    """
    if table not in GOLDSTEIN_TABLES:
        raise ValueError(f"unknown Goldstein table {table!r}; choose one of {', '.join(GOLDSTEIN_TABLES)}")
    df = pd.read_csv(paths.GOLDSTEIN_COMPARE_CSV, dtype={"cameo_code": str})
    weights = df.set_index("cameo_code")[table].dropna().astype(float)
    weights.name = f"goldstein_{table}"
    return weights


@cache
def load_quad_class_map(convention: QuadConvention = "cameo") -> pd.Series:
    """Quad class per CAMEO root code (``"01"``..``"20"``) under a convention.

    ``cameo`` (the CAMEO/ICEWS convention, used by the curated dataset) puts roots 09-13 in class 3 and
    14-20 in class 4; ``gdelt`` puts 09 in 2 and 14 in 3, as GDELT writes it.

    >>> load_quad_class_map()["14"], load_quad_class_map("gdelt")["14"]
    (np.int64(4), np.int64(3))
    """
    column = {"cameo": "quad_class", "gdelt": "quad_class_gdelt", "phoenix": "quad_class_phoenix"}[convention]
    df = pd.read_csv(paths.CAMEO_QUADCLASS_CSV, dtype={"root_code": str})
    return df.set_index("root_code")[column].astype("int64")


@cache
def load_quad_class_names() -> pd.Series:
    """Label of each quad class (0-4).

    >>> load_quad_class_names()[4]
    'Material conflict'
    """
    df = pd.read_csv(paths.QUAD_CLASSES_CSV)
    return df.set_index("quad_class")["name"]


@cache
def load_cameo_country_codes() -> pd.DataFrame:
    """CAMEO actor country codes with their ISO 3166 alpha-3 equivalent."""
    return pd.read_csv(paths.CAMEO_COUNTRY_CODES_TSV, sep="\t", dtype=str, keep_default_na=False)


@cache
def load_fips_iso() -> pd.DataFrame:
    """FIPS 10-4 to ISO 3166 crosswalk (GDELT geography fields use FIPS: ``RS`` is Russia, not Serbia).

    >>> fips = load_fips_iso().set_index("fips")
    >>> fips.loc["RS", "iso3"], fips.loc["AJ", "iso3"]
    ('RUS', 'AZE')
    """
    return pd.read_csv(paths.FIPS_ISO_CSV, dtype=str, keep_default_na=False)
