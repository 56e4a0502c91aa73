"""Size limits: a request body over the maximum (1 MiB, the default rest() keeps) is a 413
JSON answer sent before the body is read whole; a websocket frame over the maximum closes
the socket with 1009."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import requests
from aiohttp import WSMsgType
from aiohttp.test_utils import TestClient

Client = TestClient[Any, Any]

MAX_BODY = 1024 * 1024


async def count(client: Client) -> int:
    response = await client.get("/tasks", params={"limit": 1})
    return int(response.headers["X-Total-Count"])


async def raw_request(client: Client, head: bytes, body: bytes) -> tuple[int, bytes, bytes]:
    """Send ``head`` and ``body`` on a raw socket, then wait for the answer without sending
    anything more: (status, headers, body) of the response."""
    reader, writer = await asyncio.open_connection(client.host, client.port)
    try:
        writer.write(head + body)
        await writer.drain()
        status_line = await asyncio.wait_for(reader.readline(), 10)
        headers = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 10)
        length = 0
        for line in headers.split(b"\r\n"):
            if line.lower().startswith(b"content-length:"):
                length = int(line.split(b":")[1])
        answer = await asyncio.wait_for(reader.readexactly(length), 10)
        return int(status_line.split()[1]), headers, answer
    finally:
        writer.close()


def head(client: Client, extra: str) -> bytes:
    return (
        f"POST /tasks HTTP/1.1\r\nHost: 127.0.0.1:{client.port}\r\nX-Api-Key: secret\r\n"
        f"Content-Type: application/json\r\n{extra}\r\n"
    ).encode()


async def test_body_over_the_maximum_is_413_json(client: Client) -> None:
    before = await count(client)
    payload = json.dumps({"title": "x", "pad": "x" * MAX_BODY}).encode()
    response = await client.post(
        "/tasks", data=payload, headers={"Content-Type": "application/json"}
    )
    assert response.status == 413
    body = await response.json()
    assert body["message"]
    assert await count(client) == before
    # just under the limit is read and validated (the extra key is ignored)
    payload = json.dumps({"title": "x", "pad": "x" * (MAX_BODY - 100)}).encode()
    response = await client.post(
        "/tasks", data=payload, headers={"Content-Type": "application/json"}
    )
    assert response.status == 201


async def test_huge_declared_body_is_answered_before_it_is_sent(client: Client) -> None:
    """100 MB announced, 1.5 MiB sent, nothing more: the 413 must still come."""
    before = await count(client)
    status, headers, answer = await raw_request(
        client, head(client, "Content-Length: 100000000\r\n"), b'{"title": "' + b"x" * 1_500_000
    )
    assert status == 413
    assert b"application/json" in headers.lower()
    assert json.loads(answer)["message"]
    assert await count(client) == before


async def test_huge_chunked_body_is_413(client: Client) -> None:
    before = await count(client)
    chunk = b"x" * 65536
    chunks = b"".join(b"%x\r\n%s\r\n" % (len(chunk), chunk) for _ in range(24))
    status, headers, answer = await raw_request(
        client, head(client, "Transfer-Encoding: chunked\r\n"), b'a\r\n{"title":"\r\n' + chunks
    )
    assert status in (400, 413)
    assert b"application/json" in headers.lower()
    assert json.loads(answer)["message"]
    assert await count(client) == before


async def test_websocket_frame_over_the_maximum_closes_with_1009(client: Client) -> None:
    sockets = client.server.app["web_sockets"]
    async with client.ws_connect("/stream") as big, client.ws_connect("/stream") as other:
        await other.send_json({"id": 1, "method": "subscribe", "payload": {"channel": "tasks"}})
        assert (await asyncio.wait_for(other.receive_json(), 10))["id"] == 1
        await big.send_str(json.dumps({"id": 2, "method": "subscribe", "x": "y" * MAX_BODY}))
        message = await asyncio.wait_for(big.receive(), 10)
        assert message.type in (WSMsgType.CLOSE, WSMsgType.CLOSED, WSMsgType.CLOSING)
        assert big.close_code == 1009
        # the other socket is untouched
        response = await client.post("/tasks", json={"title": "still there"})
        assert response.status == 201
        event = await asyncio.wait_for(other.receive_json(), 10)
        assert event["event"] == "created"
    await until_no_connections(sockets)


async def until_no_connections(sockets: Any) -> None:
    for _ in range(200):
        info = sockets.server_info()
        if info["connections"] == 0 and not info["channels"]:
            return
        await asyncio.sleep(0.05)
    raise AssertionError(sockets.server_info())


async def test_slow_and_vanishing_http_clients_do_not_disturb_others(client: Client) -> None:
    """200 connections stuck mid-headers or mid-body, and clients leaving mid-body: the
    others are served and nothing half-sent is written."""
    before = await count(client)
    stuck = []
    for n in range(200):
        reader, writer = await asyncio.open_connection(client.host, client.port)
        if n % 2:
            writer.write(b"POST /tasks HTTP/1.1\r\nHost: x\r\nX-Api-")  # headers never end
        else:
            writer.write(head(client, "Content-Length: 1000\r\n") + b'{"title": "half')
        await writer.drain()
        stuck.append(writer)
    try:
        response = await client.post("/tasks", json={"title": "served anyway"})
        assert response.status == 201
        response = await client.get("/tasks", params={"limit": 1})
        assert response.status == 200
    finally:
        for writer in stuck:
            writer.transport.abort()
    await asyncio.sleep(0.2)
    assert await count(client) == before + 1


async def test_over_long_request_line_and_header_are_refused(client: Client) -> None:
    """Past 8 KiB aiohttp's HTTP parser refuses the request before the application sees
    it: a 4xx (plain text, from aiohttp), never a 5xx, and the server goes on."""
    before = await count(client)
    for request in (
        f"GET /tasks?search={'x' * 10_000} HTTP/1.1\r\nHost: x\r\nX-Api-Key: secret\r\n\r\n",
        f"GET /tasks HTTP/1.1\r\nHost: x\r\nX-Api-Key: secret\r\nX-Pad: {'x' * 10_000}\r\n\r\n",
        "POST /tasks HTTP/1.1\r\nHost: x\r\n" + "X-A: b\r\n" * 200 + "\r\n",
    ):
        reader, writer = await asyncio.open_connection(client.host, client.port)
        try:
            writer.write(request.encode())
            await writer.drain()
            status_line = await asyncio.wait_for(reader.readline(), 10)
            assert 400 <= int(status_line.split()[1]) < 500, status_line
        finally:
            writer.close()
    assert await count(client) == before


def test_aiohttp_parser_errors_are_json_too(served_example: str) -> None:
    """A request line or header over aiohttp's 8190 bytes is refused by its HTTP parser,
    before the application: `openapi-cli serve` still answers JSON, like every error."""

    cases = [
        ("GET", f"{served_example}/tasks?title={'x' * 9000}", {}),
        ("GET", f"{served_example}/tasks", {"X-Long": "y" * 9000}),
    ]
    for method, url, headers in cases:
        response = requests.request(method, url, headers=headers, timeout=10)
        assert response.status_code == 400, response.text[:200]
        assert response.headers["Content-Type"].startswith("application/json")
        assert response.json() == {"message": "Request line or header too long"}
