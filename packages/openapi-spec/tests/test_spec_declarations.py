"""Declaration mistakes stop the application at startup, naming the view, method and field."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from aiohttp import web
from openapi.spec import ApiPath, InvalidSpecError, op, setup

AiohttpClient = Callable[..., Any]


class Unsupported:
    """A type openapi.data knows nothing about."""


@dataclass
class Task:
    title: str


@dataclass
class Broken:
    title: str
    owner: Unsupported


@dataclass
class ItemPath:
    name: str


def view_with(decorator: Any, path_schema: Any = None) -> type[ApiPath]:
    async def get(self: ApiPath) -> web.Response:
        return self.json_response({})

    return type("ItemsPath", (ApiPath,), {"get": decorator(get), "path_schema": path_schema})


MISTAKES = [
    (
        "/items",
        view_with(op(response_schema=Broken)),
        "ItemsPath.get: response_schema Broken: field Broken.owner: openapi.data does not "
        "support the type",
    ),
    (
        "/items",
        view_with(op(body_schema=int)),
        "ItemsPath.get: body_schema int is not a dataclass or a list of one",
    ),
    (
        "/items",
        view_with(op(body_schema=[Broken])),
        "ItemsPath.get: body_schema list[Broken]: field Broken.owner",
    ),
    (
        "/items",
        view_with(op(response_schema=[Task, Task])),
        "ItemsPath.get: response_schema [Task, Task] is not a dataclass or a list of one",
    ),
    (
        "/items",
        view_with(op(query_schema=dict)),
        "ItemsPath.get: query_schema dict is not a dataclass",
    ),
    (
        "/items/{id}",
        view_with(op(), path_schema=ItemPath),
        "ItemsPath: path variable {id} of /items/{id} has no field in path_schema ItemPath",
    ),
]


@pytest.mark.parametrize(("path", "view", "message"), MISTAKES)
async def test_a_mistake_stops_startup(
    aiohttp_client: AiohttpClient, path: str, view: type[ApiPath], message: str
) -> None:
    app = web.Application()
    app.router.add_view(path, view)
    renderer = setup(app, title="T", version="1")
    with pytest.raises(InvalidSpecError) as raised:
        await aiohttp_client(app)
    assert str(raised.value).startswith(message), str(raised.value)
    # the same message for `openapi-cli spec`, which builds the document
    with pytest.raises(InvalidSpecError) as raised:
        renderer.document()
    assert str(raised.value).startswith(message)


async def test_private_views_are_checked_too(aiohttp_client: AiohttpClient) -> None:
    view = view_with(op(response_schema=Broken))
    view.private = True
    app = web.Application()
    app.router.add_view("/hidden", view)
    setup(app, title="T", version="1")
    with pytest.raises(InvalidSpecError, match="ItemsPath.get: response_schema Broken"):
        await aiohttp_client(app)


async def test_right_declarations_start(aiohttp_client: AiohttpClient) -> None:
    app = web.Application()
    app.router.add_view(
        "/items/{name}",
        view_with(op(response_schema=[Task], body_schema=list[int]), ItemPath),
    )
    setup(app, title="T", version="1")
    client = await aiohttp_client(app)
    assert (await client.get("/items/x")).status == 200
