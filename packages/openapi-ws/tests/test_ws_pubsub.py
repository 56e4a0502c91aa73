"""subscribe / unsubscribe / publish over real websockets, with the in-process broker."""

from __future__ import annotations

from types import ModuleType
from typing import Any

import aiohttp
import pytest
from aiohttp import WSCloseCode
from openapi.ws import Sockets


@pytest.fixture
async def client(aiohttp_client: Any, ws_app: ModuleType) -> Any:
    return await aiohttp_client(ws_app.create_app(max_subscriptions=5))


@pytest.fixture
async def connect(client: Any, ws_connect: Any) -> Any:
    async def new() -> Any:
        return await ws_connect(client.make_url("/stream"))

    return new


async def test_subscribe_answers_every_subscription(connect: Any) -> None:
    ws = await connect()
    assert await ws.result("subscribe", {"channel": "tasks"}) == {"subscribed": {"tasks": ["*"]}}
    assert await ws.result("subscribe", {"channel": "news", "event": "sport.*"}) == {
        "subscribed": {"news": ["sport.*"], "tasks": ["*"]}
    }
    # subscribing twice changes nothing
    assert await ws.result("subscribe", {"channel": "news", "event": "sport.*"}) == {
        "subscribed": {"news": ["sport.*"], "tasks": ["*"]}
    }


async def test_publish_reaches_subscribers_and_answers(connect: Any) -> None:
    subscriber = await connect()
    publisher = await connect()
    await subscriber.result("subscribe", {"channel": "tasks"})
    answer = await publisher.result(
        "publish", {"channel": "tasks", "event": "created", "data": {"id": 1}}
    )
    assert answer == {"channel": "tasks", "event": "created", "data": {"id": 1}}
    assert await subscriber.event() == {"channel": "tasks", "event": "created", "data": {"id": 1}}
    # the publisher did not subscribe: nothing for it
    assert publisher.events == []


async def test_event_patterns(connect: Any) -> None:
    ws = await connect()
    publisher = await connect()
    await ws.result("subscribe", {"channel": "c", "event": "task.*"})
    await ws.result("subscribe", {"channel": "c", "event": "exact"})
    await ws.result("subscribe", {"channel": "c", "event": "*.done"})
    for event in ("other", "task.created", "exact", "exactly", "x.done", "task", "a.b.done"):
        await publisher.result("publish", {"channel": "c", "event": event, "data": event})
    await publisher.result("publish", {"channel": "c", "event": "end", "data": None})
    await ws.result("subscribe", {"channel": "c", "event": "end"})
    await publisher.result("publish", {"channel": "c", "event": "end", "data": None})
    received = []
    while (message := await ws.event())["event"] != "end":
        received.append(message["event"])
    assert received == ["task.created", "exact", "x.done", "a.b.done"]


async def test_one_delivery_per_socket_when_patterns_overlap(connect: Any) -> None:
    ws = await connect()
    other = await connect()
    for event in ("*", "task.*", "task.done", "*.done"):
        await ws.result("subscribe", {"channel": "c", "event": event})
    await other.result("subscribe", {"channel": "c", "event": "task.done"})
    await other.result("publish", {"channel": "c", "event": "task.done", "data": 1})
    await other.result("publish", {"channel": "c", "event": "last", "data": 2})
    assert await ws.event() == {"channel": "c", "event": "task.done", "data": 1}
    assert await ws.event() == {"channel": "c", "event": "last", "data": 2}
    assert await other.event() == {"channel": "c", "event": "task.done", "data": 1}


async def test_glob_characters_are_literal_except_star(connect: Any) -> None:
    ws = await connect()
    await ws.result("subscribe", {"channel": "c", "event": "a.?[x]*"})
    for event in ("abxy", "a.?[x]", "a.?[x]yz"):
        await ws.result("publish", {"channel": "c", "event": event, "data": event})
    await ws.result("subscribe", {"channel": "c", "event": "end"})
    await ws.result("publish", {"channel": "c", "event": "end"})
    events = [(await ws.event())["event"] for _ in range(3)]
    assert events == ["a.?[x]", "a.?[x]yz", "end"]


async def test_unsubscribe(connect: Any) -> None:
    ws = await connect()
    await ws.result("subscribe", {"channel": "c"})
    await ws.result("subscribe", {"channel": "c", "event": "a"})
    await ws.result("subscribe", {"channel": "d", "event": "a"})
    assert await ws.result("unsubscribe", {"channel": "c", "event": "*"}) == {
        "subscribed": {"c": ["a"], "d": ["a"]}
    }
    # only "a" is delivered now
    await ws.result("publish", {"channel": "c", "event": "b", "data": 1})
    await ws.result("publish", {"channel": "c", "event": "a", "data": 2})
    assert await ws.event() == {"channel": "c", "event": "a", "data": 2}
    # without an event: the whole channel
    assert await ws.result("unsubscribe", {"channel": "c"}) == {"subscribed": {"d": ["a"]}}
    # unknown channels and patterns: nothing to do
    assert await ws.result("unsubscribe", {"channel": "zz", "event": "q"}) == {
        "subscribed": {"d": ["a"]}
    }
    await ws.result("publish", {"channel": "c", "event": "a", "data": 3})
    await ws.result("publish", {"channel": "d", "event": "a", "data": 4})
    assert await ws.event() == {"channel": "d", "event": "a", "data": 4}


async def test_invalid_subscribe_and_publish_payloads(connect: Any) -> None:
    ws = await connect()
    answer = await ws.rpc("subscribe", {})
    assert answer["error"]["message"] == "Invalid payload"
    assert [e["field"] for e in answer["error"]["errors"]] == ["channel"]
    answer = await ws.rpc("subscribe", {"channel": ""})
    assert answer["error"]["errors"] == [{"field": "channel", "message": "must not be empty"}]
    answer = await ws.rpc("subscribe", {"channel": "x" * 201})
    assert answer["error"]["errors"] == [{"field": "channel", "message": "at most 200 characters"}]
    answer = await ws.rpc("publish", {"data": 1})
    assert [e["field"] for e in answer["error"]["errors"]] == ["channel"]
    answer = await ws.rpc("publish", {"channel": 5, "event": 3})
    assert {e["field"] for e in answer["error"]["errors"]} == {"channel", "event"}
    assert await ws.result("subscribe", {"channel": "ok"}) == {"subscribed": {"ok": ["*"]}}


async def test_too_many_subscriptions(connect: Any) -> None:
    ws = await connect()
    for i in range(5):
        await ws.result("subscribe", {"channel": "c", "event": f"e{i}"})
    answer = await ws.rpc("subscribe", {"channel": "c", "event": "e5"})
    assert answer["error"] == {
        "message": "Too many subscriptions",
        "errors": [{"field": "channel", "message": "at most 5 allowed"}],
    }


async def test_server_side_publish(client: Any, connect: Any) -> None:
    ws = await connect()
    await ws.result("subscribe", {"channel": "tasks", "event": "created"})
    sockets: Sockets = client.app["web_sockets"]
    await sockets.publish("tasks", "created", {"id": 7, "title": "t"})
    assert await ws.event() == {
        "channel": "tasks",
        "event": "created",
        "data": {"id": 7, "title": "t"},
    }
    answer = await ws.rpc("notify", {"channel": "tasks", "event": "created", "data": [1]})
    assert answer["result"] == "sent"
    assert await ws.event() == {"channel": "tasks", "event": "created", "data": [1]}


async def test_publish_unserializable_is_an_error(client: Any) -> None:
    from openapi.ws import CannotPublish

    sockets: Sockets = client.app["web_sockets"]
    with pytest.raises(CannotPublish) as info:
        await sockets.publish("c", "e", object())
    assert info.value.errors[0]["field"] == "data"


async def test_closed_sockets_leave_their_channels(client: Any, connect: Any) -> None:
    sockets: Sockets = client.app["web_sockets"]
    ws = await connect()
    stays = await connect()
    await ws.result("subscribe", {"channel": "a"})
    await ws.result("subscribe", {"channel": "b", "event": "x"})
    await stays.result("subscribe", {"channel": "b", "event": "x"})
    assert sockets.channels.info() == {"a": {"*": 1}, "b": {"x": 2}}
    await ws.close()
    # the next answer to the other client comes after the server saw the close
    info = await stays.result("server_info")
    while info["connections"] != 1:
        info = await stays.result("server_info")
    assert info["channels"] == {"b": {"x": 1}}
    assert info["broker"]["channels"] == 1


async def test_slow_client_is_closed_others_keep_receiving(
    aiohttp_client: Any, ws_app: ModuleType, ws_connect: Any
) -> None:
    client = await aiohttp_client(ws_app.create_app(max_send_buffer=1_000_000))
    slow = await ws_connect(client.make_url("/stream"))
    fast = await ws_connect(client.make_url("/stream"))
    await slow.result("subscribe", {"channel": "big"})
    await fast.result("subscribe", {"channel": "big"})
    chunk = "x" * 200_000
    count = 0
    # the slow client reads nothing: once the kernel buffers are full its queue
    # overflows and the server closes it; the fast one keeps receiving everything
    while client.app["web_sockets"].server_info()["connections"] == 2:
        count += 1
        await fast.result("publish", {"channel": "big", "event": "e", "data": chunk})
        assert (await fast.event())["data"] == chunk
        assert count < 10_000
    while True:
        msg = await slow.ws.receive(timeout=10)
        if msg.type != aiohttp.WSMsgType.TEXT:
            break
    assert msg.type == aiohttp.WSMsgType.CLOSE
    assert msg.data == WSCloseCode.TRY_AGAIN_LATER
    await fast.result("publish", {"channel": "big", "event": "e", "data": "after"})
    assert (await fast.event())["data"] == "after"
