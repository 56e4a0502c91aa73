"""Query strings are strict: a key the query schema does not accept is a 422 naming it,
on every method, unless the operation opts out with ``@op(strict_query=False)``."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from aiohttp import web
from openapi.data import fields
from openapi.spec import ApiPath, op, setup


@dataclass
class ItemQuery:
    """Filters of the items"""

    name: str = fields.str_field(description="Item name")
    size: int = fields.integer_field(ops=("lt", "gt"), description="Item size")


def make_app() -> web.Application:
    app = web.Application()
    setup(app, title="Items", version="1")

    class ItemsView(ApiPath):
        @op(query_schema=ItemQuery)
        async def get(self) -> web.Response:
            return self.json_response(self.get_filters())

        @op(query_schema=ItemQuery)
        async def delete(self) -> web.Response:
            return self.json_response(self.get_filters())

        @op(query_schema=ItemQuery)
        async def patch(self) -> web.Response:
            return self.json_response(self.get_filters())

    class LenientView(ApiPath):
        @op(query_schema=ItemQuery, strict_query=False)
        async def get(self) -> web.Response:
            return self.json_response(self.get_filters())

    app.router.add_view("/items", ItemsView)
    app.router.add_view("/lenient", LenientView)
    return app


async def test_unknown_keys_and_operators_are_named(aiohttp_client: Callable[..., Any]) -> None:
    client = await aiohttp_client(make_app())
    for method in ("GET", "DELETE", "PATCH"):
        response = await client.request(method, "/items?name=a&size:gt=2&size:lt=9")
        assert response.status == 200, await response.text()
        assert await response.json() == {"name": "a", "size:gt": 2, "size:lt": 9}
        response = await client.request(method, "/items?nmae=a&size:ge=2&name:gt=b")
        assert response.status == 422
        assert response.content_type == "application/json"
        body = await response.json()
        assert body["message"] == "Unknown query parameter"
        assert body["errors"] == [
            {"field": "nmae", "message": "unknown query parameter"},
            {"field": "size:ge", "message": "unknown operator 'ge' for size; allowed: lt, gt"},
            {
                "field": "name:gt",
                "message": "unknown operator 'gt' for name; name takes no operator",
            },
        ]


async def test_opt_out_ignores_extra_keys(aiohttp_client: Callable[..., Any]) -> None:
    client = await aiohttp_client(make_app())
    response = await client.get("/lenient?name=a&_=1712345&size:ge=3")
    assert response.status == 200, await response.text()
    assert await response.json() == {"name": "a"}
    # declared keys are still validated
    response = await client.get("/lenient?size=big&_=1")
    assert response.status == 422
    assert [e["field"] for e in (await response.json())["errors"]] == ["size"]


async def test_the_document_says_which_operations_are_strict(
    aiohttp_client: Callable[..., Any],
) -> None:
    client = await aiohttp_client(make_app())
    doc = await (await client.get("/spec")).json()
    strict = doc["paths"]["/items"]["get"]
    lenient = doc["paths"]["/lenient"]["get"]
    names = [p["name"] for p in strict["parameters"]]
    assert names == ["name", "size", "size:lt", "size:gt"]
    assert "unknown query parameter" in strict["responses"]["422"]["description"]
    assert strict["x-strict-query"] is True
    assert lenient["x-strict-query"] is False
