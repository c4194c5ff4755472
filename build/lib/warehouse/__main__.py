"""`python -m warehouse`: the `warehouse` command (what the scheduled steps run)."""

import sys

from warehouse.cli import main

sys.exit(main())
