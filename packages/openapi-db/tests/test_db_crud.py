"""CrudDB on a real PostgreSQL."""

from __future__ import annotations

import decimal
import uuid

import pytest
import sqlalchemy as sa
from openapi.db import CrudDB, InvalidFilter
from openapi.spec import UnprocessableEntity


async def add_tasks(db: CrudDB, n: int = 5) -> list[dict]:
    rows = await db.db_insert(
        db.tasks,
        [
            {"title": f"task {i}", "severity": i if i % 2 else None, "done": i > 2}
            for i in range(1, n + 1)
        ],
    )
    return [dict(r) for r in rows]


async def test_insert_one_returns_row_with_defaults(pg_db: CrudDB) -> None:
    TaskKind = pg_db.tasks.c.kind.type.enum_class
    rows = await pg_db.db_insert(
        pg_db.tasks,
        {
            "title": "one",
            "kind": TaskKind.bug,
            "extra": {"a": [1, 2]},
            "tags": ["x", "y"],
            "story_points": decimal.Decimal("2.50"),
        },
    )
    assert len(rows) == 1
    row = rows[0]
    assert row["title"] == "one"
    assert row["done"] is False
    assert row["kind"] is TaskKind.bug
    assert row["extra"] == {"a": [1, 2]}
    assert row["tags"] == ["x", "y"]
    assert row["story_points"] == decimal.Decimal("2.50")
    assert isinstance(row["uid"], uuid.UUID)
    assert row["created"].tzinfo is not None


async def test_insert_many_and_select(pg_db: CrudDB) -> None:
    rows = await add_tasks(pg_db)
    assert [r["title"] for r in rows] == [f"task {i}" for i in range(1, 6)]
    assert len({r["uid"] for r in rows}) == 5
    selected = await pg_db.db_select(pg_db.tasks, {"id": rows[0]["id"]})
    assert [r["title"] for r in selected] == ["task 1"]
    assert await pg_db.db_select(pg_db.tasks, {"id": -1}) == []


async def test_filters(pg_db: CrudDB) -> None:
    await add_tasks(pg_db)
    t = pg_db.tasks

    async def titles(filters: dict) -> list[str]:
        rows = await pg_db.db_select(t, filters, order_by="title")
        return [r["title"] for r in rows]

    assert await titles({"done": True}) == ["task 3", "task 4", "task 5"]
    assert await titles({"severity:gt": 1}) == ["task 3", "task 5"]
    assert await titles({"severity:ge": 3, "severity:lt": 5}) == ["task 3"]
    assert await titles({"severity:le": 1}) == ["task 1"]
    assert await titles({"severity:ne": 1}) == ["task 3", "task 5"]
    assert await titles({"severity": None}) == ["task 2", "task 4"]
    assert await titles({"severity:ne": None}) == ["task 1", "task 3", "task 5"]
    assert await titles({"title": ["task 1", "task 4", "nope"]}) == ["task 1", "task 4"]
    assert await titles({"title:ne": ["task 1", "task 4"]}) == ["task 2", "task 3", "task 5"]
    # the same shape with other values reuses the compiled SQL
    compilations = pg_db.compiler.compilations
    assert await titles({"title": ["task 2"]}) == ["task 2"]
    assert await titles({"severity:gt": 4}) == ["task 5"]
    assert pg_db.compiler.compilations == compilations


async def test_order_limit_offset(pg_db: CrudDB) -> None:
    await add_tasks(pg_db)
    rows = await pg_db.db_select(pg_db.tasks, order_by="-title", limit=2, offset=1)
    assert [r["title"] for r in rows] == ["task 4", "task 3"]
    rows = await pg_db.db_select(pg_db.tasks, order_by=["done", "-id"], limit=3)
    assert [r["title"] for r in rows] == ["task 2", "task 1", "task 5"]


async def test_unknown_filter_and_order(pg_db: CrudDB) -> None:
    with pytest.raises(InvalidFilter) as info:
        await pg_db.db_select(pg_db.tasks, {"nope": 1})
    assert info.value.status == 422
    assert info.value.errors == [{"field": "nope", "message": "unknown filter"}]
    with pytest.raises(InvalidFilter):
        await pg_db.db_select(pg_db.tasks, {"title:like": "x"})
    with pytest.raises(InvalidFilter):
        await pg_db.db_select(pg_db.tasks, order_by="-nope")
    with pytest.raises(InvalidFilter):
        await pg_db.db_insert(pg_db.tasks, {"nope": 1})


async def test_count_update_delete(pg_db: CrudDB) -> None:
    await add_tasks(pg_db)
    t = pg_db.tasks
    assert await pg_db.db_count(t) == 5
    assert await pg_db.db_count(t, {"done": True}) == 3
    updated = await pg_db.db_update(t, {"done": True}, {"severity": 10})
    assert sorted(r["title"] for r in updated) == ["task 3", "task 4", "task 5"]
    assert all(r["severity"] == 10 for r in updated)
    assert await pg_db.db_count(t, {"severity": 10}) == 3
    deleted = await pg_db.db_delete(t, {"severity": 10})
    assert len(deleted) == 3
    assert await pg_db.db_count(t) == 2
    assert await pg_db.db_update(t, {"id": -1}, {"done": True}) == []


async def test_upsert(pg_db: CrudDB) -> None:
    t = pg_db.tasks
    row = await pg_db.db_upsert(t, {"title": "up"}, {"severity": 1})
    assert row["severity"] == 1
    again = await pg_db.db_upsert(t, {"title": "up"}, {"severity": 2})
    assert again["id"] == row["id"] and again["severity"] == 2
    same = await pg_db.db_upsert(t, {"title": "up"})
    assert same["id"] == row["id"]
    assert await pg_db.db_count(t) == 1


async def test_transaction_commits_and_rolls_back(pg_db: CrudDB) -> None:
    t = pg_db.tasks
    async with pg_db.transaction() as conn:
        await pg_db.db_insert(t, {"title": "kept"}, conn=conn)
    with pytest.raises(RuntimeError):
        async with pg_db.transaction() as conn:
            await pg_db.db_insert(t, {"title": "lost"}, conn=conn)
            assert await pg_db.db_count(t, {"title": "lost"}, conn=conn) == 1
            raise RuntimeError("boom")
    assert [r["title"] for r in await pg_db.db_select(t)] == ["kept"]
    # an integrity error inside a transaction rolls back everything before it
    with pytest.raises(Exception) as info:
        async with pg_db.transaction() as conn:
            await pg_db.db_insert(t, {"title": "first"}, conn=conn)
            await pg_db.db_insert(t, {"title": "kept"}, conn=conn)
    assert "unique" in type(info.value).__name__.lower()
    assert await pg_db.db_count(t) == 1


async def test_core_statements(pg_db: CrudDB) -> None:
    await add_tasks(pg_db)
    t = pg_db.tasks
    rows = await pg_db.fetch(sa.select(t.c.title).where(t.c.severity > 2).order_by(t.c.id))
    assert [r["title"] for r in rows] == ["task 3", "task 5"]
    compilations = pg_db.compiler.compilations
    rows = await pg_db.fetch(sa.select(t.c.title).where(t.c.severity > 4).order_by(t.c.id))
    assert [r["title"] for r in rows] == ["task 5"]
    assert pg_db.compiler.compilations == compilations
    # expanding IN lists still work (compiled each time)
    rows = await pg_db.fetch(sa.select(t.c.id).where(t.c.title.in_(["task 1", "task 2"])))
    assert len(rows) == 2
    assert await pg_db.fetchval(sa.select(sa.func.count()).select_from(t)) == 5
    row = await pg_db.fetchrow(sa.select(t).where(t.c.title == "task 2"))
    assert row is not None and row["severity"] is None
    status = await pg_db.execute(t.update().where(t.c.done.is_(True)).values(severity=0))
    assert status == "UPDATE 3"
    assert await pg_db.db_count_query(sa.select(t).where(t.c.severity == 0)) == 3


async def test_tables_by_attribute(pg_db: CrudDB) -> None:
    assert pg_db.tasks is pg_db.metadata.tables["tasks"]
    with pytest.raises(AttributeError):
        pg_db.nope  # noqa: B018
    assert set(await pg_db.table_names()) >= {"tasks", "users", "pairs"}


async def test_nested_transaction_is_a_savepoint(pg_db: CrudDB) -> None:
    t = pg_db.tasks
    async with pg_db.transaction() as conn:
        await pg_db.db_insert(t, {"title": "outer"}, conn=conn)
        with pytest.raises(RuntimeError):
            async with pg_db.transaction(conn) as inner:
                await pg_db.db_insert(t, {"title": "inner"}, conn=inner)
                raise RuntimeError("undo the inner part only")
    assert [r["title"] for r in await pg_db.db_select(t)] == ["outer"]


async def test_db_paginate(pg_db: CrudDB) -> None:
    from openapi.db.pagination import OffsetPaginator, offsetPagination

    await add_tasks(pg_db, 7)
    t = pg_db.tasks
    paginator = OffsetPaginator(("-id",), default_limit=3)
    rows, total = await pg_db.db_paginate(t, t.select(), paginator)
    assert total == 7 and [r["title"] for r in rows] == ["task 7", "task 6", "task 5"]
    query = offsetPagination("title")(limit=2, offset=4, order_by="title")
    rows, total = await pg_db.db_paginate(t, t.select().where(t.c.done.is_(True)), query)
    assert total == 5 and [r["title"] for r in rows] == ["task 7"]
    rows, total = await pg_db.db_paginate(t, t.select(), query, {"offset": 1})
    assert [r["title"] for r in rows] == ["task 2", "task 3"]
    with pytest.raises(TypeError):
        await pg_db.db_paginate(t, t.select(), object())


async def test_insert_rows_giving_different_columns(pg_db: CrudDB) -> None:
    rows = await pg_db.db_insert(
        pg_db.tasks,
        [{"title": "a"}, {"title": "b", "done": True}, {"severity": 2, "title": "c"}],
    )
    # a column a row leaves out takes its default (done: server default false), not NULL
    assert [(r["title"], r["done"], r["severity"]) for r in rows] == [
        ("a", False, None),
        ("b", True, None),
        ("c", False, 2),
    ]
    users = await pg_db.db_insert(pg_db.users, [{"name": "x"}, {"name": "y"}])
    assert [u["name"] for u in users] == ["x", "y"]


async def test_db_list(pg_db: CrudDB) -> None:
    await add_tasks(pg_db, 9)
    t = pg_db.tasks
    rows, total = await pg_db.db_list(
        t, {"done": True}, order_by=("-id",), limit=2, offset=1, count=True
    )
    assert total == 7 and [r["title"] for r in rows] == ["task 8", "task 7"]
    assert "_openapi_total_count" not in rows[0]
    rows, total = await pg_db.db_list(t, {}, order_by="id", limit=3)
    assert total is None and [r["title"] for r in rows] == ["task 1", "task 2", "task 3"]
    # search: literal text, case-insensitive; past the last page the total is still counted
    await pg_db.db_insert(t, [{"title": "50% OFF"}, {"title": "50 off"}])
    rows, total = await pg_db.db_list(
        t, None, order_by="id", limit=5, search=(("title",), "0% o"), count=True
    )
    assert total == 1 and [r["title"] for r in rows] == ["50% OFF"]
    rows, total = await pg_db.db_list(
        t, None, order_by="id", limit=5, offset=10, search=(("title",), "off"), count=True
    )
    assert rows == [] and total == 2

    class Consumer:
        def filter_title(self, op: str, value: object) -> object:
            return t.c.title.like(f"{value}%")

    rows, total = await pg_db.db_list(
        t, {"title": "task"}, order_by="-id", limit=2, count=True, consumer=Consumer()
    )
    assert total == 9 and [r["title"] for r in rows] == ["task 9", "task 8"]


async def test_cursor_pages_generic_and_cached(pg_db: CrudDB) -> None:
    from openapi.db.listing import ListQuery, Selection
    from openapi.db.pagination import CursorPaginator
    from yarl import URL

    await add_tasks(pg_db, 7)
    t = pg_db.tasks
    paginator = CursorPaginator(("-severity",), default_limit=3)
    url = URL("http://test/tasks")

    class Consumer:
        def filter_title(self, op: str, value: object) -> object:
            return t.c.title.like(f"{value}%")

    # the three ways give the same pages: generic statement, cached shape, consumer filter
    async def walk(how: str) -> list[str]:
        titles: list[str] = []
        params: dict[str, object] = {}
        for _ in range(5):
            if how == "generic":
                selection = Selection(t, statement=t.select())
            elif how == "cached":
                selection = Selection(t, {})
            else:
                selection = Selection(t, {"title": "task"}, consumer=Consumer())
            page = await paginator.page(pg_db, ListQuery(selection, params, url))
            titles.extend(r["title"] for r in page.rows)
            if "next" not in page.links:
                break
            params = {"cursor": page.links["next"].query["cursor"]}
        return titles

    expected = ["task 7", "task 5", "task 3", "task 1", "task 2", "task 4", "task 6"]
    assert await walk("generic") == expected
    assert await walk("cached") == expected
    assert await walk("consumer") == expected
    rows, total = await pg_db.db_paginate(t, t.select(), paginator, {"limit": 2})
    assert total is None and [r["title"] for r in rows] == ["task 7", "task 5"]


async def test_select_page_one_statement_per_shape(pg_db: CrudDB) -> None:
    from openapi.db.listing import OffsetWindow, Selection, Total
    from openapi.db.ordering import OrderField
    from openapi.db.search import Search

    await add_tasks(pg_db, 9)
    t = pg_db.tasks
    order = (OrderField("id", descending=True),)

    async def page(done: bool, offset: int, text: str = "task") -> tuple[list[str], int | None]:
        selection = Selection(t, {"done": done}, Search(("title",), text))
        found = await pg_db.select_page(selection, OffsetWindow(order, 2, offset, Total.EXACT))
        return [r["title"] for r in found.rows], found.total

    assert await page(True, 1) == (["task 8", "task 7"], 7)
    compilations = pg_db.compiler.compilations
    # other values, same shape: no new statement; past the last page the total is counted
    assert await page(False, 1) == (["task 1"], 2)
    assert await page(True, 3, "TASK 9") == ([], 1)
    assert pg_db.compiler.compilations == compilations + 1  # the count apart, once
    assert await page(True, 5, "task 1") == ([], 0)
    assert pg_db.compiler.compilations == compilations + 1
    # a consumer's own filter: its conditions, values bound in, same rows
    seen: list[tuple[str, object]] = []

    class Consumer:
        def filter_done(self, op: str, value: object) -> object:
            seen.append((op, value))
            return t.c.done.is_(value)

    selection = Selection(t, {"done": True}, Search(("title",), "task"), Consumer())
    found = await pg_db.select_page(selection, OffsetWindow(order, 2, 1, Total.EXACT))
    assert ([r["title"] for r in found.rows], found.total) == (["task 8", "task 7"], 7)
    assert seen == [("eq", True)]


async def test_a_paginator_needs_only_page(pg_db: CrudDB) -> None:
    """A new kind of pagination implements Paginator.page over select_page: nothing else
    (CrudDB, SqlApiPath) learns about it."""
    from openapi.db.listing import ListQuery, OffsetWindow, Page, Paginator, RowSource, Total
    from openapi.db.ordering import OrderField

    class PageNumbers(Paginator):
        keys = ("page",)

        async def page(self, rows: RowSource, query: ListQuery, *, conn: object = None) -> Page:
            number = int(query.params.get("page") or 1)
            limit = self.limit(query.params)
            window = OffsetWindow((OrderField("id"),), limit, (number - 1) * limit, Total.EXACT)
            found = await rows.select_page(query.selection, window)
            links = {"next": query.url.with_query(page=number + 1)}
            return Page(found.rows, found.total, links)

    await add_tasks(pg_db, 5)
    t = pg_db.tasks
    statement = t.select().where(t.c.done.is_(True))
    rows, total = await pg_db.db_paginate(t, statement, PageNumbers(default_limit=2), {"page": 2})
    assert total == 3 and [r["title"] for r in rows] == ["task 5"]
    with pytest.raises(TypeError):
        Paginator()  # type: ignore[abstract]


async def test_integers_beyond_the_column_compare_exactly(pg_db: CrudDB) -> None:
    """An integer an INTEGER column cannot hold is a valid filter value: it matches
    what the comparison says (no row equals it, every row is below it), never an error."""
    rows = await add_tasks(pg_db)  # severities 1, None, 3, None, 5
    huge, tiny = 2**40, -(2**70)
    ids = sorted(r["id"] for r in rows)

    async def selected(filters: dict) -> list[int]:
        return sorted(r["id"] for r in await pg_db.db_select(pg_db.tasks, filters))

    assert await selected({"id": huge}) == []
    assert await selected({"id:ne": huge}) == ids
    assert await selected({"severity:lt": huge}) == [ids[0], ids[2], ids[4]]
    assert await selected({"severity:gt": tiny}) == [ids[0], ids[2], ids[4]]
    assert await selected({"severity:ge": huge}) == []
    assert await selected({"severity:le": tiny}) == []
    assert await selected({"id": [ids[1], huge]}) == [ids[1]]
    assert await selected({"id:ne": [ids[1], huge]}) == [i for i in ids if i != ids[1]]
    assert await pg_db.db_delete(pg_db.tasks, {"id": huge}) == []
    assert await pg_db.db_update(pg_db.tasks, {"id": tiny}, {"done": True}) == []
    assert await selected({}) == ids
    # in-range values keep the column's own type (and its index)
    assert await selected({"id": ids[0]}) == [ids[0]]


async def test_text_with_a_nul_character_is_a_422_naming_the_column(pg_db: CrudDB) -> None:
    [row] = await add_tasks(pg_db, 1)
    for write in (
        pg_db.db_insert(pg_db.tasks, {"title": "a\x00b"}),
        pg_db.db_insert(pg_db.tasks, [{"title": "fine"}, {"title": "bad\x00"}]),
        pg_db.db_update(pg_db.tasks, {"id": row["id"]}, {"title": "x\x00"}),
    ):
        with pytest.raises(UnprocessableEntity) as raised:
            await write
        assert raised.value.errors == [
            {"field": "title", "message": "NUL characters are not allowed"}
        ]
    assert [r["title"] for r in await pg_db.db_select(pg_db.tasks)] == [row["title"]]
