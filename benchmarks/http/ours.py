"""The benchmark's Tasks API written with this project (run from the bench env).

    python benchmarks/http/ours.py --port PORT     (DATASTORE names the database)

GET /tasks?done=false&limit=25 (offset pagination ordered by id: X-Total-Count and
Link headers; ``total="exact"``, the page and its total in one query as the peers do,
where the default capped total takes a second query), GET /tasks/{id}, POST /tasks
(title at most 64 characters, severity
0..5, done a boolean). One process, no access log, a pool of DBPOOL_MAX_SIZE
connections (the driver sets 10); ``--loop uvloop`` or ``asyncio``, handed to
``openapi-cli serve --loop``.
``--observe all`` turns on Prometheus metrics and OpenTelemetry tracing (every span
sampled, batched and handed to an exporter that drops them: the cost of everything but
the network), ``--observe metrics`` or ``--observe tracing`` one of them, to measure what
they cost.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from aiohttp import web
from openapi.cli import OpenApiClient, rest
from openapi.data import fields
from openapi.db import get_db
from openapi.db.pagination import offsetPagination
from openapi.db.path import SqlApiPath
from openapi.spec import op
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor, SpanExporter, SpanExportResult


def add_tables(metadata: sa.MetaData) -> None:
    sa.Table(
        "tasks",
        metadata,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("title", sa.String(64), nullable=False),
        sa.Column("severity", sa.SmallInteger, nullable=False),
        sa.Column("done", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column(
            "created", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()
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
class TaskQuery(offsetPagination("id", default_limit=25, total="exact")):
    done: bool = fields.bool_field(description="Done or not")


@dataclass
class TaskPathSchema:
    id: int = fields.integer_field(required=True, description="Task ID")


routes = web.RouteTableDef()


@routes.view("/tasks")
class TasksPath(SqlApiPath):
    table = "tasks"

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
    table = "tasks"
    path_schema = TaskPathSchema

    @op(response_schema=Task)
    async def get(self) -> web.Response:
        data = await self.get_one()
        return self.json_response(data)


def setup_app(app: web.Application) -> None:
    db = get_db(app)
    if db is not None:
        add_tables(db.metadata)
    app.router.add_routes(routes)


class DroppingExporter(SpanExporter):
    """Takes every batch of spans and sends them nowhere."""

    def export(self, spans: Sequence[ReadableSpan]) -> SpanExportResult:
        return SpanExportResult.SUCCESS


def create_app(observe: str = "none") -> OpenApiClient:
    options: dict[str, Any] = {}
    if observe in ("metrics", "all"):
        options["metrics"] = True
    if observe in ("tracing", "all"):
        provider = TracerProvider()
        provider.add_span_processor(BatchSpanProcessor(DroppingExporter()))
        options["tracing"] = {"tracer_provider": provider}
    return rest(title="Tasks benchmark", version="1.0.0", setup_app=setup_app, **options)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--loop", choices=("asyncio", "uvloop"), default="asyncio")
    parser.add_argument("--workers", type=int, default=1, help="serve --workers")
    parser.add_argument("--observe", choices=("none", "metrics", "tracing", "all"), default="none")
    args = parser.parse_args()
    serve = ["serve", "--host", "127.0.0.1", "--port", str(args.port), "--no-access-log"]
    serve += ["--loop", args.loop, "--workers", str(args.workers)]
    create_app(observe=args.observe).main(serve, standalone_mode=False)


if __name__ == "__main__":
    main()
