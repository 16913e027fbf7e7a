"""Country and CAMEO look-ups: code lists, country names, and their definitions in a DuckDB connection.

In SQL the look-ups are ENUM casts and macros (a cast to an ENUM of the known codes, states first, costs far
less than a join per record); in Arrow, arrays for :func:`pyarrow.compute.index_in`.
"""

from __future__ import annotations

from functools import cache

import duckdb
import pandas as pd
import pyarrow as pa
import pycountry

from tensions import paths, reference
from tensions.ingest.sqltext import literal_list, quote_literal

#: ICEWS country names that pycountry does not resolve by itself.
COUNTRY_ALIASES = {
    "Russia": "RUS",
    "Russian Federation": "RUS",
    "Iran": "IRN",
    "Syria": "SYR",
    "South Korea": "KOR",
    "North Korea": "PRK",
    "Moldova": "MDA",
    "Vietnam": "VNM",
    "Laos": "LAO",
    "Bolivia": "BOL",
    "Venezuela": "VEN",
    "Tanzania": "TZA",
    "Macedonia": "MKD",
    "Kosovo": "XKX",
    "Taiwan": "TWN",
    "Occupied Palestinian Territory": "PSE",
    "Turkey": "TUR",
    "Congo, Democratic Republic of": "COD",
    "Democratic Republic of Congo": "COD",
    "Czech Republic": "CZE",
    "Ivory Coast": "CIV",
    "Cote d'Ivoire": "CIV",
    "Cape Verde": "CPV",
    "Swaziland": "SWZ",
    "Burma": "MMR",
    "Myanmar": "MMR",
    "East Timor": "TLS",
    "the former Yugoslav Republic of Macedonia": "MKD",
}


@cache
def cameo_countries() -> pd.DataFrame:
    """CAMEO actor country codes -> ISO3, and whether the code is a state (regions are not)."""
    codes = reference.load_cameo_country_codes()
    codes = codes[codes["cameo_code"].str.len() == 3].copy()
    codes["iso3"] = codes["iso3_equivalent"].where(codes["iso3_equivalent"] != "", None)
    codes["is_state"] = codes["kind"].isin(["state", "historical_state"]) & codes["iso3"].notna()
    return codes[["cameo_code", "iso3", "is_state"]].rename(columns={"cameo_code": "code"})


@cache
def iso_countries() -> pd.DataFrame:
    """ISO3 codes mapping to themselves (user CSVs and the derived ACLED and ICEWS sides)."""
    iso = pd.DataFrame({"code": [c.alpha_3 for c in pycountry.countries] + ["XKX"]})
    iso["iso3"], iso["is_state"] = iso["code"], True
    return iso


@cache
def country_names() -> pd.DataFrame:
    """Lower-cased country names (pycountry's names, official and common names, and aliases) -> ISO3."""
    rows = {name.lower(): iso for name, iso in COUNTRY_ALIASES.items()}
    for country in pycountry.countries:
        for attr in ("name", "official_name", "common_name"):
            name = getattr(country, attr, None)
            if name:
                rows.setdefault(name.lower(), country.alpha_3)
    return pd.DataFrame({"name": list(rows), "iso3": list(rows.values())})


@cache
def numeric_countries() -> pd.DataFrame:
    """ISO 3166 numeric codes (zero-padded) -> ISO3, for ACLED's ``iso`` column."""
    return pd.DataFrame(
        {
            "numeric": [c.numeric for c in pycountry.countries],
            "iso3": [c.alpha_3 for c in pycountry.countries],
        }
    )


@cache
def acled_cameo() -> pd.DataFrame:
    """ACLED event and sub-event type -> CAMEO code and its GDELT Goldstein weight (None: no equivalent)."""
    table = pd.read_csv(paths.ACLED_CAMEO_MAP_CSV, dtype=str, keep_default_na=False)
    weights = reference.load_goldstein_weights("gdelt")
    table["cameo_code"] = table["cameo_code"].replace("", None)
    table["goldstein"] = table["cameo_code"].map(weights)
    return table[["event_type", "sub_event_type", "cameo_code", "goldstein"]]


def country_name_to_iso3(name: str | None) -> str | None:
    """ISO3 code of a country name as ICEWS or ACLED write it, or None.

    Args:
        name: a country name (``NA`` and empty are no country).

    Returns:
        The ISO3 code, or None if the name is unknown.

    >>> country_name_to_iso3("Russian Federation"), country_name_to_iso3("Azerbaijan"), country_name_to_iso3("NA")
    ('RUS', 'AZE', None)
    """
    if name is None or name in ("", "NA"):
        return None
    return _country_lookup().get(name.strip().lower())


@cache
def _country_lookup() -> dict[str, str]:
    names = country_names()  # the same table the readers join in SQL
    return dict(zip(names["name"], names["iso3"], strict=True))


@cache
def cameo_arrays() -> tuple[pa.Array, pa.Array, pa.Array, pa.Array]:
    """CAMEO codes and their descriptions, CAMEO root codes and their quad classes, as Arrow arrays."""
    codes = reference.load_cameo_codes().drop_duplicates("cameo_code")
    quad = reference.load_quad_class_map("cameo")
    return (
        pa.array(codes["cameo_code"].astype(str).tolist(), pa.string()),
        pa.array(codes["description"].astype(str).tolist(), pa.string()),
        pa.array([str(k) for k in quad.index], pa.string()),
        pa.array([int(v) for v in quad.to_numpy()], pa.int64()),
    )


def _country_sql(kind: str, table: pd.DataFrame) -> list[str]:
    """The ``country_code_<kind>`` ENUM (states first) and the ``state_iso3_<kind>(e, code)`` macro."""
    states, others = table[table["is_state"]], table[~table["is_state"]]
    codes = [*states["code"], *others["code"]]
    renamed = " ".join(
        f"WHEN {quote_literal(c)} THEN {quote_literal(i)}"
        for c, i in zip(states["code"], states["iso3"], strict=True)
        if c != i
    )
    iso3 = f"CASE code {renamed} ELSE code END" if renamed else "code"
    return [
        f"CREATE TYPE country_code_{kind} AS ENUM ({literal_list(codes)})",
        f"CREATE MACRO state_iso3_{kind}(e, code) AS "
        f"CASE WHEN enum_code(e::country_code_{kind}) < {len(states)} THEN {iso3} END",
    ]


def define_lookups(con: duckdb.DuckDBPyConnection) -> None:
    """Define the classifier's look-ups in ``con``.

    ``country_code_cameo``/``country_code_iso``: the known country codes, states first; ``state_iso3_*(e,
    code)``: the ISO3 code of a state (NULL for a region or an unknown code); tables ``country_names``,
    ``numeric_countries`` and ``acled_cameo`` for the formats that name countries or map event types.

    Args:
        con: the connection.
    """
    statements = [
        *_country_sql("cameo", cameo_countries()),
        *_country_sql("iso", iso_countries()),
    ]
    for statement in statements:
        con.execute(statement)
    tables = {"country_names": country_names(), "numeric_countries": numeric_countries()}
    tables["acled_cameo"] = acled_cameo()
    for name, frame in tables.items():
        con.register("lookup_frame", frame)
        con.execute(f"CREATE TABLE {name} AS SELECT * FROM lookup_frame")
        con.unregister("lookup_frame")
