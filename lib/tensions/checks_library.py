"""pandera, the library the curated tables are checked with, imported without the extras it probes for.

pandera looks for optional companions: ``import pandera`` imports ``pyspark.pandas`` whenever PySpark is
installed (the workbook installs it for its Spark engine), and the first check of a table imports hypothesis
for pandera's data-generation strategies (the ``pandera[strategies]`` extra). The workbook checks pandas
tables and generates no data with pandera; with pandas 3, ``pyspark.pandas`` does not even import (pandera
ignores the ``ImportError``, after PySpark's SQL modules are loaded and have warned about pandas 3). The
two took 0.2-0.4 s of the dashboard's opening. :func:`import_pandera` imports pandera, and the module its
first check loads, as if PySpark and hypothesis were not installed; a later ``import pyspark`` or
``import hypothesis`` works as usual. A module already imported (hypothesis in a test run) is left as it
is, and pandera sees it.
"""

from __future__ import annotations

import importlib
import sys
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from types import ModuleType

#: Optional companions pandera would import, and what of pandera imports them.
PROBED = ("pyspark", "hypothesis")
#: pandera's modules that probe for them: the pandas API (PySpark), the built-in checks (hypothesis).
PANDERA_MODULES = ("pandera.pandas", "pandera.backends.pandas.builtin_checks")


@contextmanager
def modules_hidden(names: tuple[str, ...]) -> Iterator[None]:
    """Make ``import`` of the modules ``names`` (and their submodules) fail inside the block.

    Names already imported are left as they are.
    """
    hidden = [name for name in names if name not in sys.modules]
    for name in hidden:
        sys.modules[name] = None  # an import of it, or of a submodule, raises ImportError
    try:
        yield
    finally:
        for name in hidden:
            if name in sys.modules and sys.modules[name] is None:
                del sys.modules[name]


def import_pandera() -> ModuleType:
    """Return ``pandera.pandas``, imported (once) without PySpark and hypothesis unless they already are."""
    if all(name in sys.modules for name in PANDERA_MODULES):
        return sys.modules["pandera.pandas"]
    with warnings.catch_warnings(), modules_hidden(PROBED):
        warnings.filterwarnings(
            "ignore", message="PySpark does not yet fully support", category=FutureWarning
        )
        for name in PANDERA_MODULES:
            importlib.import_module(name)
    return sys.modules["pandera.pandas"]
