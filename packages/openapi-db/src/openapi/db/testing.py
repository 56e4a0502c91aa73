"""pytest plugin: a real PostgreSQL for tests.

Load it from a ``conftest.py`` with ``pytest_plugins = ["openapi.db.testing"]``.

Fixtures:

* ``pg_server_url`` (session): URL of a running server: ``DATASTORE`` when set,
  otherwise an embedded PostgreSQL started once for the session and stopped at its end.
* ``pg_url`` (session): URL of a fresh database created on that server for this session
  and dropped at its end (``DATASTORE`` itself when its role may not create databases).
* ``db_metadata``: the ``sqlalchemy.MetaData`` whose tables ``pg_db`` manages; override it.
* ``pg_db``: a :class:`CrudDB` on ``pg_url`` with ``db_metadata``'s tables created (once
  per session) and emptied after each test.

Helpers: :func:`create_tables`, :func:`drop_tables`, :func:`truncate_tables`.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import signal
import tempfile
import threading
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from pathlib import Path

import asyncpg
import pytest
import sqlalchemy as sa

from .crud import CrudDB
from .dsn import asyncpg_dsn, parse_url
from .embedded import EmbeddedPostgres

__all__ = [
    "create_database",
    "create_tables",
    "drop_database",
    "drop_tables",
    "truncate_tables",
    "db_metadata",
    "pg_db",
    "pg_server_url",
    "pg_url",
]


def _database_url(url: str, name: str) -> str:
    return parse_url(url).set(database=name).render_as_string(hide_password=False)


async def _execute(server_url: str, sql: str) -> None:
    conn = await asyncpg.connect(asyncpg_dsn(server_url))
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


async def _on_tables(
    url: str, metadata: sa.MetaData, action: Callable[[CrudDB], Awaitable[None]]
) -> None:
    db = CrudDB(url, metadata, min_size=1, max_size=1)
    try:
        await action(db)
    finally:
        await db.close()


async def create_database(server_url: str, name: str) -> str:
    """Create database ``name`` on the server of ``server_url``; returns its URL."""
    await _execute(server_url, f'CREATE DATABASE "{name}"')
    return _database_url(server_url, name)


async def drop_database(server_url: str, name: str) -> None:
    """Drop database ``name`` (disconnecting its sessions)."""
    await _execute(server_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


async def create_tables(url: str, metadata: sa.MetaData) -> None:
    """Create the tables of ``metadata`` in the database at ``url``."""
    await _on_tables(url, metadata, CrudDB.create_all)


async def drop_tables(url: str, metadata: sa.MetaData) -> None:
    """Drop the tables of ``metadata`` from the database at ``url``."""
    await _on_tables(url, metadata, CrudDB.drop_all)


async def truncate_tables(url: str, metadata: sa.MetaData) -> None:
    """Empty the tables of ``metadata`` in the database at ``url``."""
    await _on_tables(url, metadata, CrudDB.truncate_all)


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt(f"signal {signum}")


def _stop_on_sigterm() -> Callable[[], None]:
    """SIGTERM (a CI timeout) interrupts pytest like Ctrl-C, so fixtures tear down and
    the server stops instead of outliving the session."""
    if threading.current_thread() is not threading.main_thread():
        return lambda: None
    if signal.getsignal(signal.SIGTERM) is not signal.SIG_DFL:
        return lambda: None
    signal.signal(signal.SIGTERM, _interrupt)

    def restore() -> None:
        signal.signal(signal.SIGTERM, signal.SIG_DFL)

    return restore


@pytest.fixture(scope="session")
def pg_server_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A running PostgreSQL server: ``DATASTORE``, else embedded for the session."""
    datastore = os.environ.get("DATASTORE")
    if datastore:
        yield datastore
        return
    # not tmp_path_factory: a concurrent pytest session prunes old numbered temp dirs,
    # deleting the data directory under the running server (PANIC, every test fails)
    data_dir = Path(tempfile.mkdtemp(prefix="embedded-postgres-")) / "data"
    server = EmbeddedPostgres(data_dir)
    server.start()
    restore = _stop_on_sigterm()
    try:
        yield server.url
    finally:
        restore()
        server.stop()
        shutil.rmtree(data_dir.parent, ignore_errors=True)


@pytest.fixture(scope="session")
def pg_url(pg_server_url: str) -> Iterator[str]:
    """A fresh database for this test session."""
    name = f"openapi_test_{uuid.uuid4().hex[:12]}"
    try:
        url = asyncio.run(create_database(pg_server_url, name))
    except asyncpg.InsufficientPrivilegeError:
        yield pg_server_url
        return
    try:
        yield url
    finally:
        asyncio.run(drop_database(pg_server_url, name))


@pytest.fixture
def db_metadata() -> sa.MetaData:
    """The metadata whose tables ``pg_db`` creates: override in a conftest."""
    return sa.MetaData()


_created: set[tuple[str, int]] = set()


@pytest.fixture
async def pg_db(pg_url: str, db_metadata: sa.MetaData) -> AsyncIterator[CrudDB]:
    """A CrudDB with the tables of ``db_metadata``, emptied after the test."""
    db = CrudDB(pg_url, db_metadata, min_size=1, max_size=4)
    key = (pg_url, id(db_metadata))
    if key not in _created:
        await db.create_all()
        _created.add(key)
    try:
        yield db
    finally:
        try:
            await db.truncate_all()
        finally:
            await db.close()
