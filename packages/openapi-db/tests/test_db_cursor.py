"""cursorPagination: keyset pages over HTTP on a real PostgreSQL."""

# no "from __future__ import annotations": the schemas are local classes

import base64
import dataclasses
import functools
import json
from collections.abc import Callable
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient
from openapi.data import fields
from openapi.db import CrudDB, dataclass_from_table
from openapi.db.pagination import cursorPagination
from openapi.db.path import SqlApiPath
from openapi.spec import op, setup

pytestmark = pytest.mark.filterwarnings("ignore::aiohttp.web.NotAppKeyWarning")

ORDER = (("done", False), ("severity", True), ("id", False))


def build_app(db: CrudDB) -> web.Application:
    Task = dataclass_from_table("Task", db.tasks)

    @dataclasses.dataclass
    class TaskQuery(cursorPagination("done", "-severity", default_limit=5, max_limit=20)):
        done: bool | None = fields.bool_field()

    class TasksPath(SqlApiPath):
        """
        ---
        summary: Tasks by cursor
        """

        table = "tasks"

        @op(query_schema=TaskQuery, response_schema=list[Task])
        async def get(self) -> web.Response:
            """
            ---
            summary: Tasks
            responses:
                200:
                    description: A page
            """
            return (await self.get_list()).json_response()

    app = web.Application()
    setup(app, title="Cursor", version="1.0.0", docs_path=None)
    app["db"] = db
    app.router.add_view("/tasks", TasksPath)
    return app


@pytest.fixture
async def client(pg_db: CrudDB, aiohttp_client: Callable[..., Any]) -> TestClient:
    rows = [
        {"title": f"t{i}", "done": i % 3 == 0, "severity": None if i % 4 == 0 else i % 5}
        for i in range(23)
    ]
    await pg_db.db_insert(pg_db.tasks, rows)
    return await aiohttp_client(build_app(pg_db))  # type: ignore[no-any-return]


def expected(rows: list[dict[str, Any]], reverse: bool = False) -> list[int]:
    """ids in the paginator's order: NULLs last in either direction."""

    def compare(a: dict[str, Any], b: dict[str, Any]) -> int:
        for name, desc in ORDER:
            x, y = a.get(name), b.get(name)
            if x == y:
                continue
            if x is None:
                return 1
            if y is None:
                return -1
            smaller = x < y
            if desc != reverse:
                smaller = not smaller
            return -1 if smaller else 1
        return 0

    return [r["id"] for r in sorted(rows, key=functools.cmp_to_key(compare))]


async def walk(client: TestClient, url: str, rel: str) -> list[list[int]]:
    pages = []
    while url:
        response = await client.get(url)
        assert response.status == 200, await response.text()
        pages.append([t["id"] for t in await response.json()])
        link = response.links.get(rel)
        url = str(link["url"].relative()) if link else ""
        assert len(pages) < 20
    return pages


async def test_forward_and_back(client: TestClient, pg_db: CrudDB) -> None:
    rows = [dict(r) for r in await pg_db.db_select(pg_db.tasks)]
    order = expected(rows)
    pages = await walk(client, "/tasks", "next")
    assert [len(p) for p in pages] == [5, 5, 5, 5, 3]
    assert [i for page in pages for i in page] == order
    # from the last page back to the first through prev links
    response = await client.get("/tasks")
    url = ""
    while "next" in response.links:
        url = str(response.links["next"]["url"].relative())
        response = await client.get(url)
    back = await walk(client, url, "prev")
    assert [i for page in reversed(back) for i in page] == order
    assert back[-1] == order[:5]


async def test_direction_desc(client: TestClient, pg_db: CrudDB) -> None:
    rows = [dict(r) for r in await pg_db.db_select(pg_db.tasks)]
    pages = await walk(client, "/tasks?direction=desc&limit=7", "next")
    assert [i for page in pages for i in page] == expected(rows, reverse=True)


async def test_filters_apply(client: TestClient, pg_db: CrudDB) -> None:
    rows = [dict(r) for r in await pg_db.db_select(pg_db.tasks, {"done": True})]
    pages = await walk(client, "/tasks?done=true&limit=3", "next")
    assert [i for page in pages for i in page] == expected(rows)


async def test_rows_added_while_paging(client: TestClient, pg_db: CrudDB) -> None:
    before = expected([dict(r) for r in await pg_db.db_select(pg_db.tasks)])
    response = await client.get("/tasks")
    first = [t["id"] for t in await response.json()]
    # rows sorting before and after the page boundary arrive between two requests
    await pg_db.db_insert(
        pg_db.tasks,
        [{"title": "early", "done": False, "severity": 9}, {"title": "late", "done": True}],
    )
    rest = await walk(client, str(response.links["next"]["url"].relative()), "next")
    seen = first + [i for page in rest for i in page]
    assert len(seen) == len(set(seen))
    assert [i for i in seen if i in before] == before


def encode(payload: Any) -> str:
    return base64.urlsafe_b64encode(json.dumps(payload).encode()).decode().rstrip("=")


async def test_tampered_cursor(client: TestClient) -> None:
    response = await client.get("/tasks")
    cursor = response.links["next"]["url"].query["cursor"]
    good = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    bad_cursors = [
        "not base64!",
        "aGVsbG8",
        encode([1, 2]),
        encode({**good, "v": good["v"][:-1]}),
        encode({**good, "v": ["yes", *good["v"][1:]]}),
        encode({**good, "v": [*good["v"][:-1], "7"]}),
        # an integer the column cannot hold: the cursor's, not a database error
        encode({**good, "v": [*good["v"][:-1], 2**63]}),
        encode({**good, "k": "other:asc:x"}),
        encode({**good, "b": "no"}),
    ]
    for bad in bad_cursors:
        response = await client.get("/tasks", params={"cursor": bad})
        assert response.status == 422, bad
        body = await response.json()
        assert body["errors"] == [{"field": "cursor", "message": "invalid cursor"}]
    # a cursor of one direction is refused by the other
    response = await client.get("/tasks", params={"cursor": cursor, "direction": "desc"})
    assert response.status == 422
    assert (await client.get("/tasks", params={"cursor": cursor})).status == 200


async def test_limits(client: TestClient) -> None:
    assert (await client.get("/tasks?limit=21")).status == 422
    assert (await client.get("/tasks?direction=up")).status == 422
    assert len(await (await client.get("/tasks?limit=20")).json()) == 20
    spec = await (await client.get("/spec")).json()
    get = spec["paths"]["/tasks"]["get"]
    assert "Link" in get["responses"]["200"]["headers"]


async def test_null_is_no_page_value(client: TestClient) -> None:
    """``NULL`` means SQL NULL for filters only: a page key refuses it like any bad value."""
    for query in ("direction=NULL", "limit=NULL", "cursor=NULL"):
        response = await client.get(f"/tasks?{query}")
        assert response.status == 422, query
        fields_named = [e["field"] for e in (await response.json())["errors"]]
        assert fields_named == [query.partition("=")[0]], fields_named
    response = await client.get("/tasks?done=NULL")
    assert response.status == 200 and await response.json() == []
