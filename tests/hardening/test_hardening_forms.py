"""Form and multipart bodies against the example's CSV import (``POST /tasks/import``):
a truncated body, a boundary that never comes, a file over the limit, 10 000 fields and
hostile file names all answer a 4xx JSON error, and no task is created."""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any

import aiohttp
from aiohttp.test_utils import TestClient

Client = TestClient[Any, Any]

MAX_BODY = 1024 * 1024
BOUNDARY = "b0undary"
MULTIPART = f"multipart/form-data; boundary={BOUNDARY}"


async def count(client: Client) -> int:
    response = await client.get("/tasks", params={"limit": 1})
    return int(response.headers["X-Total-Count"])


def csv_part(content: bytes, filename: str = "tasks.csv") -> bytes:
    return (
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="{filename}"\r\n'
        "Content-Type: text/csv\r\n\r\n"
    ).encode() + content


def head(client: Client, extra: str) -> bytes:
    return (
        f"POST /tasks/import HTTP/1.1\r\nHost: 127.0.0.1:{client.port}\r\nX-Api-Key: secret\r\n"
        f"Content-Type: {MULTIPART}\r\n{extra}\r\n"
    ).encode()


async def read_answer(reader: asyncio.StreamReader) -> tuple[int, bytes]:
    status_line = await asyncio.wait_for(reader.readline(), 10)
    headers = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 10)
    length = 0
    for line in headers.split(b"\r\n"):
        if line.lower().startswith(b"content-length:"):
            length = int(line.split(b":")[1])
    return int(status_line.split()[1]), await asyncio.wait_for(reader.readexactly(length), 10)


async def test_a_csv_file_creates_its_tasks_all_or_none(client: Client) -> None:
    before = await count(client)
    form = aiohttp.FormData()
    form.add_field("file", b"title,severity\nfirst,1\nsecond,\nthird,5\n", filename="t.csv")
    form.add_field("done", "true")
    response = await client.post("/tasks/import", data=form)
    assert response.status == 201, await response.text()
    tasks = await response.json()
    assert [(t["title"], t.get("severity"), t["done"]) for t in tasks] == [
        ("first", 1, True),
        ("second", None, True),
        ("third", 5, True),
    ]
    assert await count(client) == before + 3
    form = aiohttp.FormData()
    form.add_field("file", b"title,severity\nok,1\nbad,9\n", filename="t.csv")
    response = await client.post("/tasks/import", data=form)
    assert response.status == 422
    assert [e["field"] for e in (await response.json())["errors"]] == ["file.3.severity"]
    assert await count(client) == before + 3


async def test_a_truncated_multipart_body_is_400(client: Client) -> None:
    before = await count(client)
    body = csv_part(b"title\nnever stored\n")  # no closing boundary, then the body ends
    reader, writer = await asyncio.open_connection(client.host, client.port)
    try:
        writer.write(head(client, f"Content-Length: {len(body)}\r\n") + body)
        await writer.drain()
        status, answer = await read_answer(reader)
    finally:
        writer.close()
    assert status == 400, answer
    assert b"Malformed form body" in answer
    assert await count(client) == before


async def test_a_boundary_that_never_comes_is_413_as_the_limit_passes(client: Client) -> None:
    before = await count(client)
    reader, writer = await asyncio.open_connection(client.host, client.port)

    async def send_forever() -> None:
        writer.write(head(client, "Transfer-Encoding: chunked\r\n"))
        first = csv_part(b"title\n")
        writer.write(f"{len(first):x}\r\n".encode() + first + b"\r\n")
        chunk = b"x" * 65536
        while True:  # ends when the server closes the connection or the test cancels it
            writer.write(f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n")
            await writer.drain()

    sender = asyncio.create_task(send_forever())
    try:
        status, answer = await read_answer(reader)
    finally:
        sender.cancel()
        with contextlib.suppress(BaseException):
            await sender
        writer.close()
    assert status == 413, answer
    assert b"larger than" in answer
    assert await count(client) == before


async def test_a_file_over_the_limit_is_413(client: Client) -> None:
    before = await count(client)
    form = aiohttp.FormData()
    form.add_field("file", b"title\n" + b"y" * (MAX_BODY + 10), filename="big.csv")
    response = await client.post("/tasks/import", data=form)
    assert response.status == 413
    assert (await response.json())["message"]
    assert await count(client) == before


async def test_a_form_with_10000_fields_is_413(client: Client) -> None:
    many = [("done", "true")] * 10_000
    response = await client.post("/tasks/import", data=many)
    assert response.status == 415  # urlencoded: not what the import reads
    form = aiohttp.FormData(many, default_to_multipart=True)
    response = await client.post("/tasks/import", data=form)
    assert response.status == 413  # 10 000 parts pass the 1 MiB limit before the count
    assert (await response.json())["message"]
    small = aiohttp.FormData([("d", "1")] * 1001, default_to_multipart=True)
    response = await client.post("/tasks/import", data=small)
    assert response.status == 413
    assert "more than 1000 fields" in (await response.json())["message"]


async def test_hostile_file_names_never_reach_the_view_whole(client: Client) -> None:
    before = await count(client)
    body = csv_part(b"title\nnamed\n", filename="../../x/..\\\\t%00.csv")
    body += f"\r\n--{BOUNDARY}--\r\n".encode()
    response = await client.post("/tasks/import", data=body, headers={"Content-Type": MULTIPART})
    assert response.status == 201, await response.text()
    assert await count(client) == before + 1
    body = csv_part(b"title\nnul\n", filename="a\x00.csv") + f"\r\n--{BOUNDARY}--\r\n".encode()
    response = await client.post("/tasks/import", data=body, headers={"Content-Type": MULTIPART})
    assert response.status == 400
    assert await count(client) == before + 1
