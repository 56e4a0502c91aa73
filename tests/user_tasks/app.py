"""A Tasks API written the way a user writes one from the READMEs, not the example: plain
dataclasses for the path and the filters (no ranges), an ``id: int`` path over an
INTEGER primary key, an ``integer_field`` filter over an INTEGER column, a unique title,
bodies and responses from ``dataclass_from_table``."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from aiohttp import web
from openapi.data import fields
from openapi.db import dataclass_from_table, get_db
from openapi.db.path import SqlApiPath
from openapi.spec import op, setup

metadata = sa.MetaData()
tasks = sa.Table(
    "user_tasks",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("title", sa.Text, nullable=False, unique=True),
    sa.Column("done", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("severity", sa.Integer),
)

Task = dataclass_from_table("Task", tasks, row=True)
TaskAdd = dataclass_from_table("TaskAdd", tasks, required=True, exclude=("id",))
TaskUpdate = dataclass_from_table("TaskUpdate", tasks, exclude=("id",))


@dataclass
class TaskQuery:
    done: bool | None = fields.bool_field(description="Done or not")
    severity: int | None = fields.integer_field(ops=("lt", "gt"), description="Severity")


@dataclass
class TaskId:
    id: int


routes = web.RouteTableDef()


@routes.view("/tasks")
class TasksPath(SqlApiPath):
    table = "user_tasks"

    @op(query_schema=TaskQuery, response_schema=list[Task])
    async def get(self) -> web.Response:
        paginated = await self.get_list()
        return paginated.json_response()

    @op(body_schema=TaskAdd, response_schema=Task, response=201)
    async def post(self) -> web.Response:
        data = await self.create_one()
        return self.json_response(data, status=201)


@routes.view("/tasks/{id}")
class TaskPath(SqlApiPath):
    table = "user_tasks"
    path_schema = TaskId

    @op(response_schema=Task)
    async def get(self) -> web.Response:
        return self.json_response(await self.get_one())

    @op(body_schema=TaskUpdate, response_schema=Task)
    async def patch(self) -> web.Response:
        return self.json_response(await self.update_one())

    @op(response=204)
    async def delete(self) -> web.Response:
        await self.delete_one()
        return web.Response(status=204)


def create_app(datastore: str) -> web.Application:
    app = web.Application()
    setup(app, title="Tasks", version="1.0.0", docs_path=None)
    get_db(app, datastore, metadata=metadata)
    app.router.add_routes(routes)
    return app
