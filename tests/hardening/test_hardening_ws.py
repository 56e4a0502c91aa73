"""Websocket faults: clients that vanish mid-message, send garbage or subscribe to
thousands of channels leave the other clients served, and the Sockets manager's
connection and channel counts return to zero (nothing kept for the departed)."""

from __future__ import annotations

import asyncio
import base64
import gc
import json
import os
import struct
from typing import Any

from aiohttp import WSMsgType
from aiohttp.test_utils import TestClient
from openapi.ws import Connection

from tests.conftest import rpc

Client = TestClient[Any, Any]


async def until_no_connections(sockets: Any) -> None:
    """Counts back to zero, and the departed's Connection objects freed."""
    for _ in range(200):
        info = sockets.server_info()
        if info["connections"] == 0 and not info["channels"]:
            break
        await asyncio.sleep(0.05)
    else:
        raise AssertionError(sockets.server_info())
    # at most the last Connection may linger (referenced from outside the Python objects
    # gc lists, whatever the number of connections before it): nothing accumulates
    for _ in range(100):
        gc.collect()
        alive = [o for o in gc.get_objects() if isinstance(o, Connection)]
        if len(alive) <= 1:
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"{len(alive)} Connection objects still alive")


async def still_served(client: Client, listener: Any) -> None:
    """The listener (subscribed to `tasks`) hears about a task created now."""
    response = await client.post("/tasks", json={"title": "still served"})
    assert response.status == 201
    task = await response.json()
    while True:
        message = await asyncio.wait_for(listener.receive_json(), 10)
        if message.get("event") == "created" and message["data"]["id"] == task["id"]:
            return


async def raw_websocket(client: Client) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    reader, writer = await asyncio.open_connection(client.host, client.port)
    key = base64.b64encode(os.urandom(16)).decode()
    writer.write(
        (
            f"GET /stream HTTP/1.1\r\nHost: 127.0.0.1:{client.port}\r\nUpgrade: websocket\r\n"
            f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\n"
            "Sec-WebSocket-Version: 13\r\nX-Api-Key: secret\r\n\r\n"
        ).encode()
    )
    answer = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 10)
    assert answer.startswith(b"HTTP/1.1 101"), answer
    return reader, writer


def frame_head(length: int, *, fin: bool = True, opcode: int = 1) -> bytes:
    first = (0x80 if fin else 0) | opcode
    if length < 126:
        return bytes([first, 0x80 | length]) + os.urandom(4)
    return bytes([first, 0x80 | 126]) + struct.pack("!H", length) + os.urandom(4)


async def test_clients_vanishing_mid_message(client: Client) -> None:
    sockets = client.server.app["web_sockets"]
    async with client.ws_connect("/stream") as listener:
        await rpc(listener, 1, "subscribe", {"channel": "tasks"})
        for variant in range(30):
            reader, writer = await raw_websocket(client)
            if variant % 3 == 0:  # a frame announcing 1000 bytes, 10 sent
                writer.write(frame_head(1000) + b"x" * 10)
            elif variant % 3 == 1:  # the first fragment of a message, never finished
                writer.write(frame_head(5, fin=False) + b"abcde")
            else:  # half a frame header
                writer.write(b"\x81")
            await writer.drain()
            writer.transport.abort()
        await still_served(client, listener)
        # a batch of subscribed clients dropping their TCP connection without a close frame
        for _ in range(20):
            ws = await client.ws_connect("/stream")
            await rpc(ws, "s", "subscribe", {"channel": "tasks"})
            transport = ws._response.connection.transport  # the TCP connection itself
            transport.abort()
        await still_served(client, listener)
    await until_no_connections(sockets)


async def test_garbage_gets_errors_and_binary_closes_1003(client: Client) -> None:
    sockets = client.server.app["web_sockets"]
    garbage = [
        "{not json",
        "",
        "[]",
        "null",
        "12345678901234567890123456789012345678901234567890",
        '"text"',
        "[" * 100_000 + "]" * 100_000,
        '{"id": {"x": 1}, "method": "subscribe"}',
        '{"id": 1, "method": ["subscribe"]}',
        '{"id": 1, "method": "subscribe", "payload": "tasks"}',
        '{"id": 1, "method": "subscribe", "payload": {"channel": ""}}',
        '{"id": 1, "method": "publish", "payload": {"channel": "x", "event": "e", "data": 1e999}}',
        '{"id": 1, "method": "__init__"}',
        '{"id": 1, "method": "subscribe", "payload": {"channel": "a\\u0000b"}}',
        '{"id": 1, "method": "publish", "payload": {"channel": "\\u0000", "event": "e"}}',
        '{"id": 1, "method": "_private"}',
        "\u0000",
    ]
    async with client.ws_connect("/stream") as listener, client.ws_connect("/stream") as noisy:
        await rpc(listener, 1, "subscribe", {"channel": "tasks"})
        for text in garbage:
            await noisy.send_str(text)
            answer = await asyncio.wait_for(noisy.receive_json(), 10)
            assert "error" in answer and answer["error"]["message"], (text[:80], answer)
        # still open and answering; odd channel names are names like others
        for channel in ("'; NOTIFY x; --", '"; LISTEN "x', "☃" * 100, "%s$1"):
            answer = await rpc(noisy, channel, "subscribe", {"channel": channel})
            assert answer["result"]
            await noisy.send_json(
                {"id": 3, "method": "publish", "payload": {"channel": channel, "event": "e"}}
            )
            # the answer and the event itself, in either order
            received = [await asyncio.wait_for(noisy.receive_json(), 10) for _ in range(2)]
            assert {"channel": channel, "event": "e", "data": None} in received, received
            assert any(m.get("id") == 3 and "result" in m for m in received), received
        await still_served(client, listener)
        await noisy.send_bytes(b"\x00\x01binary")
        message = await asyncio.wait_for(noisy.receive(), 10)
        while message.type == WSMsgType.TEXT:
            message = await asyncio.wait_for(noisy.receive(), 10)
        assert noisy.close_code == 1003
        await still_served(client, listener)
    await until_no_connections(sockets)


async def test_thousands_of_subscriptions(client: Client) -> None:
    sockets = client.server.app["web_sockets"]
    limit = sockets.max_subscriptions
    async with client.ws_connect("/stream") as listener, client.ws_connect("/stream") as greedy:
        await rpc(listener, "l", "subscribe", {"channel": "tasks"})
        total = 3000
        for n in range(total):
            await greedy.send_json(
                {"id": n, "method": "subscribe", "payload": {"channel": f"channel-{n}"}}
            )
        ok = errors = 0
        for _ in range(total):
            answer = await asyncio.wait_for(greedy.receive_json(), 10)
            if "result" in answer:
                ok += 1
            else:
                assert answer["error"]["errors"][0]["field"] == "channel"
                errors += 1
        assert ok == limit and errors == total - limit
        assert len(sockets.server_info()["channels"]) == limit + 1
        await still_served(client, listener)
        # publishing to every subscribed channel reaches the greedy socket, in order
        for n in range(limit):
            await sockets.publish(f"channel-{n}", "ping", n)
        for n in range(limit):
            message = await asyncio.wait_for(greedy.receive_json(), 10)
            assert message == {"channel": f"channel-{n}", "event": "ping", "data": n}
    await until_no_connections(sockets)


async def test_many_connections_come_and_go(client: Client) -> None:
    sockets = client.server.app["web_sockets"]
    for _ in range(3):
        sockets_open = [await client.ws_connect("/stream") for _ in range(50)]
        for n, ws in enumerate(sockets_open):
            await rpc(ws, n, "subscribe", {"channel": f"room-{n % 5}"})
        assert sockets.server_info()["connections"] == 50
        await sockets.publish("room-1", "hello", {"n": 1})
        for n, ws in enumerate(sockets_open):
            if n % 5 == 1:
                assert (await asyncio.wait_for(ws.receive_json(), 10))["event"] == "hello"
        for ws in sockets_open:
            await ws.close()
        await until_no_connections(sockets)
    assert json.dumps(sockets.server_info()["channels"]) == "{}"
