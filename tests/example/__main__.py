"""Quickstart command one (`hatch run serve`): serve the example API with its docs page.

Starts an embedded PostgreSQL when DATASTORE is unset, applies the migrations, then serves
on http://127.0.0.1:8080 (extra arguments go to `serve`, e.g. `--port 9000`); `serve` logs
the address it really listens on.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from .main import create_app

ROOT = Path(__file__).resolve().parents[2]


def main(argv: list[str]) -> None:
    embedded = None
    if not os.environ.get("DATASTORE"):
        from openapi.db.embedded import EmbeddedPostgres

        embedded = EmbeddedPostgres(ROOT / ".pgdata")
        os.environ["DATASTORE"] = embedded.start()
        print(f"embedded PostgreSQL at {os.environ['DATASTORE']}", flush=True)
    try:
        cli = create_app()
        cli.main(["db", "upgrade"], standalone_mode=False)
        cli.main(["serve", "--port", "8080", *argv], standalone_mode=False)
    finally:
        if embedded is not None:
            embedded.stop()


if __name__ == "__main__":
    main(sys.argv[1:])
