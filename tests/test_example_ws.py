"""The example's websocket stream: subscribers hear about tasks created over HTTP."""

from __future__ import annotations

import asyncio
from typing import Any

from aiohttp.test_utils import TestClient

from tests.conftest import rpc

Client = TestClient[Any, Any]


async def test_creating_a_task_publishes_an_event(client: Client) -> None:
    async with client.ws_connect("/stream") as ws:
        answer = await rpc(ws, "s1", "subscribe", {"channel": "tasks"})
        assert answer == {
            "id": "s1",
            "method": "subscribe",
            "result": {"subscribed": {"tasks": ["*"]}},
        }
        response = await client.post("/tasks", json={"title": "announce me"})
        assert response.status == 201
        task = await response.json()
        message = await asyncio.wait_for(ws.receive_json(), 10)
        assert message == {"channel": "tasks", "event": "created", "data": task}


async def test_publish_reaches_other_clients_and_errors_keep_the_socket(client: Client) -> None:
    async with client.ws_connect("/stream") as listener, client.ws_connect("/stream") as talker:
        await rpc(listener, "a", "subscribe", {"channel": "chat", "event": "msg.*"})
        # garbage first: each gets an error and the connection stays open
        await talker.send_str("{not json")
        error = await asyncio.wait_for(talker.receive_json(), 10)
        assert error["error"]["message"]
        answer = await rpc(talker, "b", "nope")
        assert answer["error"]["message"] == "Unknown method 'nope'"
        answer = await rpc(talker, "c", "publish", {"event": "msg.new", "data": 1})
        assert answer["error"]["errors"]
        answer = await rpc(
            talker, "d", "publish", {"channel": "chat", "event": "msg.new", "data": {"n": 1}}
        )
        assert answer["result"]["event"] == "msg.new"
        message = await asyncio.wait_for(listener.receive_json(), 10)
        assert message == {"channel": "chat", "event": "msg.new", "data": {"n": 1}}
