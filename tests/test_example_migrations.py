"""The `db` commands of the example migrate a fresh database up and down again."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import ROOT, fresh_database, run_cli


@pytest.fixture
def fresh_db(pg_server_url: str) -> Iterator[str]:
    with fresh_database(pg_server_url, "fresh") as url:
        yield url


def tables_in(url: str) -> list[str]:
    names = run_cli(["db", "tables", "--db"], url).output.split()
    return sorted(name for name in names if name != "alembic_version")


def test_upgrade_then_downgrade_a_fresh_database(fresh_db: str) -> None:
    assert tables_in(fresh_db) == []
    run_cli(["db", "upgrade"], fresh_db)
    assert tables_in(fresh_db) == ["events", "tasks"]
    history = run_cli(["db", "history"], fresh_db).output
    assert "initial tables" in history
    current = run_cli(["db", "current"], fresh_db).output
    assert "(head)" in current
    run_cli(["db", "downgrade", "--revision", "base"], fresh_db)
    assert tables_in(fresh_db) == []
    # and up again: the downgrade left nothing behind (the enum type included)
    run_cli(["db", "upgrade"], fresh_db)
    assert tables_in(fresh_db) == ["events", "tasks"]


def test_the_console_script_fails_in_one_line_without_a_database(tmp_path: Path) -> None:
    # a real `openapi-cli` process: what a user sees on the terminal, stderr included
    script = Path(sys.executable).parent / "openapi-cli"
    result = subprocess.run(
        [str(script), "--app", "tests.example.main:create_app", "db", "current"],
        cwd=ROOT,
        env={**os.environ, "DATASTORE": "postgresql://postgres@127.0.0.1:1/none"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    last = result.stderr.strip().splitlines()[-1]
    where = "postgresql://postgres@127.0.0.1:1/none"
    assert last.startswith(f"Error: database unavailable at {where}: ")
    assert "Connect call failed" in last
