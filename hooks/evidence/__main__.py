"""`python -m evidence` runs the same command as the `evidence` script."""

from __future__ import annotations

import sys

from .cli import main

sys.exit(main())
