"""`python -m tlvault`: calls cli.main() and nothing else."""

from __future__ import annotations

import sys

from tlvault.cli import main

sys.exit(main())
