"""Tables for reading: numbers rounded for display, dates and text left as they are."""

from __future__ import annotations

import pandas as pd


def round_numbers(frame: pd.DataFrame, decimals: int = 1) -> pd.DataFrame:
    """A copy of ``frame`` with its numeric columns rounded; date, text and other columns untouched.

    ``DataFrame.round`` warns about every datetime column in pandas 3; tables from the library carry dates.

    >>> import pandas as pd
    >>> round_numbers(pd.DataFrame({"d": pd.to_datetime(["2024-12-25"]), "x": [1.234]}), 1)
               d    x
    0 2024-12-25  1.2
    """
    numeric = frame.select_dtypes("number").columns
    return frame.round({column: decimals for column in numeric})
