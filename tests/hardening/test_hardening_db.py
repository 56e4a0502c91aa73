"""Database faults on a PostgreSQL of this module's own (stopping it disturbs no other
test): the server stopped during traffic answers 503 JSON within the configured timeouts,
and serves again once PostgreSQL is back, without a restart; an exhausted pool answers 503
after its acquire timeout; an interrupted transaction leaves no rows."""

from __future__ import annotations

import asyncio
import json
import shutil
import tempfile
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import asyncpg
import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from openapi.db.embedded import EmbeddedPostgres
from openapi.db.path import SqlApiPath
from openapi.db.testing import create_database
from openapi.spec import op

from tests.conftest import run_cli
from tests.example.main import create_app
from tests.example.models import Event, EventAdd

Client = TestClient[Any, Any]

#: the timeouts the application is configured with here (seconds)
CONNECT_TIMEOUT = 2.0
ACQUIRE_TIMEOUT = 1.0
#: a request must be answered well within this, whatever the database does
BOUND = CONNECT_TIMEOUT + ACQUIRE_TIMEOUT + 5


@pytest.fixture(scope="module")
def own_pg() -> Iterator[tuple[EmbeddedPostgres, str]]:
    root = Path(tempfile.mkdtemp(prefix="hardening-pg-"))
    server = EmbeddedPostgres(root / "data")
    server.start()
    try:
        url = asyncio.run(create_database(server.url, "hardening"))
        run_cli(["db", "upgrade"], url)
        yield server, url
    finally:
        server.stop()
        shutil.rmtree(root, ignore_errors=True)


class BulkEvents(SqlApiPath):
    """
    ---
    summary: Events in bulk
    tags:
        - Event
    """

    table = "events"

    @op(body_schema=list[EventAdd], response_schema=list[Event], response=201)
    async def post(self) -> web.Response:
        """
        ---
        summary: Record events, all or none
        """
        return self.json_response(await self.create_list(), status=201)


class SlowTransaction(SqlApiPath):
    """
    ---
    summary: Two inserts in one transaction with a pause between them
    tags:
        - Event
    """

    table = "events"

    @op(response=201)
    async def post(self) -> web.Response:
        """
        ---
        summary: Insert, wait, insert
        """
        app = self.request.app
        async with self.db.transaction() as conn:
            await self.db.db_insert(self.db_table, {"name": "first"}, conn=conn)
            app["slow"]["pid"].set_result(await conn.fetchval("SELECT pg_backend_pid()"))
            await app["slow"]["go_on"].wait()
            await self.db.db_insert(self.db_table, {"name": "second"}, conn=conn)
        return self.json_response({}, status=201)


@pytest.fixture
async def pg_client(
    own_pg: tuple[EmbeddedPostgres, str], monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[Client]:
    server, url = own_pg
    if not server.running:
        await asyncio.to_thread(server.start)
    monkeypatch.setenv("DATASTORE", url)
    monkeypatch.setenv("DBPOOL_MIN_SIZE", "1")
    monkeypatch.setenv("DBPOOL_MAX_SIZE", "3")
    app = create_app().web()
    db = app["db"]
    db.connect_timeout = CONNECT_TIMEOUT
    db.acquire_timeout = ACQUIRE_TIMEOUT
    app.router.add_view("/bulk-events", BulkEvents)
    app.router.add_view("/slow", SlowTransaction)
    app["slow"] = {}  # filled by the test (a started application's keys are frozen)
    async with TestClient(
        TestServer(app, host="127.0.0.1"), headers={"X-Api-Key": "secret"}
    ) as client:
        yield client
    conn = await asyncpg.connect(url)
    try:
        await conn.execute("TRUNCATE tasks, events RESTART IDENTITY CASCADE")
    finally:
        await conn.close()


async def rows(url: str, table: str) -> int:
    conn = await asyncpg.connect(url)
    try:
        return int(await conn.fetchval(f"SELECT count(*) FROM {table}"))
    finally:
        await conn.close()


async def call(client: Client, method: str, path: str, **kwargs: Any) -> tuple[int, Any]:
    """One request, bounded: a hang past BOUND fails the test."""

    async def go() -> tuple[int, Any]:
        response = await client.request(method, path, **kwargs)
        text = await response.text()
        if response.status != 204:
            assert response.content_type == "application/json", text
        return response.status, text

    return await asyncio.wait_for(go(), BOUND)


async def test_postgres_stopped_during_traffic_then_back(
    pg_client: Client, own_pg: tuple[EmbeddedPostgres, str]
) -> None:
    server, _ = own_pg
    statuses: list[int] = []
    stop = asyncio.Event()

    async def traffic(n: int) -> None:
        while not stop.is_set():
            if n % 2:
                status, _ = await call(pg_client, "POST", "/tasks", json={"title": f"t{n}"})
            else:
                status, _ = await call(pg_client, "GET", "/tasks")
            statuses.append(status)
            await asyncio.sleep(0.01)

    workers = [asyncio.create_task(traffic(n)) for n in range(4)]
    try:
        await asyncio.sleep(0.5)
        before_stop = len(statuses)
        await asyncio.to_thread(server.stop)
        down_from = len(statuses)
        await asyncio.sleep(CONNECT_TIMEOUT * 2)
        # while it is down: 503 JSON, never a 500
        status, text = await call(pg_client, "GET", "/tasks")
        assert status == 503, text
        status, text = await call(pg_client, "POST", "/tasks", json={"title": "lost"})
        assert status == 503, text
        assert 503 in statuses[down_from:]
        await asyncio.to_thread(server.start)
        # back: served again by the same application, within a few timeouts
        for _ in range(100):
            status, _ = await call(pg_client, "GET", "/tasks")
            if status == 200:
                break
            await asyncio.sleep(0.2)
        assert status == 200
        back_from = len(statuses)
        await asyncio.sleep(1)
    finally:
        stop.set()
        await asyncio.gather(*workers)
    assert set(statuses) <= {200, 201, 503}, sorted(set(statuses))
    assert statuses[:before_stop].count(503) == 0
    assert set(statuses[back_from:]) <= {200, 201}, statuses[back_from:]
    status, text = await call(pg_client, "POST", "/tasks", json={"title": "after"})
    assert status == 201, text


async def test_pool_exhaustion_waits_then_503(
    pg_client: Client, own_pg: tuple[EmbeddedPostgres, str]
) -> None:
    db = pg_client.server.app["db"]
    status, _ = await call(pg_client, "GET", "/tasks")
    assert status == 200
    async with db.connection(), db.connection(), db.connection():
        status, text = await call(pg_client, "GET", "/tasks")
        assert status == 503, text
        status, text = await call(pg_client, "POST", "/tasks", json={"title": "x"})
        assert status == 503, text
    status, _ = await call(pg_client, "GET", "/tasks")
    assert status == 200
    assert await rows(own_pg[1], "tasks") == 0


async def test_bulk_insert_with_one_bad_row_writes_none(
    pg_client: Client, own_pg: tuple[EmbeddedPostgres, str]
) -> None:
    url = own_pg[1]
    status, text = await call(pg_client, "POST", "/tasks", json={"title": "target"})
    task_id = json.loads(text)["id"]
    good = {"name": "ok", "task_id": task_id}
    # invalid before the database: 422, nothing written
    status, text = await call(
        pg_client, "POST", "/bulk-events", json=[good, good, {"name": ""}, good]
    )
    assert status == 422, text
    assert await rows(url, "events") == 0
    # valid rows, one referencing no task: the database refuses the statement as a whole
    bad = {"name": "orphan", "task_id": "00000000-0000-4000-8000-000000000000"}
    status, text = await call(pg_client, "POST", "/bulk-events", json=[good] * 50 + [bad])
    assert status == 422, text
    assert await rows(url, "events") == 0
    status, text = await call(pg_client, "POST", "/bulk-events", json=[good] * 50)
    assert status == 201, text
    assert await rows(url, "events") == 50


async def test_transaction_cut_midway_leaves_no_rows(
    pg_client: Client, own_pg: tuple[EmbeddedPostgres, str]
) -> None:
    url = own_pg[1]
    app = pg_client.server.app
    app["slow"]["pid"] = asyncio.get_running_loop().create_future()
    app["slow"]["go_on"] = asyncio.Event()
    request = asyncio.create_task(call(pg_client, "POST", "/slow"))
    pid = await asyncio.wait_for(app["slow"]["pid"], BOUND)
    conn = await asyncpg.connect(url)
    try:
        assert await conn.fetchval("SELECT pg_terminate_backend($1)", pid)
    finally:
        await conn.close()
    app["slow"]["go_on"].set()
    status, text = await request
    assert status == 503, text
    assert await rows(url, "events") == 0
    # the pool replaced the dead connection
    status, text = await call(pg_client, "GET", "/tasks")
    assert status == 200, text


async def test_values_the_database_refuses_are_422_not_5xx(
    pg_client: Client, own_pg: tuple[EmbeddedPostgres, str]
) -> None:
    """The safety net under the validators: asyncpg refusing to encode a value, or
    PostgreSQL refusing it, is the client's error."""
    import sqlalchemy as sa
    from openapi.spec import UnprocessableEntity

    db = pg_client.server.app["db"]
    statements = [
        sa.select(sa.literal(2**40, sa.Integer)),  # asyncpg: out of int32 range
        sa.select(sa.cast(sa.literal("12x"), sa.Integer)),  # PostgreSQL: invalid text
        sa.select(sa.literal("nul\x00", sa.String)),  # PostgreSQL: NUL in text
    ]
    for statement in statements:
        with pytest.raises(UnprocessableEntity):
            await db.fetch(statement)
        async with db.transaction() as conn:
            with pytest.raises(UnprocessableEntity):
                await db.fetch(statement, conn=conn)
    status, _ = await call(pg_client, "GET", "/tasks")
    assert status == 200


async def test_task_created_when_the_broker_cannot_announce_it(
    pg_client: Client, own_pg: tuple[EmbeddedPostgres, str]
) -> None:
    """Creating a task publishes an event after the insert: a broker that cannot publish
    must not turn the committed task into an error answer (a client would retry it)."""
    broker = pg_client.server.app["web_sockets"].broker
    await broker.close()  # the broker's PostgreSQL side is gone
    status, text = await call(pg_client, "POST", "/tasks", json={"title": "unannounced"})
    assert status == 201, text
    assert await rows(own_pg[1], "tasks") == 1
