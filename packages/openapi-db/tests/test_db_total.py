"""Offset pagination's totals over HTTP: capped (the default), exact and none."""

# no "from __future__ import annotations": the query schemas are local classes

import dataclasses
from collections.abc import Callable
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient
from openapi.data import fields
from openapi.db import CrudDB, dataclass_from_table
from openapi.db.pagination import offsetPagination
from openapi.db.path import SqlApiPath
from openapi.spec import op, setup

pytestmark = pytest.mark.filterwarnings("ignore::aiohttp.web.NotAppKeyWarning")

Client = Callable[..., Any]
ROWS = 30
CAP = 10


def build_app(db: CrudDB) -> web.Application:
    Task = dataclass_from_table("Task", db.tasks)
    routes = web.RouteTableDef()

    def list_view(path: str, **total: Any) -> None:
        @dataclasses.dataclass
        class Query(offsetPagination("id", default_limit=5, **total)):
            done: bool | None = fields.bool_field()

        @routes.view(path)
        class TasksPath(SqlApiPath):
            table = "tasks"

            @op(query_schema=Query, response_schema=list[Task])
            async def get(self) -> web.Response:
                return (await self.get_list()).json_response()

    list_view("/capped", total_cap=CAP)
    list_view("/default")
    list_view("/exact", total="exact")
    list_view("/none", total="none")
    app = web.Application()
    app["db"] = db
    app.router.add_routes(routes)
    setup(app, title="Totals", version="1.0")
    return app


@pytest.fixture
async def client(pg_db: CrudDB, aiohttp_client: Client) -> TestClient:
    await pg_db.db_insert(
        pg_db.tasks,
        [{"title": f"task {i}", "done": i % 10 == 0} for i in range(ROWS)],
    )
    return await aiohttp_client(build_app(pg_db))  # type: ignore[no-any-return]


async def page(client: TestClient, url: str) -> tuple[list[int], str | None, set[str]]:
    response = await client.get(url)
    assert response.status == 200, await response.text()
    ids = [row["id"] for row in await response.json()]
    return ids, response.headers.get("X-Total-Count"), set(response.links)


async def test_capped_counts_up_to_the_cap_then_links_on(client: TestClient) -> None:
    ids, total, links = await page(client, "/capped")
    assert len(ids) == 5
    assert total is None  # 30 rows, more than the cap
    assert links == {"next"}
    ids, total, links = await page(client, "/capped?offset=25")
    assert len(ids) == 5
    assert total is None
    assert links == {"first", "prev"}  # the last page: no next
    # a filter matching fewer rows than the cap: an exact total and a last link
    ids, total, links = await page(client, "/capped?done=true&limit=2")
    assert total == "3"
    assert links == {"next", "last"}


async def test_the_default_is_capped_at_ten_thousand(client: TestClient) -> None:
    _, total, links = await page(client, "/default")
    assert total == str(ROWS)
    assert links == {"next", "last"}


async def test_exact_counts_every_row(client: TestClient) -> None:
    ids, total, links = await page(client, "/exact?offset=10")
    assert total == str(ROWS)
    assert links == {"first", "prev", "next", "last"}
    assert len(ids) == 5


async def test_none_never_counts(client: TestClient) -> None:
    seen: list[int] = []
    url: str | None = "/none?limit=7"
    while url is not None:
        response = await client.get(url)
        assert response.status == 200
        assert "X-Total-Count" not in response.headers
        seen.extend(row["id"] for row in await response.json())
        assert "last" not in response.links
        next_link = response.links.get("next")
        url = str(next_link["url"].relative()) if next_link else None
    assert len(seen) == ROWS == len(set(seen))
    _, _, links = await page(client, f"/none?offset={ROWS}")
    assert links == {"first", "prev"}


async def test_the_spec_documents_the_headers_each_mode_sends(client: TestClient) -> None:
    response = await client.get("/spec")
    document = await response.json()

    def headers(path: str) -> dict[str, Any]:
        answer = document["paths"][path]["get"]["responses"]["200"]
        return answer.get("headers", {})  # type: ignore[no-any-return]

    assert "X-Total-Count" not in headers("/none")
    assert "Link" in headers("/none")
    assert "absent when more than 10 match" in headers("/capped")["X-Total-Count"]["description"]
    assert "absent" not in headers("/exact")["X-Total-Count"]["description"]


def test_a_total_cap_below_one_is_refused() -> None:
    with pytest.raises(ValueError, match="total_cap"):
        offsetPagination("id", total_cap=0)
    with pytest.raises(ValueError):
        offsetPagination("id", total="sometimes")  # type: ignore[arg-type]
