"""Streamed responses: a large list as a JSON array or NDJSON, and server-sent events.

Rows are dumped and written as they come from an async iterator (a database cursor),
so memory stays flat in the row count. Server-sent events write ``id:``, ``event:``
and ``data:`` lines, a ``retry:`` advice, and a heartbeat comment every few seconds;
they end when the source ends or the client leaves.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterable, Callable
from dataclasses import dataclass
from typing import Any

from aiohttp import web
from openapi.data.json import dumps_bytes

__all__ = [
    "NDJSON_MEDIA_TYPE",
    "SSE_MEDIA_TYPE",
    "ServerSentEvent",
    "event_stream_response",
    "stream_rows",
]

NDJSON_MEDIA_TYPE = "application/x-ndjson"
SSE_MEDIA_TYPE = "text/event-stream"
JSON_MEDIA_TYPE = "application/json"


async def stream_rows(
    request: web.Request,
    rows: AsyncIterable[Any],
    dump: Callable[[Any], Any] | None = None,
    *,
    media_type: str = NDJSON_MEDIA_TYPE,
    status: int = 200,
    batch: int = 64,
) -> web.StreamResponse:
    """Answer ``rows`` as NDJSON (one JSON document a line) or, with ``media_type``
    ``application/json``, one JSON array; each row is passed through ``dump`` (the
    operation's dumper) and written as it comes, ``batch`` rows a write."""
    if media_type not in (NDJSON_MEDIA_TYPE, JSON_MEDIA_TYPE):
        raise ValueError(f"cannot stream rows as {media_type!r}")
    array = media_type == JSON_MEDIA_TYPE
    response = web.StreamResponse(status=status)
    response.content_type = media_type
    response.charset = None
    response.enable_chunked_encoding()
    await response.prepare(request)
    chunk: list[bytes] = [b"["] if array else []
    first = True
    try:
        async for row in rows:
            body = dumps_bytes(dump(row) if dump is not None else row)
            if array:
                chunk.append(body if first else b"," + body)
            else:
                chunk.append(body + b"\n")
            first = False
            if len(chunk) >= batch:
                await response.write(b"".join(chunk))
                chunk = []
        if array:
            chunk.append(b"]")
        if chunk:
            await response.write(b"".join(chunk))
        await response.write_eof()
    except ConnectionResetError:
        pass  # the client left: no one to write the rest to
    return response


@dataclass(frozen=True, slots=True)
class ServerSentEvent:
    """One server-sent event: ``data`` is JSON-ready (or a string sent as is)."""

    data: Any
    event: str | None = None
    id: str | None = None

    def encode(self) -> bytes:
        lines: list[str] = []
        if self.id is not None:
            lines.append(f"id: {_one_line(self.id)}")
        if self.event is not None:
            lines.append(f"event: {_one_line(self.event)}")
        text = self.data if isinstance(self.data, str) else dumps_bytes(self.data).decode()
        lines.extend(f"data: {line}" for line in text.splitlines() or [""])
        return ("\n".join(lines) + "\n\n").encode()


def _one_line(value: str) -> str:
    return str(value).replace("\r", " ").replace("\n", " ")


async def event_stream_response(
    request: web.Request,
    events: AsyncIterable[ServerSentEvent],
    *,
    retry: float | None = 3.0,
    heartbeat: float = 15.0,
) -> web.StreamResponse:
    """Answer ``events`` as ``text/event-stream``: a ``retry:`` advice (seconds) first,
    then each event as it comes, and a ``: ping`` comment after ``heartbeat`` seconds
    without one. It ends when ``events`` ends or the client leaves (the iterator is
    then closed, so a subscription made in it is released)."""
    response = web.StreamResponse(headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"})
    response.content_type = SSE_MEDIA_TYPE
    response.enable_chunked_encoding()
    await response.prepare(request)
    iterator = aiter(events)
    following: asyncio.Task[ServerSentEvent] | None = None
    try:
        if retry is not None:
            await response.write(f"retry: {int(retry * 1000)}\n\n".encode())
        while True:
            if following is None:
                following = asyncio.ensure_future(anext(iterator))
            done, _ = await asyncio.wait({following}, timeout=heartbeat)
            if not done:
                await response.write(b": ping\n\n")
                continue
            try:
                event = following.result()
            except StopAsyncIteration:
                following = None
                break
            following = None
            await response.write(event.encode())
        await response.write_eof()
    except ConnectionResetError:
        pass  # the client left: the stream ends here
    finally:
        if following is not None:
            following.cancel()
            with contextlib.suppress(BaseException):
                await following
        close = getattr(iterator, "aclose", None)
        if close is not None:
            await close()
    return response
