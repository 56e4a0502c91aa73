"""REST endpoints of the example application."""

from __future__ import annotations

import csv
import io
import logging
from collections.abc import AsyncIterator
from typing import Any

from aiohttp import web
from openapi.data.validate import validate
from openapi.db.path import SqlApiPath
from openapi.spec import (
    NDJSON_MEDIA_TYPE,
    SSE_MEDIA_TYPE,
    ApiPath,
    ServerSentEvent,
    UnprocessableEntity,
    event_stream_response,
    op,
)
from openapi.ws import CannotPublish

from .models import (
    Event,
    EventAdd,
    EventFilters,
    EventQuery,
    Task,
    TaskAdd,
    TaskBulkUpdateQuery,
    TaskDeleteQuery,
    TaskEventsQuery,
    TaskExportQuery,
    TaskImport,
    TaskPathSchema,
    TaskQuery,
    TaskUpdate,
)
from .ws import TASKS

logger = logging.getLogger(__name__)
routes = web.RouteTableDef()


async def announce(request: web.Request, event: str, task: dict[str, Any]) -> None:
    """Publish ``event`` on the ``tasks`` channel (``TASKS`` declares its events)."""
    sockets = request.app.get("web_sockets")
    if sockets is not None:
        try:
            await sockets.publish(TASKS.name, event, task)
        except CannotPublish:
            # the task is stored: a missed announcement must not turn that into an error
            logger.warning("task %s %s but not announced", task["id"], event, exc_info=True)


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

    @op(query_schema=TaskQuery, response_schema=list[Task])
    async def get(self) -> web.Response:
        """
        ---
        summary: List tasks
        description: Tasks matching the filters, a page at a time
        responses:
            200:
                description: A page of tasks
        """
        paginated = await self.get_list()
        return paginated.json_response()

    @op(
        body_schema=TaskAdd,
        response_schema=Task,
        response=201,
        body_examples={
            "minimal": {"title": "Buy milk"},
            "urgent": {"title": "Fix the roof", "severity": 5, "type": "issue"},
        },
    )
    async def post(self) -> web.Response:
        """
        ---
        summary: Create a task
        description: Create a new task and announce it on the `tasks` channel
        responses:
            201:
                description: The task was created
            422:
                description: Invalid data
        """
        data = await self.create_one()
        await announce(self.request, "created", data)
        return self.json_response(data, status=201)

    @op(query_schema=TaskBulkUpdateQuery, body_schema=TaskUpdate, response_schema=list[Task])
    async def patch(self) -> web.Response:
        """
        ---
        summary: Update tasks
        description: Set the body's fields on every task matching the filters. At least
            one filter is required; an unknown query parameter is refused.
        responses:
            200:
                description: The updated tasks
            422:
                description: Invalid data, an unknown query parameter, or no filter
        """
        data = await self.update_list()
        return self.json_response(data)

    @op(query_schema=TaskDeleteQuery)
    async def delete(self) -> web.Response:
        """
        ---
        summary: Delete tasks
        description: Delete every task matching the filters. At least one filter is
            required, so a forgotten or typo'd filter cannot empty the table.
        responses:
            204:
                description: Tasks deleted
            422:
                description: Invalid data, an unknown query parameter, or no filter
        """
        await self.delete_list()
        return web.Response(status=204)


@routes.view("/tasks/import")
class TaskImportPath(SqlApiPath):
    """
    ---
    summary: Tasks created from a file
    tags:
        - Task
    """

    table = "tasks"

    @op(body_schema=TaskImport, response_schema=list[Task], response=201)
    async def post(self) -> web.Response:
        """
        ---
        summary: Import tasks
        description: Create one task per row of an uploaded CSV file, all or none
        responses:
            201:
                description: The tasks created
        """
        form = self.insert_data(await self.body_data())
        try:
            # the body limit (1 MiB) bounds the file: read whole, parsed as CSV
            rows = list(csv.DictReader(io.StringIO(form["file"].read().decode("utf-8"))))
        except (UnicodeDecodeError, csv.Error) as exc:
            raise UnprocessableEntity(errors=[{"field": "file", "message": str(exc)}]) from None
        tasks, errors = [], []
        for line, row in enumerate(rows, start=2):
            values = {key: value for key, value in row.items() if key and value}
            values.setdefault("done", form.get("done", False))
            result = validate(TaskAdd, values, multiple=True)
            errors.extend(
                {"field": f"file.{line}.{e['field']}", "message": e["message"]}
                for e in result.errors
            )
            tasks.append(result.data)
        if errors or not tasks:
            raise UnprocessableEntity(errors=errors or [{"field": "file", "message": "no rows"}])
        data = await self.create_list(data=tasks)
        for task in data:
            await announce(self.request, "created", task)
        return self.json_response(data, status=201)


@routes.view("/tasks/export")
class TaskExportPath(SqlApiPath):
    """
    ---
    summary: Every task as a stream
    tags:
        - Task
    """

    table = "tasks"

    @op(query_schema=TaskExportQuery, response_schema=Task, response_media_type=NDJSON_MEDIA_TYPE)
    async def get(self) -> web.StreamResponse:
        """Export tasks

        Every task matching the filters, one JSON document a line, read from the
        database a chunk at a time.
        """
        return await self.stream_list()


@routes.view("/tasks/events")
class TaskEventsPath(ApiPath):
    """
    ---
    summary: Task events as server-sent events
    tags:
        - Task
    """

    @op(query_schema=TaskEventsQuery, response_schema=Task, response_media_type=SSE_MEDIA_TYPE)
    async def get(self) -> web.StreamResponse:
        """Follow tasks

        The events of the `tasks` channel (`created`, `updated`...) as they are
        published, the task as data, with a heartbeat comment between them.
        """
        query = self.get_filters()
        sockets = self.request.app["web_sockets"]

        async def events() -> AsyncIterator[ServerSentEvent]:
            listening = sockets.listen(TASKS.name)
            try:
                async for event, task in listening:
                    yield ServerSentEvent(task, event=event, id=str(task.get("id", "")))
            finally:
                await listening.aclose()

        return await event_stream_response(self.request, events(), heartbeat=query["heartbeat"])


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
    async def get(self) -> web.Response:
        """
        ---
        summary: Get a task
        responses:
            200:
                description: The task
            404:
                description: No task with this ID
        """
        data = await self.get_one()
        return self.json_response(data)

    @op(body_schema=TaskUpdate, response_schema=Task)
    async def patch(self) -> web.Response:
        """
        ---
        summary: Update a task
        description: Change a task and announce it on the `tasks` channel
        responses:
            200:
                description: The updated task
            404:
                description: No task with this ID
            422:
                description: Invalid data
        """
        data = await self.update_one()
        await announce(self.request, "updated", data)
        return self.json_response(data)

    @op()
    async def delete(self) -> web.Response:
        """
        ---
        summary: Delete a task
        responses:
            204:
                description: Task deleted
            404:
                description: No task with this ID
        """
        await self.delete_one()
        return web.Response(status=204)


@routes.view("/events")
class EventsPath(SqlApiPath):
    """
    ---
    summary: Events, paginated with a cursor
    tags:
        - name: Event
          description: Things that happened
    """

    table = "events"
    # clearing the whole event log is a deliberate operation here
    all_rows = True

    @op(query_schema=EventQuery, response_schema=list[Event])
    async def get(self) -> web.Response:
        """
        ---
        summary: List events
        description: Events by descending score, walked with the cursor of the Link header
        responses:
            200:
                description: A page of events
        """
        paginated = await self.get_list()
        return paginated.json_response()

    @op(body_schema=EventAdd, response_schema=Event, response=201)
    async def post(self) -> web.Response:
        """
        ---
        summary: Record an event
        responses:
            201:
                description: The event was recorded
            422:
                description: Invalid data
        """
        data = await self.create_one()
        return self.json_response(data, status=201)

    @op(query_schema=EventFilters)
    async def delete(self) -> web.Response:
        """
        ---
        summary: Delete events
        description: Delete the events matching the filters; with no filter, every event
            (this path allows it with `all_rows = True`)
        responses:
            204:
                description: Events deleted
        """
        await self.delete_list()
        return web.Response(status=204)
