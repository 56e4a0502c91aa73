"""Test applications of the openapi-spec tests: an in-memory task API and an echo of every
field type, plus a thread serving an application on 127.0.0.1 (spec, errors, docs, fuzzing)."""

from __future__ import annotations

import asyncio
import dataclasses
import enum
import os
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from types import SimpleNamespace
from typing import Annotated, Any, ClassVar, Literal, NewType, TypedDict

import pytest
from aiohttp import web
from openapi.data import fields
from openapi.data.markers import Description, Ge, Le, MaxLength, MinLength, Pattern
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


# --- every supported field type (an echo application)


class Color(enum.Enum):
    red = "red"
    green = "green"


class Level(enum.IntEnum):
    low = 1
    high = 2


UserId = NewType("UserId", int)


class Point(TypedDict):
    x: float
    y: float


@dataclass
class Node:
    """A recursive tree node."""

    value: int = fields.integer_field(required=True, description="Value")
    children: list[Node] = fields.data_field(default_factory=list, description="Children")


@dataclass
class Cat:
    kind: Literal["cat"]
    lives: int


@dataclass
class Dog:
    kind: Literal["dog"]
    good: bool


@dataclass
class Everything:
    """Every field type openapi.data supports."""

    text: str = fields.str_field(min_length=1, max_length=10, description="Text")
    pattern: str = fields.str_field(pattern="^[a-z]+$", description="Lowercase")
    flag: bool = fields.bool_field(description="Flag")
    ident: str = fields.uuid_field(description="UUID as str")
    uid: uuid.UUID | None = fields.data_field(description="UUID")
    number: float = fields.number_field(min_value=-1, max_value=1, description="Number")
    integer: int = fields.integer_field(min_value=0, description="Integer")
    decimal: Decimal = fields.decimal_field(description="Decimal")
    email: str = fields.email_field(description="Email")
    color: Color = fields.enum_field(Color, description="Color")
    level: Level | None = fields.data_field(description="Level")
    day: date = fields.date_field(description="Day")
    moment: datetime = fields.date_time_field(description="Moment")
    aware: datetime = fields.date_time_field(timezone=True, description="Aware moment")
    clock: time | None = fields.data_field(description="Time")
    duration: timedelta | None = fields.data_field(description="Duration")
    blob: Any = fields.json_field(description="Any JSON")
    literal: Literal["a", "b"] = fields.data_field(default="a", description="Literal")
    optional: int | None = fields.data_field(description="Optional int")
    union: int | str = fields.data_field(default=0, description="Union")
    pet: Cat | Dog | None = fields.data_field(description="Tagged union")
    names: list[str] = fields.data_field(default_factory=list, description="List")
    pair: tuple[int, str] | None = fields.data_field(description="Pair")
    numbers: tuple[int, ...] = fields.data_field(default=(), description="Tuple")
    unique: set[int] = fields.data_field(default_factory=set, description="Set")
    frozen: frozenset[str] = fields.data_field(default=frozenset(), description="Frozenset")
    mapping: dict[str, Decimal] = fields.data_field(default_factory=dict, description="Map")
    node: Node | None = fields.data_field(description="Nested recursive dataclass")
    point: Point | None = fields.data_field(description="TypedDict")
    user: UserId = fields.data_field(default=UserId(0), description="NewType")
    short: Annotated[str, MinLength(2), MaxLength(4), Description("Short")] = "ab"
    lowered: Annotated[str, Pattern("^[a-z]*$")] = ""
    ranged: Annotated[int, Ge(1), Le(9)] = 1
    items: list[Annotated[int, Ge(0)]] = dataclasses.field(default_factory=list)


@dataclass
class EverythingQuery:
    text: str = fields.str_field(max_length=10, description="Text")
    color: Color = fields.enum_field(Color, description="Color")
    moment: datetime = fields.date_time_field(ops=("gt", "lt"), description="Moment")
    day: date = fields.date_field(ops=("ge",), description="Day")
    number: Decimal = fields.decimal_field(ops=("le",), description="Amount")
    flag: bool = fields.bool_field(description="Flag")
    ids: list[uuid.UUID] = fields.data_field(description="IDs")


@dataclass
class EverythingPathSchema:
    key: int = fields.integer_field(required=True, min_value=1, description="Key")


class EverythingPath(ApiPath):
    """
    ---
    tags:
        - name: Everything
          description: All the types
    """

    path_schema = EverythingPathSchema

    @op(query_schema=EverythingQuery, response_schema=list[Everything])
    async def get(self) -> web.Response:
        """
        ---
        summary: List
        description: List everything
        """
        self.get_filters()  # validates the query and the path
        return self.json_response([])

    @op(body_schema=Everything, response_schema=Everything, response=201)
    async def post(self) -> web.Response:
        """
        ---
        summary: Create
        description: Echo the validated body
        """
        data = self.insert_data(await self.json_data())
        return self.json_response(self.dump(Everything, data), status=201)

    @op(body_schema=dict[str, Any], response_schema=dict[str, list[Everything]])
    async def put(self) -> web.Response:
        """
        ---
        summary: Replace
        description: Accept any object
        """
        self.path_values()
        self.insert_data(await self.json_data())
        return self.json_response({})


class ServerThread:
    """An aiohttp application served on 127.0.0.1 from a thread with its own loop."""

    def __init__(self, app: web.Application) -> None:
        self.app = app
        self.loop = asyncio.new_event_loop()
        self.started = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.port = 0

    def _run(self) -> None:
        asyncio.set_event_loop(self.loop)
        runner = web.AppRunner(self.app, access_log=None)
        self.loop.run_until_complete(runner.setup())
        site = web.TCPSite(runner, "127.0.0.1", 0)
        self.loop.run_until_complete(site.start())
        self.port = runner.addresses[0][1]
        self.runner = runner
        self.started.set()
        self.loop.run_forever()
        self.loop.run_until_complete(runner.cleanup())
        self.loop.close()

    def __enter__(self) -> str:
        self.thread.start()
        assert self.started.wait(10), "server did not start"
        return f"http://127.0.0.1:{self.port}"

    def __exit__(self, *exc: Any) -> None:
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(10)


@pytest.fixture(scope="session")
def server_thread() -> type[ServerThread]:
    """``with server_thread(app) as url``: ``app`` served on 127.0.0.1 from a thread."""
    return ServerThread


@pytest.fixture(scope="session")
def everything_models() -> SimpleNamespace:
    """The every-field-type dataclasses and their echo view."""
    return SimpleNamespace(
        Everything=Everything,
        EverythingQuery=EverythingQuery,
        EverythingPath=EverythingPath,
    )


def create_everything_app() -> web.Application:
    app = web.Application()
    app.router.add_view("/everything/{key}", EverythingPath)
    setup(app, title="Every field type", version="1.0.0", validate_docs=False)
    return app


@pytest.fixture(scope="session")
def everything_app_factory() -> Callable[[], web.Application]:
    return create_everything_app


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


CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture
def chromium_options() -> dict[str, Any]:
    """Keyword arguments of ``playwright.chromium.launch`` for Debian's Chromium; skips
    without it, except in CI where it is installed."""
    if not os.path.exists(CHROMIUM):
        if os.environ.get("CI"):
            pytest.fail(f"chromium is required in CI, not found at {CHROMIUM}")
        pytest.skip("chromium is not installed")
    return {"executable_path": CHROMIUM, "args": CHROMIUM_ARGS}
