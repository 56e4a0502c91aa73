"""Junk, vanishing clients and broken frames never disturb the other clients."""

from __future__ import annotations

import asyncio
import base64
import json
import os
import struct
from types import ModuleType
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

# JSON as a client can send it: no lone surrogates, integers within 64 bits
texts = st.text(st.characters(exclude_categories=["Cs"]))
integers = st.integers(min_value=-(2**63), max_value=2**63 - 1)
json_values = st.recursive(
    st.none() | st.booleans() | integers | st.floats(allow_nan=False, allow_infinity=False) | texts,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(texts, children, max_size=4),
    max_leaves=12,
)
requests = st.fixed_dictionaries(
    {},
    optional={
        "id": texts | integers | json_values,
        "method": st.sampled_from(
            ["echo", "subscribe", "unsubscribe", "publish", "raw", "nope", "get"]
        )
        | json_values,
        "payload": json_values,
    },
)


@pytest.fixture
async def client(aiohttp_client: Any, ws_app: ModuleType) -> Any:
    return await aiohttp_client(ws_app.create_app())


@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(message=json_values | requests)
async def test_any_json_gets_exactly_one_answer(client: Any, ws_connect: Any, message: Any) -> None:
    ws = getattr(client, "_fuzz_ws", None)
    if ws is None:  # one connection for every example: it must stay open throughout
        ws = client._fuzz_ws = await ws_connect(client.make_url("/stream"))
    await ws.send(message)
    answer = await ws.receive()
    if "channel" in answer:  # a subscriber message from an earlier example
        ws.events.append(answer)
        answer = await ws.receive()
    assert set(answer) in ({"id", "method", "result"}, {"id", "method", "error"}), answer
    if "error" in answer:
        assert isinstance(answer["error"]["message"], str)
        assert isinstance(answer["error"]["errors"], list)
        assert answer["error"]["message"] != "Internal server error"
    # the answer to a well formed request carries its id
    if isinstance(message, dict) and isinstance(message.get("id"), str | int):
        if not isinstance(message["id"], bool):
            assert answer["id"] == message["id"]
    # whatever came before, the connection answers a good request
    await ws.send({"id": "check", "method": "raw", "payload": "ok"})
    answer = await ws.receive()
    while "channel" in answer:
        answer = await ws.receive()
    assert answer == {"id": "check", "method": "raw", "result": "ok"}


class RawWebsocket:
    """A hand-made websocket client, to misbehave below the aiohttp client's level."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader = reader
        self.writer = writer

    @classmethod
    async def connect(cls, host: str, port: int) -> RawWebsocket:
        reader, writer = await asyncio.open_connection(host, port)
        key = base64.b64encode(os.urandom(16)).decode()
        writer.write(
            (
                f"GET /stream HTTP/1.1\r\nHost: {host}:{port}\r\nUpgrade: websocket\r\n"
                f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\n"
                "Sec-WebSocket-Version: 13\r\n\r\n"
            ).encode()
        )
        head = await reader.readuntil(b"\r\n\r\n")
        assert head.startswith(b"HTTP/1.1 101"), head
        return cls(reader, writer)

    def send_text(self, text: str) -> None:
        payload = text.encode()
        mask = os.urandom(4)
        assert len(payload) < 126
        masked = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
        self.writer.write(struct.pack("!BB", 0x81, 0x80 | len(payload)) + mask + masked)

    async def receive_text(self) -> str:
        first, second = await self.reader.readexactly(2)
        assert first == 0x81
        size = second & 0x7F
        if size == 126:
            (size,) = struct.unpack("!H", await self.reader.readexactly(2))
        return (await self.reader.readexactly(size)).decode()


async def wait_for_connections(ws: Any, count: int) -> None:
    for _ in range(500):
        if (await ws.result("server_info"))["connections"] == count:
            return
        await asyncio.sleep(0.01)
    raise AssertionError(f"never {count} connections")


async def test_vanished_client_is_forgotten(client: Any, ws_connect: Any) -> None:
    good = await ws_connect(client.make_url("/stream"))
    await good.result("subscribe", {"channel": "c"})
    raw = await RawWebsocket.connect(client.host, client.port)
    raw.send_text(json.dumps({"id": 1, "method": "subscribe", "payload": {"channel": "c"}}))
    assert json.loads(await raw.receive_text())["result"] == {"subscribed": {"c": ["*"]}}
    # gone without a close frame: a reset connection
    raw.writer.transport.abort()
    for i in range(3):
        await good.result("publish", {"channel": "c", "event": "e", "data": i})
        assert (await good.event())["data"] == i
    await wait_for_connections(good, 1)
    assert (await good.result("server_info"))["channels"] == {"c": {"*": 1}}


@pytest.mark.parametrize(
    "junk",
    [
        b"\x00\x01\x02\x03garbage",  # not a valid frame
        b"\x8f\x80\x00\x00\x00\x00",  # a reserved opcode
        b"\x01\x85" + b"\x00" * 4 + b"hello" + b"\x81\x80\x00\x00\x00\x00",  # bad fragments
    ],
)
async def test_broken_frames_close_only_that_client(
    client: Any, ws_connect: Any, junk: bytes
) -> None:
    good = await ws_connect(client.make_url("/stream"))
    await good.result("subscribe", {"channel": "c"})
    raw = await RawWebsocket.connect(client.host, client.port)
    raw.writer.write(junk)
    # the server answers with a close frame (protocol error) and hangs up
    rest = await asyncio.wait_for(raw.reader.read(), 10)
    assert rest[:1] == b"\x88"
    (code,) = struct.unpack("!H", rest[2:4])
    assert code == 1002
    raw.writer.close()
    await wait_for_connections(good, 1)
    await good.result("publish", {"channel": "c", "event": "e", "data": "still"})
    assert (await good.event())["data"] == "still"


async def test_many_clients_come_and_go(client: Any, ws_connect: Any) -> None:
    listener = await ws_connect(client.make_url("/stream"))
    await listener.result("subscribe", {"channel": "c", "event": "tick"})

    async def visitor(i: int) -> None:
        ws = await ws_connect(client.make_url("/stream"))
        await ws.result("subscribe", {"channel": "c", "event": "*"})
        await ws.result("publish", {"channel": "c", "event": "tick", "data": i})
        await ws.close()

    await asyncio.gather(*(visitor(i) for i in range(30)))
    received = sorted([(await listener.event())["data"] for _ in range(30)])
    assert received == list(range(30))
    await wait_for_connections(listener, 1)
    assert (await listener.result("server_info"))["channels"] == {"c": {"tick": 1}}


async def test_silent_client_is_dropped_by_the_heartbeat(
    aiohttp_client: Any, ws_app: ModuleType, ws_connect: Any
) -> None:
    client = await aiohttp_client(ws_app.create_app(heartbeat=0.1))
    good = await ws_connect(client.make_url("/stream"))  # aiohttp answers pings
    silent = await RawWebsocket.connect(client.host, client.port)  # never answers pings
    silent.send_text(json.dumps({"id": 1, "method": "subscribe", "payload": {"channel": "c"}}))
    assert json.loads(await silent.receive_text())["result"] == {"subscribed": {"c": ["*"]}}
    await wait_for_connections(good, 1)
    assert (await good.result("server_info"))["channels"] == {}
    silent.writer.close()
