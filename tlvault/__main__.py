"""`python -m tlvault`: calls cli.main() and nothing else."""

from __future__ import annotations

import sys

from tlvault.cli import main

if __name__ == "__main__":  # parse workers re-import this module; they must not run the CLI
    sys.exit(main())
