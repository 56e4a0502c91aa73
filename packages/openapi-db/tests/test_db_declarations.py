"""A SqlApiPath whose query schema names no column stops the application at startup."""

# no "from __future__ import annotations": the schemas below are local classes

import dataclasses
from collections.abc import Callable
from typing import Any

import pytest
import sqlalchemy as sa
from aiohttp import web
from openapi.data import fields
from openapi.db import get_db
from openapi.db.pagination import cursorPagination, offsetPagination, searchable
from openapi.db.path import SqlApiPath
from openapi.spec import SPEC_APP_KEY, InvalidSpecError, op, setup

AiohttpClient = Callable[..., Any]
# never reached: the checks run before the pool opens
UNREACHABLE = "postgresql://nobody@127.0.0.1:9/none"


@dataclasses.dataclass
class Row:
    id: int = fields.integer_field()


def app_with(query_schema: Any, table: str = "items", **methods: Any) -> web.Application:
    async def get(self: SqlApiPath) -> web.Response:
        return (await self.get_list()).json_response()

    view = type(
        "ItemsPath",
        (SqlApiPath,),
        {"table": table, "get": op(query_schema=query_schema, response_schema=[Row])(get)},
    )
    for name, method in methods.items():
        setattr(view, name, method)
    app = web.Application()
    setup(app, title="T", version="1")
    db = get_db(app, UNREACHABLE)
    assert db is not None
    id_column = sa.Column("id", sa.Integer, primary_key=True)
    sa.Table("items", db.metadata, id_column, sa.Column("name", sa.Text))
    app.router.add_view("/items", view)
    return app


@dataclasses.dataclass
class WrongOrder(offsetPagination("name", "-nmae")):
    pass


@dataclasses.dataclass
class WrongCursor(cursorPagination("-created")):
    pass


@dataclasses.dataclass
class WrongSearch(searchable("title")):
    pass


@dataclasses.dataclass
class WrongFilter(offsetPagination("id"), searchable("name")):
    name: str = fields.str_field()
    owner: str = fields.str_field()


MISTAKES = [
    (WrongOrder, "order_by field 'nmae' is not a column of table 'items'"),
    (WrongCursor, "order_by field 'created' is not a column of table 'items'"),
    (WrongSearch, "search field 'title' is not a column of table 'items'"),
    (WrongFilter, "filter field 'owner' is not a column of table 'items'"),
]


@pytest.mark.parametrize(("schema", "message"), MISTAKES)
async def test_a_field_naming_no_column_stops_startup(
    aiohttp_client: AiohttpClient, schema: Any, message: str
) -> None:
    with pytest.raises(InvalidSpecError) as raised:
        await aiohttp_client(app_with(schema))
    assert str(raised.value).startswith(f"ItemsPath.get: query_schema {schema.__name__}: ")
    assert message in str(raised.value)


async def test_a_missing_table_stops_startup(aiohttp_client: AiohttpClient) -> None:
    with pytest.raises(InvalidSpecError, match="ItemsPath: no table 'itemz' in the database"):
        await aiohttp_client(app_with(None, table="itemz"))


def test_a_custom_filter_method_is_a_column_enough() -> None:
    def filter_owner(self: SqlApiPath, op: str, value: Any) -> Any:
        return sa.true()

    app = app_with(WrongFilter, filter_owner=filter_owner)
    assert "/items" in app[SPEC_APP_KEY].document()["paths"]


async def test_a_path_variable_without_path_schema_stops_startup(
    aiohttp_client: AiohttpClient,
) -> None:
    # without a path schema {pid} would filter nothing: a collection DELETE on
    # /projects/1/items?name=x would delete the matching items of every project
    async def delete(self: SqlApiPath) -> web.Response:
        await self.delete_list()
        return web.Response(status=204)

    @dataclasses.dataclass
    class NameQuery:
        name: str | None = fields.str_field()

    view = type(
        "ProjectItemsPath",
        (SqlApiPath,),
        {"table": "items", "delete": op(query_schema=NameQuery)(delete)},
    )
    app = app_with(None)
    app.router.add_view("/projects/{pid}/items", view)
    with pytest.raises(InvalidSpecError) as raised:
        await aiohttp_client(app)
    assert str(raised.value) == (
        "ProjectItemsPath: path /projects/{pid}/items has variables ({pid}) but the view "
        "has no path_schema; declare one (a dataclass with a field per variable) so they "
        "filter the rows, else its methods would act on the rows of every pid"
    )
