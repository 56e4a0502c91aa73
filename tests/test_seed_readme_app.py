"""The seed README's application runs as written: `python main.py db ...` migrates a real
PostgreSQL, `python main.py serve` serves it under /v1 (HTTP, spec, docs, websockets)."""

from __future__ import annotations

import asyncio
import os
import shutil
import subprocess
import sys
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import aiohttp
import pytest
from openapi.db.embedded import free_port

from tests.conftest import fresh_database, rpc, served_process

SEED_APP = Path(__file__).resolve().parent / "seed_readme" / "main.py"


def main_py(cwd: Path, datastore: str, *args: str) -> str:
    """Run `python main.py ARGS` in ``cwd``, as the seed's README tells its users."""
    result = subprocess.run(
        [sys.executable, "main.py", *args],
        cwd=cwd,
        env={**os.environ, "DATASTORE": datastore},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, (args, result.stdout, result.stderr)
    return result.stdout


@pytest.fixture(scope="module")
def seed_db(pg_server_url: str) -> Iterator[str]:
    with fresh_database(pg_server_url, "seed") as url:
        yield url


@pytest.fixture(scope="module")
def served_seed(seed_db: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The application migrated by its own `db` commands and served by `main.py serve`."""
    project = tmp_path_factory.mktemp("seed-project")
    shutil.copy(SEED_APP, project / "main.py")
    help_text = main_py(project, seed_db, "db", "--help")
    for command in ("init", "migrate", "upgrade", "downgrade", "current"):
        assert command in help_text.split("Commands:")[1]
    main_py(project, seed_db, "db", "init")
    main_py(project, seed_db, "db", "migrate", "-m", "initial tables")
    main_py(project, seed_db, "db", "upgrade")
    assert "tasks" in main_py(project, seed_db, "db", "tables", "--db").split()
    port = free_port()
    command = [sys.executable, "main.py", "serve", "--host", "127.0.0.1", "--port", str(port)]
    env = {"DATASTORE": seed_db}
    with served_process(command, project, env, port, "/v1/spec", project / "server.log") as base:
        yield base


@pytest.fixture
async def http(served_seed: str) -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession(base_url=served_seed) as session:
        yield session


async def test_create_list_filter_and_page(http: aiohttp.ClientSession) -> None:
    titles = [f"seed task {i}" for i in range(5)]
    response = await http.post(
        "/v1/tasks-bulk", json=[{"title": t, "severity": i} for i, t in enumerate(titles)]
    )
    assert response.status == 201, await response.text()
    created = await response.json()
    assert [task["title"] for task in created] == titles
    response = await http.post("/v1/tasks", json={"title": "one more", "severity": 5})
    assert response.status == 201
    task = await response.json()
    assert set(task) == {"id", "title", "done", "severity", "created"}
    # a filter, an ordering and a page: list[Task] dumped, pagination headers
    query = "severity:ge=2&order_by=-severity&limit=2"
    response = await http.get(f"/v1/tasks?{query}")
    assert response.status == 200
    page = await response.json()
    assert [t["severity"] for t in page] == [5, 4]
    assert response.headers["X-Total-Count"] == "4"
    links = response.headers["Link"]
    assert 'rel="next"' in links and "/v1/tasks?" in links and "offset=2" in links
    response = await http.get("/v1/tasks?search=task 3")
    assert [t["title"] for t in await response.json()] == ["seed task 3"]
    response = await http.get(f"/v1/tasks/{task['id']}")
    assert (response.status, await response.json()) == (200, task)
    # served, though not documented (allowed_tags)
    response = await http.get("/v1/admin/stats")
    assert (response.status, (await response.json())["tasks"] >= 6) == (200, True)


async def test_422_and_404(http: aiohttp.ClientSession) -> None:
    response = await http.post("/v1/tasks", json={"title": "no", "severity": 9})
    assert response.status == 422
    body = await response.json()
    assert sorted(error["field"] for error in body["errors"]) == ["severity", "title"]
    response = await http.post("/v1/tasks-bulk", json=[{"title": "fine"}, {"severity": 1}])
    assert response.status == 422
    assert [e["field"] for e in (await response.json())["errors"]] == ["1.title"]
    response = await http.get("/v1/tasks?order_by=done")
    assert response.status == 422
    response = await http.get(f"/v1/tasks/{uuid.uuid4()}")
    assert (response.status, await response.json()) == (404, {"message": "Not Found"})
    response = await http.get("/v1/tasks/not-a-uuid")
    assert response.status == 404
    response = await http.get("/tasks")
    assert (response.status, await response.json()) == (404, {"message": "Not Found"})


async def test_spec_and_docs_under_v1(http: aiohttp.ClientSession) -> None:
    response = await http.get("/v1/spec")
    spec = await response.json()
    assert spec["info"]["title"] == "A REST API"
    assert spec["servers"] == [{"url": "/v1"}]
    assert sorted(spec["paths"]) == ["/tasks", "/tasks-bulk", "/tasks/{id}"]
    assert [tag["name"] for tag in spec["tags"]] == ["Task"]
    array = {"type": "array", "items": {"$ref": "#/components/schemas/Task"}}
    listed = spec["paths"]["/tasks"]["get"]["responses"]["200"]
    assert listed["content"]["application/json"]["schema"] == array
    assert set(listed["headers"]) == {"Link", "X-Total-Count"}
    bulk = spec["paths"]["/tasks-bulk"]["post"]["requestBody"]["content"]["application/json"]
    assert bulk["schema"] == {"type": "array", "items": {"$ref": "#/components/schemas/TaskAdd"}}
    response = await http.get("/v1/docs")
    assert response.status in (200, 501)  # 501 when the docs extra is not installed
    if response.status == 200:
        page = await response.text()
        assert '"url": "spec"' in page  # relative: the page works under /v1


async def test_websocket_protocol_under_v1(http: aiohttp.ClientSession) -> None:
    async with http.ws_connect("/v1/stream") as ws:
        answer = await rpc(ws, "1", "subscribe", {"channel": "tasks"})
        subscribed = {"subscribed": {"tasks": ["*"]}}
        assert answer == {"id": "1", "method": "subscribe", "result": subscribed}
        response = await http.post("/v1/tasks", json={"title": "announce me"})
        task = await response.json()
        message = await asyncio.wait_for(ws.receive_json(), 10)
        assert message == {"channel": "tasks", "event": "created", "data": task}
        answer = await rpc(ws, "2", "nope")
        assert (answer["id"], answer["method"]) == ("2", "nope")
        assert answer["error"]["message"] == "Unknown method 'nope'"
