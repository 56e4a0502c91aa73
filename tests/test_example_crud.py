"""The example Tasks API end to end: CRUD and the error bodies a client sees."""

from __future__ import annotations

import uuid
from typing import Any

import aiohttp
import pytest
from aiohttp.test_utils import TestClient

Client = TestClient[Any, Any]


async def create(client: Client, **data: Any) -> dict[str, Any]:
    response = await client.post("/tasks", json=data)
    assert response.status == 201, await response.text()
    body: dict[str, Any] = await response.json()
    return body


async def test_create_get_update_delete(client: Client) -> None:
    task = await create(client, title="write tests", severity=3, story_points=2.5)
    assert task["title"] == "write tests"
    assert task["done"] is False
    assert task["severity"] == 3
    assert uuid.UUID(task["id"])
    assert task["created"]

    response = await client.get(f"/tasks/{task['id']}")
    assert response.status == 200
    assert await response.json() == task

    response = await client.patch(f"/tasks/{task['id']}", json={"done": True, "severity": 5})
    assert response.status == 200
    updated = await response.json()
    assert updated["done"] is True
    assert updated["severity"] == 5
    assert updated["title"] == "write tests"

    response = await client.delete(f"/tasks/{task['id']}")
    assert response.status == 204
    response = await client.get(f"/tasks/{task['id']}")
    assert response.status == 404
    assert "message" in await response.json()


async def test_missing_and_invalid_ids_are_404(client: Client) -> None:
    for method in ("get", "patch", "delete"):
        response = await client.request(method, f"/tasks/{uuid.uuid4()}", json={})
        assert response.status == 404, method
        assert (await response.json())["message"]
        response = await client.request(method, "/tasks/not-a-uuid", json={})
        assert response.status == 404, method
        assert (await response.json())["message"]


async def test_validation_errors_list_every_field(client: Client) -> None:
    response = await client.post(
        "/tasks", json={"title": "x" * 65, "severity": 9, "done": "maybe", "type": "nope"}
    )
    assert response.status == 422
    body = await response.json()
    assert body["message"]
    fields = sorted(error["field"] for error in body["errors"])
    assert fields == ["done", "severity", "title", "type"]
    assert all(error["message"] for error in body["errors"])
    # nothing was written
    listed = await client.get("/tasks")
    assert await listed.json() == []


async def test_missing_required_field(client: Client) -> None:
    response = await client.post("/tasks", json={"severity": 1})
    assert response.status == 422
    body = await response.json()
    assert [e["field"] for e in body["errors"]] == ["title"]


async def test_malformed_json_is_400(client: Client) -> None:
    response = await client.post(
        "/tasks", data=b'{"title": "x"', headers={"content-type": "application/json"}
    )
    assert response.status == 400
    assert (await response.json())["message"]
    response = await client.post("/tasks", json=[1, 2, 3])
    assert response.status == 400
    assert (await response.json())["message"]


async def test_unknown_route_and_method(client: Client) -> None:
    response = await client.get("/nowhere")
    assert response.status == 404
    assert (await response.json())["message"]
    response = await client.put("/tasks", json={})
    assert response.status == 405
    assert (await response.json())["message"]


async def test_bulk_delete_with_filter(client: Client) -> None:
    for severity in (1, 2, 3, 4):
        await create(client, title=f"t{severity}", severity=severity)
    response = await client.delete("/tasks", params={"severity:ge": "3"})
    assert response.status == 204
    listed = await (await client.get("/tasks", params={"order_by": "severity"})).json()
    assert [t["severity"] for t in listed] == [1, 2]


async def test_events_reference_tasks(client: Client) -> None:
    task = await create(client, title="with events")
    response = await client.post("/events", json={"name": "started", "task_id": task["id"]})
    assert response.status == 201
    event = await response.json()
    assert event["task_id"] == task["id"]
    assert event["score"] == 0
    # a foreign key to nowhere is the client's mistake: 422 naming the column
    response = await client.post("/events", json={"name": "lost", "task_id": str(uuid.uuid4())})
    assert response.status == 422
    body = await response.json()
    assert [e["field"] for e in body["errors"]] == ["task_id"]


async def test_api_key_is_required(client: Client) -> None:
    response = await client.get("/tasks", headers={"X-Api-Key": "wrong"})
    assert response.status == 401
    assert await response.json() == {"message": "Invalid credentials"}
    assert response.headers["WWW-Authenticate"] == 'ApiKey in="header", name="X-Api-Key"'
    async with aiohttp.ClientSession() as anonymous:
        response = await anonymous.get(client.make_url("/tasks"))
        assert response.status == 401
        assert await response.json() == {"message": "Missing credentials"}
        # the spec and the docs page are no operations: public
        response = await anonymous.get(client.make_url("/spec"))
        assert response.status == 200
        response = await anonymous.get(client.make_url("/docs"))
        assert response.status == 200
        # a wrong key is refused before the body is read: nothing is created
        response = await anonymous.post(
            client.make_url("/tasks"), json={"title": "x"}, headers={"X-Api-Key": "wrong"}
        )
        assert response.status == 401
        # the stream takes the key in the query string (browsers send no headers there)
        with pytest.raises(aiohttp.WSServerHandshakeError) as refused:
            await anonymous.ws_connect(client.make_url("/stream"))
        assert refused.value.status == 401
        async with anonymous.ws_connect(client.make_url("/stream?api_key=secret")) as ws:
            assert not ws.closed
    response = await client.get("/tasks")
    assert await response.json() == []
