"""stream_rows and event_stream_response on a real aiohttp server."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Any

from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from openapi.spec import ServerSentEvent, event_stream_response, stream_rows


async def numbers(count: int) -> AsyncIterator[dict[str, int]]:
    for i in range(count):
        yield {"n": i}


async def serve(handler: Any) -> TestClient[Any, Any]:
    app = web.Application()
    app.router.add_get("/", handler)
    client: TestClient[Any, Any] = TestClient(TestServer(app, host="127.0.0.1"))
    await client.start_server()
    return client


async def test_ndjson_and_json_array() -> None:
    async def handler(request: web.Request) -> web.StreamResponse:
        media_type = request.query.get("as", "application/x-ndjson")
        count = int(request.query["count"])
        return await stream_rows(
            request, numbers(count), lambda row: {"n": row["n"] * 2}, media_type=media_type
        )

    client = await serve(handler)
    try:
        for count in (0, 1, 64, 65, 1000):
            response = await client.get(f"/?count={count}")
            assert response.headers["Content-Type"] == "application/x-ndjson"
            lines = (await response.text()).splitlines()
            assert [json.loads(line)["n"] for line in lines] == [2 * i for i in range(count)]
            response = await client.get(f"/?count={count}&as=application/json")
            assert response.headers["Content-Type"] == "application/json"
            assert await response.json() == [{"n": 2 * i} for i in range(count)]
    finally:
        await client.close()


async def test_events_end_with_their_source() -> None:
    async def events() -> AsyncIterator[ServerSentEvent]:
        yield ServerSentEvent({"a": 1}, event="created", id="7")
        yield ServerSentEvent("two\nlines")
        await asyncio.sleep(0.25)  # a heartbeat comes first
        yield ServerSentEvent("bad\nid", id="x\ny")

    async def handler(request: web.Request) -> web.StreamResponse:
        return await event_stream_response(request, events(), retry=1.5, heartbeat=0.1)

    client = await serve(handler)
    try:
        response = await client.get("/")
        assert response.headers["Content-Type"] == "text/event-stream"
        assert response.headers["Cache-Control"] == "no-cache"
        text = await asyncio.wait_for(response.text(), 10)
        messages = text.split("\n\n")
        assert messages[:3] == [
            "retry: 1500",
            'id: 7\nevent: created\ndata: {"a":1}',
            "data: two\ndata: lines",
        ]
        assert ": ping" in messages[3:-2]
        assert messages[-2:] == ["id: x y\ndata: bad\ndata: id", ""]
    finally:
        await client.close()


async def test_a_leaving_client_closes_the_source() -> None:
    closed = asyncio.Event()

    async def forever() -> AsyncIterator[ServerSentEvent]:
        try:
            while True:
                await asyncio.sleep(3600)
                yield ServerSentEvent("never")
        finally:
            closed.set()

    ended = asyncio.Event()
    raised: list[BaseException] = []

    async def handler(request: web.Request) -> web.StreamResponse:
        try:
            return await event_stream_response(request, forever(), heartbeat=0.05)
        except BaseException as exc:
            raised.append(exc)
            raise
        finally:
            ended.set()

    client = await serve(handler)
    try:
        response = await client.get("/")
        assert await response.content.readline() == b"retry: 3000\n"
        response.close()
        await asyncio.wait_for(closed.wait(), 10)
        await asyncio.wait_for(ended.wait(), 10)
        # it returns, or aiohttp cancels the handler of a request whose client left
        assert all(isinstance(exc, asyncio.CancelledError) for exc in raised), raised
    finally:
        await client.close()
