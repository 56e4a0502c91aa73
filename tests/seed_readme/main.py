"""The seed's README application, written as its users wrote it (one module).

`python main.py db --help`, `python main.py db upgrade`, `python main.py serve`: the
integration test copies this file to a fresh directory and drives it that way.
"""

import os
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

import sqlalchemy as sa
from aiohttp import web
from openapi.data import fields
from openapi.db import get_db
from openapi.db.commands import db
from openapi.db.pagination import offsetPagination, searchable
from openapi.db.path import SqlApiPath
from openapi.rest import rest
from openapi.spec import op
from openapi.ws import Publish, Sockets, Subscribe, WsPath

routes = web.RouteTableDef()


def create_app():
    return rest(
        openapi=dict(title="A REST API", version="1.0.0", description="Tasks, as in the seed"),
        base_path="/v1",
        allowed_tags=["Task"],
        validate_docs=True,
        setup_app=setup_app,
        commands=[db],
    )


def setup_app(app: web.Application) -> None:
    database = get_db(app)
    if database is not None:
        sa.Table(
            "tasks",
            database.metadata,
            sa.Column("id", sa.Uuid, primary_key=True, server_default=sa.text("gen_random_uuid()")),
            sa.Column("title", sa.String(64), nullable=False),
            sa.Column("done", sa.Boolean, nullable=False, server_default=sa.false()),
            sa.Column("severity", sa.Integer),
            sa.Column("created", sa.DateTime(timezone=True), server_default=sa.func.now()),
        )
    app["migrations_dir"] = os.path.join(os.getcwd(), "migrations")
    app["web_sockets"] = Sockets(app)
    app.router.add_routes(routes)


@dataclass
class Task:
    """A task"""

    id: UUID = fields.uuid_field(required=True, description="Task ID")
    title: str = fields.str_field(required=True, description="Task title")
    done: bool = fields.bool_field(required=True, description="Done flag")
    severity: int | None = fields.integer_field(description="Task severity")
    created: datetime = fields.date_time_field(description="Creation time")


@dataclass
class TaskAdd:
    """A new task"""

    title: str = fields.str_field(required=True, min_length=3, description="Task title")
    severity: int | None = fields.integer_field(
        min_value=0, max_value=5, description="Task severity"
    )


@dataclass
class TaskQuery:
    done: bool = fields.bool_field(description="Done flag")
    severity: int = fields.integer_field(ops=("lt", "le", "gt", "ge"), description="Severity")


@dataclass
class TaskOrderableQuery(TaskQuery, offsetPagination("title", "-severity"), searchable("title")):
    pass


@dataclass
class TaskPathSchema:
    id: UUID = fields.uuid_field(required=True, description="Task ID")


@routes.view("/tasks")
class TasksPath(SqlApiPath):
    """
    ---
    summary: Create and query tasks
    tags:
        - name: Task
          description: Things to do
    """

    table = "tasks"

    @op(query_schema=TaskOrderableQuery, response_schema=[Task])
    async def get(self):
        """
        ---
        summary: Retrieve tasks
        description: Retrieve a page of tasks
        responses:
            200:
                description: A page of tasks
        """
        paginated = await self.get_list()
        return paginated.json_response()

    @op(body_schema=TaskAdd, response_schema=Task, response=201)
    async def post(self):
        """
        ---
        summary: Create a task
        description: Create a new task and announce it
        responses:
            201:
                description: The task was added
            422:
                description: Failed validation
        """
        data = await self.create_one()
        await self.request.app["web_sockets"].publish("tasks", "created", data)
        return self.json_response(data, status=201)


@routes.view("/tasks-bulk")
class TasksBulkPath(SqlApiPath):
    """
    ---
    summary: Many tasks at once
    tags:
        - Task
    """

    table = "tasks"

    @op(body_schema=[TaskAdd], response_schema=[Task], response=201)
    async def post(self):
        """
        ---
        summary: Create tasks
        description: Create several tasks, all or none
        responses:
            201:
                description: The tasks were added
        """
        data = await self.create_list()
        return self.json_response(data, status=201)


@routes.view("/tasks/{id}")
class TaskPath(SqlApiPath):
    """
    ---
    summary: One task
    tags:
        - Task
    """

    table = "tasks"
    path_schema = TaskPathSchema

    @op(response_schema=Task)
    async def get(self):
        """
        ---
        summary: Retrieve a task
        description: Retrieve a task by ID
        responses:
            200:
                description: The task
            404:
                description: No such task
        """
        data = await self.get_one()
        return self.json_response(data)


@routes.view("/admin/stats")
class StatsPath(SqlApiPath):
    """
    ---
    summary: Not in allowed_tags
    tags:
        - name: Admin
          description: Internal
    """

    table = "tasks"

    @op()
    async def get(self):
        """
        ---
        summary: Count tasks
        description: Served, but not documented
        responses:
            200:
                description: Counts
        """
        return self.json_response({"tasks": await self.db.db_count(self.db_table, {})})


@routes.view("/stream")
class Stream(WsPath, Subscribe, Publish):
    """Websocket RPC and pub/sub"""


if __name__ == "__main__":
    create_app().main()
