"""CrudDB.stream: every selected row once, in order, through a cursor."""

from __future__ import annotations

import pytest
from openapi.db import CrudDB
from openapi.db.listing import Selection
from openapi.db.search import Search


async def test_every_row_once_across_chunks(pg_db: CrudDB) -> None:
    await pg_db.db_insert(
        pg_db.tasks, [{"title": f"task {i:03d}", "severity": i % 4} for i in range(1, 21)]
    )
    # 20 rows in chunks of 5 (an exact multiple) and of 7 (a partial last chunk)
    for chunk in (5, 7, 100):
        rows = [row async for row in pg_db.stream(pg_db.tasks, chunk=chunk)]
        assert [row["id"] for row in rows] == sorted(row["id"] for row in rows)
        assert [row["title"] for row in rows] == [f"task {i:03d}" for i in range(1, 21)]
    descending = [r["title"] async for r in pg_db.stream(pg_db.tasks, order_by="-title", chunk=3)]
    assert descending == [f"task {i:03d}" for i in range(20, 0, -1)]


async def test_filters_search_and_order(pg_db: CrudDB) -> None:
    await pg_db.db_insert(
        pg_db.tasks, [{"title": f"task {i:03d}", "severity": i % 4} for i in range(1, 21)]
    )
    selection = Selection(pg_db.tasks, {"severity": 1})
    rows = [r async for r in pg_db.stream(selection, order_by=["-severity", "title"], chunk=2)]
    assert [r["title"] for r in rows] == [f"task {i:03d}" for i in (1, 5, 9, 13, 17)]
    found = Selection(pg_db.tasks, {"severity:ge": 2}, Search(("title",), "task 01"))
    titles = [r["title"] async for r in pg_db.stream(found)]
    assert titles == ["task 010", "task 011", "task 014", "task 015", "task 018", "task 019"]
    assert [r async for r in pg_db.stream(Selection(pg_db.tasks, {"title": "none"}))] == []


async def test_a_bad_chunk_is_refused(pg_db: CrudDB) -> None:
    with pytest.raises(ValueError):
        async for _ in pg_db.stream(pg_db.tasks, chunk=0):
            pass
