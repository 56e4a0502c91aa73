"""``openapi-cli --app tests.example.main:create_app routes`` loads the application and no
more: no alembic (only the ``db`` commands that migrate need it), no sentry-sdk (only with
``SENTRY_DSN``). Checked in ``sys.modules`` of a fresh interpreter; the time it takes is in
openapi-cli's README, never asserted."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

#: what listing the routes never needs
UNUSED = ("alembic", "sentry_sdk", "openapi.db.migrations", "openapi.cli.server")

PROBE = """
import json, sys
from openapi.cli.main import main
try:
    main(["--app", "tests.example.main:create_app", "routes", "--json"])
except SystemExit as exc:
    assert not exc.code, exc.code
print(json.dumps([m for m in %r if m in sys.modules]))
"""


def test_routes_loads_the_application_only() -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("SENTRY_DSN", "OPENAPI_APP")}
    result = subprocess.run(
        [sys.executable, "-c", PROBE % (UNUSED,)],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=ROOT,
        env=env,
    )
    assert result.returncode == 0, result.stderr
    routes_json, _, loaded = result.stdout.rstrip().rpartition("\n")
    paths = {row["path"] for row in json.loads(routes_json)}
    assert "/tasks" in paths  # the application was loaded and listed
    assert json.loads(loaded) == []
