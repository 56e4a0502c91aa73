"""Fixtures of the cross-package integration tests: the example application on a real
PostgreSQL, migrated with its own `db upgrade` command, served on a real socket."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import subprocess
import sys
import time
import urllib.request
import uuid
from collections.abc import AsyncIterator, Iterator, Mapping
from pathlib import Path
from typing import IO, Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from click.testing import CliRunner
from openapi.db.embedded import free_port
from openapi.db.testing import create_database, drop_database, truncate_tables

from tests.built_wheels import build_wheels
from tests.example.main import create_app

ROOT = Path(__file__).resolve().parent.parent


def run_cli(args: list[str], datastore: str) -> Any:
    """Run the example's CLI in-process with DATASTORE pointing at `datastore`."""
    result = CliRunner().invoke(create_app(), args, env={"DATASTORE": datastore})
    assert result.exit_code == 0, (result.output, result.exception)
    return result


@pytest.fixture(scope="session")
def example_db_url(pg_server_url: str) -> Iterator[str]:
    """A database for the example, migrated to head by the example's `db upgrade`."""
    name = f"example_{uuid.uuid4().hex[:10]}"
    url = asyncio.run(create_database(pg_server_url, name))
    try:
        run_cli(["db", "upgrade"], url)
        yield url
    finally:
        asyncio.run(drop_database(pg_server_url, name))


@pytest.fixture
async def example_app(
    example_db_url: str, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[web.Application]:
    monkeypatch.setenv("DATASTORE", example_db_url)
    app = create_app().web()
    yield app
    await truncate_tables(example_db_url, app["db"].metadata)


@pytest.fixture
async def client(example_app: web.Application) -> AsyncIterator[TestClient[Any, Any]]:
    """A real HTTP client talking to the example served on 127.0.0.1."""
    server = TestServer(example_app, host="127.0.0.1")
    async with TestClient(server, headers={"X-Api-Key": "secret"}) as test_client:
        yield test_client


def never_ends(operation: Mapping[str, Any]) -> bool:
    """An OpenAPI operation answering server-sent events: its stream lasts until the
    client leaves, so a fuzzer waiting for the end would wait forever (tested apart)."""
    responses = operation.get("responses", {})
    return any("text/event-stream" in r.get("content", {}) for r in responses.values())


def log_text(log: IO[bytes]) -> str:
    log.seek(0)
    return log.read().decode(errors="replace")


@contextlib.contextmanager
def served_process(
    command: list[str], cwd: Path, env: dict[str, str], port: int, ready_path: str, log_path: Path
) -> Iterator[str]:
    """``command`` serving on 127.0.0.1:``port`` in its own process, until it answers
    ``ready_path`` with 200; yields its base URL and stops it with SIGTERM."""
    # a file, not a pipe: an unread pipe fills with access-log lines and blocks the server
    log = log_path.open("w+b")
    process = subprocess.Popen(
        command, cwd=cwd, env={**os.environ, **env}, stdout=log, stderr=subprocess.STDOUT
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            assert process.poll() is None, log_text(log)
            try:
                with urllib.request.urlopen(f"{base}{ready_path}", timeout=2) as response:
                    if response.status == 200:
                        break
            except OSError:
                pass
            assert time.monotonic() < deadline, f"{command} did not start serving"
            time.sleep(0.1)
        yield base
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


@contextlib.contextmanager
def fresh_database(pg_server_url: str, prefix: str) -> Iterator[str]:
    """A new empty database on the test server, dropped afterwards; yields its URL."""
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    url = asyncio.run(create_database(pg_server_url, name))
    try:
        yield url
    finally:
        asyncio.run(drop_database(pg_server_url, name))


async def rpc(ws: Any, id: Any, method: str, payload: Any = None) -> dict[str, Any]:
    """Send one websocket RPC request and wait for its answer (other messages skipped)."""
    await ws.send_json({"id": id, "method": method, "payload": payload or {}})
    while True:
        message: dict[str, Any] = await asyncio.wait_for(ws.receive_json(), 10)
        if message.get("id") == id:
            return message


@pytest.fixture(scope="session")
def served_example(example_db_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The example served by `openapi-cli serve` in its own process; yields its base URL."""
    port = free_port()
    script = Path(sys.executable).parent / "openapi-cli"
    command = [str(script), "--app", "tests.example.main:create_app", "serve"]
    command += ["--host", "127.0.0.1", "--port", str(port)]
    log_path = tmp_path_factory.mktemp("served-example") / "server.log"
    env = {"DATASTORE": example_db_url}
    with served_process(command, ROOT, env, port, "/spec", log_path) as base:
        yield base


@pytest.fixture(scope="session")
def built_wheels(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The six wheels, built once in one folder (``wheel.parent`` is that folder)."""
    return build_wheels(tmp_path_factory.mktemp("dist"))
