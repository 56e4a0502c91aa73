"""Fixtures of the cross-package integration tests: the example application on a real
PostgreSQL, migrated with its own `db upgrade` command, served on a real socket."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from click.testing import CliRunner
from openapi.db.testing import create_database, drop_database, truncate_tables

from tests.example.main import create_app


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
    async with TestClient(TestServer(example_app, host="127.0.0.1")) as test_client:
        yield test_client
