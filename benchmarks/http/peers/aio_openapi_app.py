"""The benchmark's Tasks API on aio-openapi 3.2.1 (PyPI), run from its own virtualenv.

    python aio_openapi_app.py --port PORT     (DATASTORE names the database)

Written the way that release's docs and example application do it: rest(), get_db(),
SqlApiPath with @op and dataclass schemas. Its pool is SQLAlchemy's async engine over
asyncpg: pool_size=DBPOOL_MAX_SIZE, max_overflow=DBPOOL_MAX_OVERFLOW (the driver sets
10 and 0). One process, the default asyncio event loop, no access log.
"""

import argparse
import os
from dataclasses import dataclass
from datetime import datetime
from typing import List

import sqlalchemy as sa
from aiohttp import web
from openapi.data import fields
from openapi.db import get_db
from openapi.db.path import SqlApiPath
from openapi.pagination import offsetPagination
from openapi.rest import rest
from openapi.spec import op


def add_tables(metadata):
    sa.Table(
        "tasks",
        metadata,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("title", sa.String(64), nullable=False),
        sa.Column("severity", sa.SmallInteger, nullable=False),
        sa.Column("done", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column(
            "created",
            sa.DateTime(timezone=True),
            nullable=False,
            server_default=sa.func.now(),
        ),
    )


@dataclass
class Task:
    id: int = fields.integer_field(required=True, description="Task ID")
    title: str = fields.str_field(required=True, max_length=64, description="Title")
    severity: int = fields.integer_field(required=True, min_value=0, max_value=5)
    done: bool = fields.bool_field(required=True, description="Done flag")
    created: datetime = fields.date_time_field(required=True, timezone=True)


@dataclass
class TaskAdd:
    title: str = fields.str_field(required=True, min_length=1, max_length=64)
    severity: int = fields.integer_field(required=True, min_value=0, max_value=5)
    done: bool = fields.bool_field(default=False)


@dataclass
class TaskQuery(offsetPagination("id", default_limit=25)):
    done: bool = fields.bool_field(description="Done or not")


@dataclass
class TaskPathSchema:
    id: int = fields.integer_field(required=True, description="Task ID")


routes = web.RouteTableDef()


@routes.view("/tasks")
class TasksPath(SqlApiPath):
    """
    ---
    summary: Tasks
    """

    table = "tasks"

    @op(query_schema=TaskQuery, response_schema=List[Task])
    async def get(self):
        """
        ---
        summary: List tasks
        responses:
            200:
                description: A page of tasks
        """
        paginated = await self.get_list()
        return paginated.json_response()

    @op(body_schema=TaskAdd, response_schema=Task)
    async def post(self):
        """
        ---
        summary: Create a task
        responses:
            201:
                description: Created
        """
        data = await self.create_one()
        return self.json_response(data, status=201)


@routes.view("/tasks/{id}")
class TaskPath(SqlApiPath):
    """
    ---
    summary: One task
    """

    table = "tasks"
    path_schema = TaskPathSchema

    @op(response_schema=Task)
    async def get(self):
        """
        ---
        summary: Get a task
        responses:
            200:
                description: The task
        """
        data = await self.get_one()
        return self.json_response(data)


def setup_app(app):
    db = get_db(app, os.environ["DATASTORE"])
    add_tables(db.metadata)
    app.router.add_routes(routes)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args()
    cli = rest(openapi=dict(title="Tasks benchmark", version="1.0.0"), setup_app=setup_app)
    app = cli.get_serve_app()
    web.run_app(app, host="127.0.0.1", port=args.port, access_log=None, print=None)


if __name__ == "__main__":
    main()
