"""`python -m tlvault`: calls cli.run() and nothing else."""

from __future__ import annotations

from tlvault.cli import run

if __name__ == "__main__":  # parse workers re-import this module; they must not run the CLI
    run()
