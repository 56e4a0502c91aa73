"""A small in-memory task API used by the openapi-spec tests (spec, errors, docs, fuzzing)."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from types import SimpleNamespace
from typing import Annotated, Any, ClassVar

import pytest
from aiohttp import web
from openapi.data import fields
from openapi.data.markers import Description, Ge, Le, MaxLength, MinLength
from openapi.data.validate import validated_schema
from openapi.spec import ApiError, ApiPath, NotFound, UnprocessableEntity, op, setup

# Required fields use Annotated types without a default: a ``*_field(required=True)``
# field defaults to None, hence accepts null (see the contracts' Changes).


@dataclass
class Owner:
    """Who owns a task."""

    name: Annotated[str, MinLength(1), MaxLength(64), Description("Owner name")]
    email: str | None = fields.email_field(description="Owner email")


@dataclass
class Task:
    """A task."""

    id: Annotated[uuid.UUID, Description("Task ID")]
    title: Annotated[str, MaxLength(64), Description("Task title")]
    done: Annotated[bool, Description("Done flag")]
    severity: Annotated[int, Ge(0), Le(5), Description("Task severity")]
    created: Annotated[datetime, Description("Creation time")]
    tags: list[str] = fields.data_field(default_factory=list, description="Task tags")
    owner: Owner | None = fields.data_field(description="Task owner")
    due: date | None = fields.date_field(description="Due date")


@dataclass
class TaskAdd:
    """The data of a new task."""

    title: Annotated[str, MaxLength(64), Description("Task title")]
    severity: Annotated[int, Ge(0), Le(5), Description("Severity")] = 0
    tags: list[str] = fields.data_field(default_factory=list, description="Task tags")
    owner: Owner | None = fields.data_field(description="Task owner")
    due: date | None = fields.date_field(description="Due date")


@dataclass
class TaskUpdate:
    """Fields to change in a task."""

    title: Annotated[str, MaxLength(64), Description("Task title")] = ""
    done: Annotated[bool, Description("Done flag")] = False
    severity: Annotated[int, Ge(0), Le(5), Description("Severity")] = 0


@dataclass
class TaskQuery:
    """Filters for the task list."""

    __openapi_response_headers__: ClassVar[dict[str, dict[str, Any]]] = {
        "X-Total-Count": {
            "description": "Number of tasks matching the filters",
            "schema": {"type": "integer"},
        }
    }

    title: str = fields.str_field(description="Task title")
    severity: int = fields.integer_field(
        min_value=0, max_value=5, ops=("lt", "le", "gt", "ge", "ne"), description="Task severity"
    )
    tag: list[str] = fields.data_field(description="Tasks carrying any of these tags")
    limit: int = fields.integer_field(
        min_value=1, max_value=100, default=25, description="Maximum number of tasks"
    )


@dataclass
class TaskPathSchema:
    id: uuid.UUID = fields.uuid_field(required=True, description="Task ID")


class TaskStore:
    def __init__(self) -> None:
        self.tasks: dict[uuid.UUID, dict[str, Any]] = {}

    def get(self, task_id: uuid.UUID) -> dict[str, Any]:
        task = self.tasks.get(task_id)
        if task is None:
            raise NotFound("Task not found")
        return task


STORE = web.AppKey("store", TaskStore)
_FILTERS: dict[str, Callable[[int, int], bool]] = {
    "severity": lambda a, b: a == b,
    "severity:lt": lambda a, b: a < b,
    "severity:le": lambda a, b: a <= b,
    "severity:gt": lambda a, b: a > b,
    "severity:ge": lambda a, b: a >= b,
    "severity:ne": lambda a, b: a != b,
}


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


class TasksPath(ApiPath):
    """
    ---
    summary: Tasks
    tags:
        - name: Task
          description: Everything about tasks
    """

    @op(query_schema=TaskQuery, response_schema=list[Task])
    async def get(self) -> web.Response:
        """
        ---
        summary: List tasks
        description: Tasks matching every filter given
        responses:
            200:
                description: The tasks
        """
        filters = self.get_filters()
        tasks = list(self.request.app[STORE].tasks.values())
        if "title" in filters:
            tasks = [t for t in tasks if t["title"] in _as_list(filters["title"])]
        if "tag" in filters:
            wanted = set(filters["tag"])
            tasks = [t for t in tasks if wanted.intersection(t["tags"])]
        for key, test in _FILTERS.items():
            if key in filters:
                values = _as_list(filters[key])
                tasks = [t for t in tasks if any(test(t["severity"], v) for v in values)]
        total = len(tasks)
        data = self.dump(list[Task], tasks[: filters.get("limit", 25)])
        return self.json_response(data, headers={"X-Total-Count": str(total)})

    @op(body_schema=TaskAdd, response_schema=Task, response=201)
    async def post(self) -> web.Response:
        """
        ---
        summary: Create a task
        description: Add a new task
        responses:
            201:
                description: The new task
        """
        data = self.insert_data(await self.json_data())
        task = {
            "id": uuid.uuid4(),
            "done": False,
            "severity": 0,
            "tags": [],
            "owner": None,
            "due": None,
            "created": datetime.now(UTC),
            **data,
        }
        self.request.app[STORE].tasks[task["id"]] = task
        return self.json_response(self.dump(Task, task), status=201)


class TaskPath(ApiPath):
    """
    ---
    summary: One task
    tags:
        - Task
    """

    path_schema = TaskPathSchema

    @op(response_schema=Task)
    async def get(self) -> web.Response:
        """
        ---
        summary: Get a task
        description: The task with this ID
        """
        task = self.request.app[STORE].get(self.path_values()["id"])
        return self.json_response(self.dump(Task, task))

    @op(body_schema=TaskUpdate, response_schema=Task)
    async def patch(self) -> web.Response:
        """
        ---
        summary: Update a task
        description: Change some fields of a task
        """
        task = self.request.app[STORE].get(self.path_values()["id"])
        data = self.insert_data(await self.json_data(), strict=False)
        task.update(data)
        return self.json_response(self.dump(Task, task))

    @op(response=204)
    async def delete(self) -> web.Response:
        """
        ---
        summary: Delete a task
        description: Remove the task with this ID
        responses:
            204:
                description: Deleted
        """
        self.request.app[STORE].get(self.path_values()["id"])
        del self.request.app[STORE].tasks[self.path_values()["id"]]
        return web.Response(status=204)


class Teapot(ApiError):
    status = 418


class ErrorsPath(ApiPath):
    """Raises errors on demand (kept out of the document).
    ---
    private: true
    """

    async def get(self) -> web.Response:
        kind = self.request.match_info["kind"]
        if kind == "teapot":
            raise Teapot("short and stout", headers={"X-Pot": "tea"})
        if kind == "crash":
            raise RuntimeError("secret internals")
        if kind == "http":
            raise web.HTTPForbidden(reason="Go away")
        if kind == "invalid":
            self.raise_validation_error("Bad things", [{"field": "a", "message": "wrong"}])
        if kind == "data":
            validated_schema(TaskAdd, {"severity": 9})
        if kind == "unprocessable":
            raise UnprocessableEntity(errors=[{"field": "x", "message": "bad x"}])
        if kind == "plain":
            return web.Response(status=409, text="conflict in plain text")
        return self.json_response({"kind": kind})


def create_app(**options: Any) -> web.Application:
    app = web.Application()
    app[STORE] = TaskStore()
    app.router.add_view("/tasks", TasksPath)
    app.router.add_view("/tasks/{id}", TaskPath)
    app.router.add_view("/errors/{kind}", ErrorsPath)
    options.setdefault("title", "Task API")
    options.setdefault("version", "1.0.0")
    setup(app, **options)
    return app


@pytest.fixture(scope="session")
def task_models() -> SimpleNamespace:
    """The test application's dataclasses (test modules cannot import conftest)."""
    return SimpleNamespace(
        Owner=Owner,
        Task=Task,
        TaskAdd=TaskAdd,
        TaskUpdate=TaskUpdate,
        TaskQuery=TaskQuery,
        TaskPathSchema=TaskPathSchema,
    )


@pytest.fixture(scope="session")
def task_app_factory() -> Callable[..., web.Application]:
    return create_app


@pytest.fixture
def task_app() -> web.Application:
    return create_app()
