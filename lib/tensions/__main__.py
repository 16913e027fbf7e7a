"""``python -m tensions``: see :mod:`tensions.cli`."""

import sys

from tensions.cli import main

sys.exit(main())
