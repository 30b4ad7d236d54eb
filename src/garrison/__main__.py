"""``python -m garrison``: see garrison.cli."""

import sys

from .cli import main

sys.exit(main())
