"""The ``db`` entry point of openapi-cli: listed without SQLAlchemy, working once used."""

from __future__ import annotations

import subprocess
import sys
from importlib.metadata import entry_points

from click.testing import CliRunner
from openapi.cli.main import console_client
from openapi.db.command_entry import db as lazy_db
from openapi.db.commands import db

HEAVY = ("sqlalchemy", "alembic", "asyncpg")

PROBE = """
import sys
from openapi.cli.main import main
try:
    main(["--help"])
except SystemExit:
    pass
print("loaded:", ",".join(m for m in {heavy!r} if m in sys.modules))
"""


def test_the_entry_point_is_the_lazy_group() -> None:
    (point,) = entry_points(group="openapi.cli", name="db")
    assert point.load() is lazy_db


def test_help_lists_db_without_importing_the_database_stack() -> None:
    result = subprocess.run(
        [sys.executable, "-c", PROBE.format(heavy=HEAVY)],
        capture_output=True,
        text=True,
        timeout=60,
        env={"OPENAPI_APP": "", "PATH": ""},
    )
    assert result.returncode == 0, result.stderr
    assert "db        Database migrations (alembic) and utilities." in result.stdout
    assert result.stdout.rstrip().endswith("loaded:"), result.stdout


def test_the_lazy_group_lists_and_runs_the_real_commands() -> None:
    runner = CliRunner()
    result = runner.invoke(console_client(), ["db", "--help"], env={"OPENAPI_APP": ""})
    assert result.exit_code == 0, result.output
    for name in db.list_commands(None):  # type: ignore[arg-type]
        assert f"  {name} " in result.output
    assert lazy_db.help == db.help
    # a real subcommand, run through the stand-in: no application is a one-line error
    result = runner.invoke(lazy_db, ["tables"])
    assert result.exit_code == 1
    assert "Error: no application" in result.output
