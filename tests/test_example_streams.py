"""The example's streamed answers: the task export (NDJSON) and task events (SSE)."""

from __future__ import annotations

import asyncio
import json
import uuid
from typing import Any

import sqlalchemy as sa
from aiohttp import web
from aiohttp.test_utils import TestClient

Client = TestClient[Any, Any]


async def insert_tasks(app: web.Application, count: int) -> None:
    """``count`` tasks titled ``task 00001``..., every third one done, in one statement."""
    statement = sa.text(
        "INSERT INTO tasks (title, done) SELECT 'task ' || lpad(n::text, 5, '0'), n % 3 = 0"
        " FROM generate_series(1, :count) AS n"
    ).bindparams(count=count)
    await app["db"].execute(statement)


async def ndjson(client: Client, query: str = "") -> list[dict[str, Any]]:
    response = await client.get(f"/tasks/export{query}")
    assert response.status == 200, await response.text()
    assert response.headers["Content-Type"] == "application/x-ndjson"
    text = await response.text()
    assert text.endswith("\n") or not text
    return [json.loads(line) for line in text.splitlines()]


async def test_export_every_row_once_in_order(client: Client) -> None:
    await insert_tasks(client.app, 10_000)
    rows = await ndjson(client)
    assert len(rows) == 10_000
    ids = [uuid.UUID(row["id"]) for row in rows]
    assert len(set(ids)) == 10_000
    assert ids == sorted(ids)  # the primary key orders the export
    assert {row["title"] for row in rows} == {f"task {i:05d}" for i in range(1, 10_001)}
    assert set(rows[0]) >= {"id", "title", "done", "created"}


async def test_export_filters_as_the_list(client: Client) -> None:
    await insert_tasks(client.app, 30)
    done = await ndjson(client, "?done=true")
    assert sorted(row["title"] for row in done) == [f"task {i:05d}" for i in range(3, 31, 3)]
    found = await ndjson(client, "?search=task%2000012")
    assert [row["title"] for row in found] == ["task 00012"]
    assert await ndjson(client, "?title=nothing") == []
    response = await client.get("/tasks/export?severity=high")
    assert response.status == 422
    assert response.headers["Content-Type"].startswith("application/json")


async def test_export_needs_the_key(client: Client) -> None:
    response = await client.get("/tasks/export", headers={"X-Api-Key": "wrong"})
    assert response.status == 401


async def read_event(response: Any) -> list[str]:
    """The lines of the next server-sent message (up to its blank line)."""
    lines: list[str] = []
    while True:
        line = (await asyncio.wait_for(response.content.readline(), 10)).decode()
        assert line, "the stream ended"
        if line == "\n":
            return lines
        lines.append(line.rstrip("\n"))


async def test_events_over_http(client: Client) -> None:
    sockets = client.app["web_sockets"]
    response = await client.get("/tasks/events?heartbeat=0.2")
    assert response.status == 200
    assert response.headers["Content-Type"] == "text/event-stream"
    assert await read_event(response) == ["retry: 3000"]
    assert await read_event(response) == [": ping"]  # the heartbeat, no task yet
    assert len(sockets.listeners["tasks"]) == 1  # subscribed to the broker's channel
    created = await client.post("/tasks", json={"title": "streamed"})
    assert created.status == 201
    task = await created.json()
    lines = await read_event(response)
    while lines == [": ping"]:
        lines = await read_event(response)
    assert lines[:2] == [f"id: {task['id']}", "event: created"]
    assert json.loads(lines[2].removeprefix("data: ")) == task
    response.close()  # the client leaves
    for _ in range(50):
        if "tasks" not in sockets.listeners:
            break
        await asyncio.sleep(0.1)
    assert "tasks" not in sockets.listeners  # no leaked subscription


async def test_streams_documented(client: Client) -> None:
    document = await (await client.get("/spec")).json()
    export = document["paths"]["/tasks/export"]["get"]["responses"]["200"]["content"]
    assert list(export) == ["application/x-ndjson"]
    assert export["application/x-ndjson"]["schema"] == {"$ref": "#/components/schemas/Task"}
    events = document["paths"]["/tasks/events"]["get"]["responses"]["200"]["content"]
    assert list(events) == ["text/event-stream"]
    assert events["text/event-stream"]["schema"] == {"type": "string"}
    assert events["text/event-stream"]["x-data-schema"] == {"$ref": "#/components/schemas/Task"}
