"""The pytest plugin's helpers, on the session's server."""

from __future__ import annotations

import uuid

import sqlalchemy as sa
from openapi.db import CrudDB
from openapi.db.testing import (
    create_database,
    create_tables,
    drop_database,
    drop_tables,
    truncate_tables,
)


async def test_helpers(pg_server_url: str) -> None:
    metadata = sa.MetaData()
    items = sa.Table("plugin_items", metadata, sa.Column("id", sa.Integer, primary_key=True))
    name = f"plugin_{uuid.uuid4().hex[:8]}"
    url = await create_database(pg_server_url, name)
    assert url.endswith(f"/{name}")
    db = CrudDB(url, metadata, min_size=1, max_size=1)
    try:
        await create_tables(url, metadata)
        await create_tables(url, metadata)  # again: nothing to do
        await db.db_insert(items, [{"id": 1}, {"id": 2}])
        assert await db.db_count(items) == 2
        await truncate_tables(url, metadata)
        assert await db.db_count(items) == 0
        await drop_tables(url, metadata)
        assert await db.table_names() == []
    finally:
        await db.close()
        await drop_database(pg_server_url, name)


async def test_pg_db_is_empty_at_each_test(pg_db: CrudDB) -> None:
    # test_db_crud inserted rows in earlier tests: truncated since
    assert await pg_db.db_count(pg_db.tasks) == 0
    await pg_db.db_insert(pg_db.tasks, {"title": "left behind"})


async def test_pg_db_is_empty_again(pg_db: CrudDB) -> None:
    assert await pg_db.db_count(pg_db.tasks) == 0
