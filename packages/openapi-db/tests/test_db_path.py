"""SqlApiPath over HTTP (aiohttp test server) on a real PostgreSQL."""

# no "from __future__ import annotations": schemas below are local classes whose
# annotations must be evaluated where they are defined

import dataclasses
from collections.abc import Callable
from typing import Any

import pytest
import sqlalchemy as sa
from aiohttp import web
from aiohttp.test_utils import TestClient
from openapi.data import fields
from openapi.db import CrudDB, dataclass_from_table
from openapi.db.pagination import offsetPagination, searchable
from openapi.db.path import SqlApiPath
from openapi.spec import op, setup

pytestmark = pytest.mark.filterwarnings("ignore::aiohttp.web.NotAppKeyWarning")

Client = Callable[..., Any]


def build_app(db: CrudDB) -> web.Application:
    tasks = db.tasks
    users = db.users
    TaskKind = tasks.c.kind.type.enum_class

    Task = dataclass_from_table("Task", tasks, row=True)
    TaskAdd = dataclass_from_table(
        "TaskAdd", tasks, required=True, exclude=("id", "created", "uid")
    )
    TaskUpdate = dataclass_from_table("TaskUpdate", tasks, exclude=("id", "created", "uid"))

    @dataclasses.dataclass
    class TaskQuery(offsetPagination("title", "-severity", "id"), searchable("title")):
        title: str | None = fields.str_field()
        done: bool | None = fields.bool_field()
        severity: int | None = fields.integer_field(ops=("lt", "le", "gt", "ge", "ne"))
        kind: TaskKind | None = fields.enum_field(TaskKind)
        owner_id: int | None = fields.integer_field()
        owner_name: str | None = fields.str_field()

    @dataclasses.dataclass
    class TaskPath:
        id: int = fields.integer_field(required=True)

    routes = web.RouteTableDef()

    @routes.view("/tasks")
    class TasksPath(SqlApiPath):
        """
        ---
        summary: Tasks
        tags:
            - Task
        """

        table = "tasks"

        def filter_owner_name(self, op: str, value: Any) -> Any:
            names = value if isinstance(value, list) else [value]
            owners = sa.select(users.c.id).where(users.c.name.in_(names))
            return tasks.c.owner_id.in_(owners.scalar_subquery())

        @op(query_schema=TaskQuery, response_schema=list[Task])
        async def get(self) -> web.Response:
            """
            ---
            summary: List tasks
            responses:
                200:
                    description: Tasks
            """
            paginated = await self.get_list()
            return paginated.json_response()

        @op(body_schema=TaskAdd, response_schema=Task, response=201)
        async def post(self) -> web.Response:
            """
            ---
            summary: Create a task
            responses:
                201:
                    description: Created
            """
            data = await self.create_one()
            return self.json_response(data, status=201)

        @op(query_schema=TaskQuery)
        async def delete(self) -> web.Response:
            """
            ---
            summary: Delete tasks
            responses:
                204:
                    description: Deleted
            """
            await self.delete_list()
            return web.Response(status=204)

    @routes.view("/tasks-bulk")
    class TasksBulkPath(SqlApiPath):
        """
        ---
        summary: Many tasks
        """

        table = "tasks"

        @op(body_schema=list[TaskAdd], response_schema=list[Task], response=201)
        async def post(self) -> web.Response:
            """
            ---
            summary: Create tasks
            responses:
                201:
                    description: Created
            """
            data = await self.create_list()
            return self.json_response(data, status=201)

    @routes.view("/tasks/{id}")
    class TaskOnePath(SqlApiPath):
        """
        ---
        summary: A task
        """

        table = "tasks"
        path_schema = TaskPath

        @op(response_schema=Task)
        async def get(self) -> web.Response:
            """
            ---
            summary: Get a task
            responses:
                200:
                    description: The task
            """
            return self.json_response(await self.get_one())

        @op(body_schema=TaskUpdate, response_schema=Task)
        async def patch(self) -> web.Response:
            """
            ---
            summary: Update a task
            responses:
                200:
                    description: The task
            """
            return self.json_response(await self.update_one())

        @op()
        async def delete(self) -> web.Response:
            """
            ---
            summary: Delete a task
            responses:
                204:
                    description: Deleted
            """
            await self.delete_one()
            return web.Response(status=204)

    @dataclasses.dataclass
    class OwnerPath:
        owner_id: int = fields.integer_field(required=True)

    @dataclasses.dataclass
    class OwnerTaskQuery:
        done: bool | None = fields.bool_field()

    @routes.view("/users/{owner_id}/tasks")
    class OwnerTasksPath(SqlApiPath):
        """
        ---
        summary: The tasks of one owner
        """

        table = "tasks"
        path_schema = OwnerPath

        @op(query_schema=OwnerTaskQuery, response_schema=list[Task])
        async def get(self) -> web.Response:
            """
            ---
            summary: List the owner's tasks
            responses:
                200:
                    description: Tasks
            """
            return (await self.get_list()).json_response()

        @op(query_schema=OwnerTaskQuery)
        async def delete(self) -> web.Response:
            """
            ---
            summary: Delete the owner's tasks matching the query
            responses:
                204:
                    description: Deleted
            """
            await self.delete_list()
            return web.Response(status=204)

    @routes.view("/tasks-done")
    class DoneTasksPath(SqlApiPath):
        """
        ---
        summary: A misconfigured view whose filters match many rows
        """

        table = "tasks"

        @op(body_schema=TaskUpdate, response_schema=Task)
        async def patch(self) -> web.Response:
            """
            ---
            summary: Update "the" done task
            responses:
                200:
                    description: The task
            """
            return self.json_response(await self.update_one(filters={"done": True}))

        @op()
        async def delete(self) -> web.Response:
            """
            ---
            summary: Delete "the" done task
            responses:
                204:
                    description: Deleted
            """
            await self.delete_one(filters={"done": True})
            return web.Response(status=204)

    app = web.Application()
    setup(app, title="Tasks", version="1.0.0", docs_path=None)
    app["db"] = db
    app.router.add_routes(routes)
    return app


@pytest.fixture
async def client(pg_db: CrudDB, aiohttp_client: Client) -> TestClient:
    return await aiohttp_client(build_app(pg_db))  # type: ignore[no-any-return]


def relative(url: Any) -> str:
    """A Link header URL as a path the test client accepts."""
    return str(url.relative())


async def post_tasks(client: TestClient, n: int) -> list[dict[str, Any]]:
    body = [
        {"title": f"task {i}", "severity": i % 3 if i % 4 else None, "done": i % 2 == 0}
        for i in range(n)
    ]
    response = await client.post("/tasks-bulk", json=body)
    assert response.status == 201, await response.text()
    result: list[dict[str, Any]] = await response.json()
    return result


async def test_create_get_update_delete(client: TestClient) -> None:
    response = await client.post(
        "/tasks", json={"title": "first", "done": False, "kind": "B", "extra": {"a": 1}}
    )
    assert response.status == 201, await response.text()
    task = await response.json()
    assert task["title"] == "first"
    assert task["kind"] == "B"
    assert task["extra"] == {"a": 1}
    assert task["uid"]
    response = await client.get(f"/tasks/{task['id']}")
    assert response.status == 200
    assert (await response.json())["title"] == "first"

    response = await client.patch(f"/tasks/{task['id']}", json={"done": True, "severity": 4})
    assert response.status == 200
    updated = await response.json()
    assert updated["done"] is True and updated["severity"] == 4 and updated["title"] == "first"
    # an empty body changes nothing and still answers the row
    response = await client.patch(f"/tasks/{task['id']}", json={})
    assert response.status == 200

    response = await client.delete(f"/tasks/{task['id']}")
    assert response.status == 204
    for method in ("get", "patch", "delete"):
        response = await client.request(method, f"/tasks/{task['id']}", json={})
        assert response.status == 404, method
        assert (await response.json())["message"]
    # a path variable that is not an integer: 404, never 500
    assert (await client.get("/tasks/abc")).status == 404


async def test_validation_errors(client: TestClient) -> None:
    response = await client.post("/tasks", json={"done": "maybe"})
    assert response.status == 422
    errors = {e["field"] for e in (await response.json())["errors"]}
    assert errors == {"title", "done"}
    response = await client.post("/tasks-bulk", json=[{"title": "ok"}, {"title": 3}])
    assert response.status == 422
    assert [e["field"] for e in (await response.json())["errors"]] == ["1.title"]
    assert (await client.get("/tasks")).status == 200
    assert await (await client.get("/tasks")).json() == []
    response = await client.post("/tasks-bulk", json={"title": "x"})
    assert response.status == 400


async def test_integrity_errors(client: TestClient, pg_db: CrudDB) -> None:
    assert (await client.post("/tasks", json={"title": "same"})).status == 201
    response = await client.post("/tasks", json={"title": "same"})
    assert response.status == 409  # a clash with another row, not invalid data
    body = await response.json()
    assert body == {
        "message": "Already exists",
        "errors": [{"field": "title", "message": "already exists"}],
    }
    # foreign key
    response = await client.post("/tasks", json={"title": "orphan", "owner_id": 99})
    assert response.status == 422
    assert [e["field"] for e in (await response.json())["errors"]] == ["owner_id"]
    # in a list: nothing inserted
    response = await client.post("/tasks-bulk", json=[{"title": "new"}, {"title": "same"}])
    assert response.status == 409
    assert [e["field"] for e in (await response.json())["errors"]] == ["title"]
    assert await pg_db.db_count(pg_db.tasks) == 1
    # on update
    other = await (await client.post("/tasks", json={"title": "other"})).json()
    response = await client.patch(f"/tasks/{other['id']}", json={"title": "same"})
    assert response.status == 409
    assert [e["field"] for e in (await response.json())["errors"]] == ["title"]
    response = await client.patch(f"/tasks/{other['id']}", json={"owner_id": 12})
    assert [e["field"] for e in (await response.json())["errors"]] == ["owner_id"]
    # a multi-column unique constraint names every column
    await pg_db.db_insert(pg_db.pairs, {"a": "x", "b": "y"})
    with pytest.raises(Exception) as info:
        await pg_db.db_insert(pg_db.pairs, {"a": "x", "b": "y"})
    from openapi.db.integrity import integrity_error

    error = await integrity_error(pg_db, info.value)  # type: ignore[arg-type]
    assert error is not None and [e["field"] for e in error.errors or []] == ["a", "b"]


async def test_conflicts_are_documented_where_a_body_sets_a_unique_column(
    client: TestClient,
) -> None:
    doc = await (await client.get("/spec")).json()
    tasks, one = doc["paths"]["/tasks"], doc["paths"]["/tasks/{id}"]
    for operation in (tasks["post"], one["patch"]):
        assert "409" in operation["responses"], operation["responses"]
        conflict = operation["responses"]["409"]
        # title is unique; id is the primary key, set by no body
        assert conflict["description"] == "Another row already has the same value of: title"
        assert conflict["content"]["application/json"]["schema"] == {
            "$ref": "#/components/schemas/Error"
        }
    assert "409" not in tasks["get"]["responses"]
    assert "409" not in one["delete"]["responses"]


async def test_filters_over_http(client: TestClient, pg_db: CrudDB) -> None:
    KIND = pg_db.tasks.c.kind.type.enum_class
    owner = (await pg_db.db_insert(pg_db.users, {"name": "ann"}))[0]
    tasks = await post_tasks(client, 8)
    await pg_db.db_update(pg_db.tasks, {"id": tasks[0]["id"]}, {"owner_id": owner["id"]})

    async def titles(query: str) -> list[str]:
        response = await client.get(f"/tasks?limit=100&order_by=id&{query}")
        assert response.status == 200, await response.text()
        return [t["title"] for t in await response.json()]

    assert await titles("done=true") == ["task 0", "task 2", "task 4", "task 6"]
    assert await titles("severity=1") == ["task 1", "task 7"]
    assert await titles("severity:gt=1") == ["task 2", "task 5"]
    assert await titles("severity:le=0&done=false") == ["task 3"]
    assert await titles("severity=NULL") == ["task 0", "task 4"]
    assert await titles("severity:ne=NULL&severity:lt=1") == ["task 3", "task 6"]
    assert await titles("severity=1&severity=2") == ["task 1", "task 2", "task 5", "task 7"]
    assert await titles("severity:ne=1&severity:ne=2") == ["task 3", "task 6"]
    # keys the query schema does not declare (operators included) are refused, each named
    response = await client.get("/tasks?title:ne=task 1&severity:like=1&unknown=1&other:gt=2")
    assert response.status == 422
    assert {e["field"]: e["message"] for e in (await response.json())["errors"]} == {
        "title:ne": "unknown operator 'ne' for title; title takes no operator",
        "severity:like": "unknown operator 'like' for severity; allowed: lt, le, gt, ge, ne",
        "unknown": "unknown query parameter",
        "other:gt": "unknown query parameter",
    }
    assert await titles("owner_name=ann") == ["task 0"]
    # enum columns: the API speaks values ("B"), the database stores names
    await pg_db.db_update(pg_db.tasks, {"title": ["task 1", "task 2"]}, {"kind": KIND.bug})
    await pg_db.db_update(pg_db.tasks, {"title": "task 3"}, {"kind": KIND.feature})
    assert await titles("kind=B") == ["task 1", "task 2"]
    assert await titles("kind=B&kind=F") == ["task 1", "task 2", "task 3"]
    assert await titles("kind=F&done=false") == ["task 3"]
    assert await titles("owner_name=bob") == []
    response = await client.get("/tasks?severity:gt=NULL")
    assert response.status == 422
    response = await client.get("/tasks?severity=high")
    assert response.status == 422
    response = await client.get("/tasks?order_by=done")
    assert response.status == 422
    # delete_list with filters
    assert (await client.delete("/tasks?done=true")).status == 204
    assert await pg_db.db_count(pg_db.tasks) == 4


async def test_path_variables_scope_a_collection_delete(client: TestClient, pg_db: CrudDB) -> None:
    ann, bob = [(await pg_db.db_insert(pg_db.users, {"name": n}))[0]["id"] for n in ("ann", "bob")]
    for owner in (ann, bob):
        for done in (True, False):
            task = {"title": f"{owner} {done}", "done": done, "owner_id": owner}
            await pg_db.db_insert(pg_db.tasks, task)
    response = await client.get(f"/users/{ann}/tasks")
    assert {t["title"] for t in await response.json()} == {f"{ann} True", f"{ann} False"}
    assert (await client.delete(f"/users/{ann}/tasks", params={"done": "true"})).status == 204
    # only ann's done task is gone: bob's rows are untouched
    rows = await pg_db.db_select(pg_db.tasks, order_by="title")
    assert sorted(r["title"] for r in rows) == sorted(
        [f"{ann} False", f"{bob} True", f"{bob} False"]
    )
    # a path variable that is not an integer matches nothing (404) and deletes nothing
    assert (await client.delete("/users/x/tasks", params={"done": "false"})).status == 404
    assert await pg_db.db_count(pg_db.tasks) == 3


async def test_delete_list_by_search(client: TestClient, pg_db: CrudDB) -> None:
    for title in ("100% done", "100 done", "a_b", "axb", "NULL"):
        assert (await client.post("/tasks", json={"title": title})).status == 201
    # the search text taken literally, NULL included, and combined with the filters
    assert (await client.delete("/tasks", params={"search": "0%"})).status == 204
    assert (await client.delete("/tasks", params={"search": "NULL"})).status == 204
    assert (await client.delete("/tasks", params={"search": "a_", "done": "true"})).status == 204
    rows = await pg_db.db_select(pg_db.tasks, order_by="title")
    assert [r["title"] for r in rows] == ["100 done", "a_b", "axb"]


async def test_search_escapes_wildcards(client: TestClient) -> None:
    for title in ("100% done", "100 done", "a_b", "axb", "UPPER case"):
        assert (await client.post("/tasks", json={"title": title})).status == 201

    async def titles(search: str) -> list[str]:
        response = await client.get("/tasks", params={"search": search, "order_by": "title"})
        assert response.status == 200
        return [t["title"] for t in await response.json()]

    assert await titles("100%") == ["100% done"]
    assert await titles("a_b") == ["a_b"]
    assert await titles("upper") == ["UPPER case"]
    assert await titles("done") == ["100 done", "100% done"]
    assert await titles("nothing") == []


async def test_list_pages_compile_once_per_shape(client: TestClient, pg_db: CrudDB) -> None:
    await post_tasks(client, 12)
    assert (await client.get("/tasks?limit=5&done=false")).status == 200
    compilations = pg_db.compiler.compilations
    for query in ("limit=3&done=true", "limit=5&offset=0&done=false", "done=true&limit=7"):
        response = await client.get(f"/tasks?{query}")
        assert response.status == 200 and response.headers["X-Total-Count"]
    # other values of the same shape: no statement built or compiled again
    assert pg_db.compiler.compilations == compilations


async def test_offset_pagination(client: TestClient) -> None:
    await post_tasks(client, 12)
    response = await client.get("/tasks?limit=5&order_by=id")
    assert response.status == 200
    assert response.headers["X-Total-Count"] == "12"
    page = await response.json()
    assert [t["title"] for t in page] == [f"task {i}" for i in range(5)]
    links = response.links
    assert set(links) == {"next", "last"}
    assert links["next"]["url"].query["offset"] == "5"
    assert links["last"]["url"].query["offset"] == "10"
    # follow next to the end: every row once
    seen = [t["id"] for t in page]
    while "next" in response.links:
        response = await client.get(relative(response.links["next"]["url"]))
        seen.extend(t["id"] for t in await response.json())
    assert len(seen) == len(set(seen)) == 12
    assert set(response.links) == {"first", "prev"}
    assert response.links["prev"]["url"].query["offset"] == "5"
    # ordering, descending, with ties broken by the primary key
    response = await client.get("/tasks?limit=100&order_by=-severity")
    assert response.status == 200, await response.text()
    # the dump leaves out null values
    severities = [t.get("severity") for t in await response.json()]
    assert severities[:3] == [None, None, None]  # PostgreSQL: NULLs first when descending
    # past the end: an empty page, the total still right
    response = await client.get("/tasks?limit=5&offset=20")
    assert response.status == 200
    assert await response.json() == []
    assert response.headers["X-Total-Count"] == "12"
    assert set(response.links) == {"first", "prev"}
    response = await client.get("/tasks?limit=5&title=nothing")
    assert response.headers["X-Total-Count"] == "0"
    # limits are bounded
    assert (await client.get("/tasks?limit=1000")).status == 422
    assert (await client.get("/tasks?limit=0")).status == 422
    assert (await client.get("/tasks?offset=-1")).status == 422


async def test_spec_documents_pagination_headers(client: TestClient) -> None:
    response = await client.get("/spec")
    assert response.status == 200
    spec = await response.json()
    get = spec["paths"]["/tasks"]["get"]
    assert set(get["responses"]["200"]["headers"]) >= {"Link", "X-Total-Count"}
    names = {p["name"] for p in get["parameters"]}
    assert {"limit", "offset", "order_by", "search", "severity:gt"} <= names


async def test_one_row_methods_roll_back_when_many_match(client: TestClient, pg_db: CrudDB) -> None:
    await post_tasks(client, 4)  # tasks 0 and 2 are done
    response = await client.patch("/tasks-done", json={"severity": 9})
    assert response.status == 500
    assert "Traceback" not in await response.text()
    assert await pg_db.db_count(pg_db.tasks, {"severity": 9}) == 0
    assert (await client.delete("/tasks-done")).status == 500
    assert await pg_db.db_count(pg_db.tasks) == 4
    # with one match they work
    await pg_db.db_delete(pg_db.tasks, {"title": "task 0"})
    response = await client.patch("/tasks-done", json={"severity": 9})
    assert response.status == 200
    assert (await response.json())["title"] == "task 2"
    assert (await client.delete("/tasks-done")).status == 204
    assert await pg_db.db_count(pg_db.tasks) == 2
