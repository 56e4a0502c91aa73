"""The pool resets a session other code used, and skips the reset after CrudDB's own
statements (one round trip less per statement)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from openapi.db import CrudDB


def log_queries(conn: Any, queries: list[str]) -> None:
    conn.add_query_logger(lambda record: queries.append(record.query))


@pytest.fixture
async def one_connection(pg_url: str) -> AsyncIterator[CrudDB]:
    """A database whose pool has one connection: each user gets the previous one's."""
    db = CrudDB(pg_url, min_size=1, max_size=1)
    try:
        yield db
    finally:
        await db.close()


async def test_session_state_never_leaks_to_the_next_user(one_connection: CrudDB) -> None:
    db = one_connection
    async with db.connection() as conn:
        await conn.execute("SET application_name = 'leaked'")
        await conn.execute("SELECT pg_advisory_lock(42)")
    async with db.connection() as conn:
        assert await conn.fetchval("SHOW application_name") != "leaked"
        locks = "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND objid = 42"
        assert await conn.fetchval(locks) == 0


async def test_reset_skipped_after_crud_statements_only(pg_db: CrudDB) -> None:
    tasks = pg_db.tasks
    queries: list[str] = []
    async with pg_db.connection() as conn:
        log_queries(conn, queries)
    assert any("RESET ALL" in query for query in queries)  # other code: reset
    queries.clear()
    await pg_db.db_insert(tasks, {"title": "one"})
    await pg_db.db_select(tasks, {"title": "one"})
    await pg_db.db_list(tasks, {"done": False}, limit=10, count=True)
    await pg_db.db_update(tasks, {"title": "one"}, {"done": True})
    await pg_db.db_delete(tasks, {"title": "one"})
    statements = [query for query in queries if "tasks" in query]
    resets = [query for query in queries if "RESET ALL" in query]
    # every pool connection logs (min_size=1 after the first; max 4): count per statement
    assert len(statements) == 5 and resets == []
    async with pg_db.connection(session_neutral=True) as conn:
        await conn.fetchval("SELECT count(*) FROM tasks")
    assert [query for query in queries if "RESET ALL" in query] == []
    async with pg_db.connection() as conn:
        await conn.execute("SET application_name = 'mine'")
    assert any("RESET ALL" in query for query in queries)


async def test_transaction_left_open_is_rolled_back(one_connection: CrudDB) -> None:
    db = one_connection
    async with db.connection() as conn:
        await conn.execute("BEGIN")
        await conn.execute("CREATE TEMP TABLE left_open (x int)")
    async with db.connection() as conn:
        assert not conn.is_in_transaction()
        found = await conn.fetchval("SELECT to_regclass('pg_temp.left_open')")
        assert found is None
