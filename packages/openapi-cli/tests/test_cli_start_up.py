"""What ``openapi-cli`` imports when no application is loaded: click, not aiohttp.

``--help`` and the help of each built-in command are declared with click alone; the
machinery a command runs is imported when it runs. These tests check ``sys.modules`` of a
fresh interpreter, so that an import added at module level cannot slow every ``--help``
unnoticed (the time itself is measured in the README, never asserted).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

#: what the help of openapi-cli never needs: the web stack, the documents, the database
HEAVY = (
    "aiohttp",
    "yarl",
    "multidict",
    "openapi.spec",
    "openapi.data",
    "openapi.ws.sockets",
    "yaml",
    "sentry_sdk",
    "sqlalchemy",
    "alembic",
    "asyncpg",
)

PROBE = """
import json, sys
from openapi.cli.main import main
try:
    main(sys.argv[1:])
except SystemExit as exc:
    code = exc.code
else:
    code = 0
print(json.dumps({"code": code, "loaded": [m for m in %r if m in sys.modules]}))
"""


def without_app() -> dict[str, str]:
    """The environment minus ``OPENAPI_APP``: no application is named."""
    return {k: v for k, v in os.environ.items() if k != "OPENAPI_APP"}


def run_probe(args: list[str], cwd: Path) -> tuple[str, dict[str, object]]:
    """``openapi-cli ARGS`` through ``openapi.cli.main:main`` (the console script's entry
    point) in a new interpreter; its output and ``{"code", "loaded"}``."""
    result = subprocess.run(
        [sys.executable, "-c", PROBE % (HEAVY,), *args],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=cwd,  # no pyproject.toml naming an application
        env=without_app(),
    )
    assert result.returncode == 0, result.stderr
    output, _, last = result.stdout.rstrip().rpartition("\n")
    return output, json.loads(last)


@pytest.mark.parametrize(
    "args",
    [["--help"], ["serve", "--help"], ["spec", "--help"], ["routes", "--help"], ["--version"]],
)
def test_help_imports_no_aiohttp(args: list[str], tmp_path: Path) -> None:
    output, probe = run_probe(args, tmp_path)
    assert probe["code"] == 0
    assert probe["loaded"] == [], f"openapi-cli {' '.join(args)} imported {probe['loaded']}"
    assert output  # the help (or version) was printed


def test_help_still_lists_every_command(tmp_path: Path) -> None:
    output, probe = run_probe(["--help"], tmp_path)
    commands = output.split("Commands:", 1)[1]
    for name in ("new", "routes", "serve", "spec"):
        assert f"\n  {name} " in commands
    assert probe["loaded"] == []


def test_the_real_script_answers_help(tmp_path: Path) -> None:
    script = Path(sys.executable).parent / "openapi-cli"
    result = subprocess.run(
        [str(script), "--help"],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=tmp_path,
        env=without_app(),
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("Usage: openapi-cli [OPTIONS] COMMAND [ARGS]...")
