"""Path variables are strings on the wire: they are coerced to the path schema's types."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from aiohttp import web
from openapi.data import fields
from openapi.spec import ApiPath, op, setup


@dataclass
class ItemPath:
    id: int = fields.integer_field(required=True, min_value=1, description="Item number")
    key: UUID = fields.uuid_field(required=True, description="Item key")


def make_app() -> web.Application:
    app = web.Application()
    setup(app, title="Items", version="1")

    class ItemView(ApiPath):
        path_schema = ItemPath

        @op()
        async def get(self) -> web.Response:
            values = self.path_values()
            return self.json_response({"id": values["id"], "key": str(values["key"])})

    app.router.add_view("/items/{id}/{key}", ItemView)
    return app


async def test_typed_path_variables(aiohttp_client: Callable[..., Any]) -> None:
    client = await aiohttp_client(make_app())
    key = "6f1c1a47-6f0b-4a43-9d55-1ad4a7e0c6f4"
    response = await client.get(f"/items/7/{key}")
    assert response.status == 200
    assert await response.json() == {"id": 7, "key": key}
    for bad in (f"/items/0/{key}", f"/items/seven/{key}", "/items/7/not-a-uuid"):
        response = await client.get(bad)
        assert response.status == 404, bad
        assert (await response.json())["message"]
