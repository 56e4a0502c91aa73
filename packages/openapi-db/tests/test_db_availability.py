"""get_db configuration, PostgreSQL going away and coming back, pool exhaustion."""

# no "from __future__ import annotations": the schemas are local classes

import asyncio
import dataclasses
import logging
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from aiohttp import web
from openapi.data import fields
from openapi.db import CrudDB, DatabaseUnavailable, get_db
from openapi.db.embedded import EmbeddedPostgres
from openapi.db.path import SqlApiPath
from openapi.spec import ConfigurationError, op, setup

pytestmark = pytest.mark.filterwarnings("ignore::aiohttp.web.NotAppKeyWarning")

Client = Callable[..., Any]

metadata = sa.MetaData()
notes = sa.Table(
    "notes",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("text", sa.String(32), nullable=False, unique=True),
)


@dataclasses.dataclass
class Note:
    id: int | None = fields.integer_field()
    text: str | None = fields.str_field()


@dataclasses.dataclass
class NoteAdd:
    text: str = fields.str_field(required=True)


class NotesPath(SqlApiPath):
    """
    ---
    summary: Notes
    """

    table = "notes"

    @op(response_schema=list[Note])
    async def get(self) -> web.Response:
        """
        ---
        summary: Notes
        responses:
            200:
                description: Notes
        """
        return (await self.get_list()).json_response()

    @op(body_schema=list[NoteAdd], response_schema=list[Note], response=201)
    async def post(self) -> web.Response:
        """
        ---
        summary: Add notes one by one in one transaction
        responses:
            201:
                description: Added
        """
        body = await self.json_data()
        created = []
        async with self.db.transaction() as conn:
            for item in body:
                data = self.insert_data(item, body_schema=NoteAdd)
                created.append(await self.create_one(data=data, conn=conn))
        return self.json_response(created, status=201)


def make_app(url: str | None = None) -> web.Application:
    app = web.Application()
    setup(app, title="Notes", version="1.0.0", docs_path=None)
    db = get_db(app, url, metadata=metadata)
    assert db is not None
    app.router.add_view("/notes", NotesPath)
    return app


@pytest.fixture
async def server(tmp_path: Path) -> AsyncIterator[EmbeddedPostgres]:
    pg = EmbeddedPostgres(tmp_path / "data")
    await asyncio.to_thread(pg.start)
    try:
        yield pg
    finally:
        await asyncio.to_thread(pg.stop)


def test_get_db_configuration(monkeypatch: pytest.MonkeyPatch, caplog: Any) -> None:
    monkeypatch.delenv("DATASTORE", raising=False)
    app = web.Application()
    with caplog.at_level(logging.WARNING, logger="openapi.db"):
        assert get_db(app) is None
    assert "DATASTORE" in caplog.text
    assert "db" not in app

    monkeypatch.setenv("DATASTORE", "postgresql+asyncpg://u:secret@db.example:5433/app")
    monkeypatch.setenv("DBPOOL_MIN_SIZE", "2")
    monkeypatch.setenv("DBPOOL_MAX_SIZE", "4")
    db = get_db(app)
    assert db is app["db"]
    assert isinstance(db, CrudDB)
    assert (db.min_size, db.max_size) == (2, 4)
    assert "secret" not in repr(db)
    from openapi.db.dsn import asyncpg_dsn

    assert asyncpg_dsn(db.dsn) == "postgresql://u:secret@db.example:5433/app"

    monkeypatch.delenv("DBPOOL_MIN_SIZE")
    monkeypatch.delenv("DBPOOL_MAX_SIZE")
    db = get_db(web.Application(), "postgresql://localhost/x")
    assert db is not None and (db.min_size, db.max_size) == (10, 10)
    monkeypatch.setenv("DBPOOL_MAX_SIZE", "many")
    with pytest.raises(ConfigurationError, match="DBPOOL_MAX_SIZE must be an integer"):
        get_db(web.Application(), "postgresql://localhost/x")
    with pytest.raises(ValueError):
        from openapi.db.dsn import parse_url

        parse_url("mysql://localhost/x")


async def test_no_database_configured_is_503(
    monkeypatch: pytest.MonkeyPatch, aiohttp_client: Client
) -> None:
    # served without DATASTORE (get_db returned None): a JSON 503, not a 500 per request
    monkeypatch.delenv("DATASTORE", raising=False)
    monkeypatch.setattr("openapi.db.app.dev_database_url", lambda: None)
    app = web.Application()
    setup(app, title="Notes", version="1.0.0", docs_path=None)
    assert get_db(app, metadata=metadata) is None
    app.router.add_view("/notes", NotesPath)
    client = await aiohttp_client(app)
    for method in ("GET", "POST"):
        response = await client.request(method, "/notes", json=[{"text": "a"}])
        assert response.status == 503
        assert await response.json() == {"message": "No database configured"}


async def test_unavailable_then_recovers(server: EmbeddedPostgres, aiohttp_client: Client) -> None:
    db = CrudDB(server.url, metadata, min_size=1, max_size=2)
    await db.create_all()
    await db.close()
    client = await aiohttp_client(make_app(server.url))
    response = await client.post("/notes", json=[{"text": "a"}])
    assert response.status == 201

    await asyncio.to_thread(server.stop)
    for _ in range(2):
        response = await client.get("/notes")
        assert response.status == 503
        assert (await response.json())["message"] == "Database unavailable"

    await asyncio.to_thread(server.start)
    response = await client.get("/notes")
    assert response.status == 200, await response.text()
    assert [n["text"] for n in await response.json()] == ["a"]


async def test_down_at_startup(tmp_path: Path, aiohttp_client: Client, caplog: Any) -> None:
    pg = EmbeddedPostgres(tmp_path / "data")
    await asyncio.to_thread(pg.start)
    url = pg.url
    await asyncio.to_thread(pg.stop)
    try:
        with caplog.at_level(logging.WARNING, logger="openapi.db"):
            client = await aiohttp_client(make_app(url))
        assert "not reachable at startup" in caplog.text
        assert (await client.get("/notes")).status == 503
        await asyncio.to_thread(pg.start)
        db = CrudDB(url, metadata, min_size=1, max_size=1)
        await db.create_all()
        await db.close()
        assert (await client.get("/notes")).status == 200
    finally:
        await asyncio.to_thread(pg.stop)


async def test_pool_acquire_timeout(pg_url: str) -> None:
    db = CrudDB(pg_url, metadata, min_size=1, max_size=1, acquire_timeout=0.2)
    try:
        async with db.connection():
            with pytest.raises(DatabaseUnavailable) as info:
                async with db.connection():
                    pass
            assert info.value.status == 503
            assert "busy" in info.value.message
            with pytest.raises(DatabaseUnavailable):
                await db.db_count(notes)
        await db.create_all()
        assert await db.db_count(notes) >= 0
    finally:
        await db.drop_all()
        await db.close()


async def test_transaction_rolled_back_over_http(pg_url: str, aiohttp_client: Client) -> None:
    db = CrudDB(pg_url, metadata, min_size=1, max_size=1)
    await db.create_all()
    await db.close()
    app = make_app(pg_url)
    client = await aiohttp_client(app)
    try:
        response = await client.post("/notes", json=[{"text": "x"}, {"text": "y"}, {"text": "x"}])
        assert response.status == 409
        assert (await response.json())["errors"] == [{"field": "text", "message": "already exists"}]
        assert await (await client.get("/notes")).json() == []
        response = await client.post("/notes", json=[{"text": "x"}, {"text": "y"}])
        assert response.status == 201
        assert len(await (await client.get("/notes")).json()) == 2
    finally:
        await app["db"].drop_all()


def test_embedded_context_manager(tmp_path: Path) -> None:
    import socket

    with EmbeddedPostgres(tmp_path / "pg") as pg:
        assert pg.running
        assert pg.url.startswith("postgresql://postgres@127.0.0.1:")
        with socket.create_connection(("127.0.0.1", pg.port or 0), timeout=5):
            pass
        assert pg.url_for("other") == pg.url.rsplit("/", 1)[0] + "/other"
    assert not pg.running
    # stopped for good: postmaster.pid is removed only once the server has exited
    assert not (tmp_path / "pg" / "postmaster.pid").exists()
    # the data directory survives and the server starts again on it
    assert (tmp_path / "pg" / "PG_VERSION").exists()
