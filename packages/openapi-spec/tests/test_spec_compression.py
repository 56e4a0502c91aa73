"""Compression on real requests: gzip above the threshold, brotli when asked (the extra is
installed here), never for event streams, compressed media or small bodies."""

from __future__ import annotations

import gzip
from typing import Any

import brotli
import pytest
from aiohttp import web
from openapi.spec import ApiPath, Compression, op, setup
from openapi.spec.compression import accepted_encodings

ROWS = [{"id": i, "title": f"task number {i}"} for i in range(200)]


class RowsPath(ApiPath):
    @op()
    async def get(self) -> web.Response:
        size = int(self.request.query.get("n", len(ROWS)))
        return self.json_response(ROWS[:size])


async def events(request: web.Request) -> web.Response:
    return web.Response(body=b"data: x\n\n" * 500, content_type="text/event-stream")


async def picture(request: web.Request) -> web.Response:
    return web.Response(body=b"\x89PNG" + b"\x00" * 5000, content_type="image/png")


@pytest.fixture
async def client(aiohttp_client: Any) -> Any:
    app = web.Application()
    app.router.add_view("/rows", RowsPath)
    app.router.add_get("/events", events)
    app.router.add_get("/picture", picture)
    setup(app, title="rows", version="1", compression=Compression(threshold=500))
    return await aiohttp_client(app, auto_decompress=False)


async def test_gzip_above_the_threshold(client: Any) -> None:
    response = await client.get("/rows", headers={"Accept-Encoding": "gzip"})
    assert response.headers["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in response.headers["Vary"]
    raw = await response.read()
    plain = await client.get("/rows", headers={"Accept-Encoding": "identity"})
    assert "Content-Encoding" not in plain.headers
    assert gzip.decompress(raw) == await plain.read()
    assert len(raw) < len(gzip.decompress(raw)) / 3
    small = await client.get("/rows?n=2", headers={"Accept-Encoding": "gzip"})
    assert "Content-Encoding" not in small.headers


async def test_brotli_when_asked(client: Any) -> None:
    response = await client.get("/rows", headers={"Accept-Encoding": "gzip, br"})
    assert response.headers["Content-Encoding"] == "br"
    assert brotli.decompress(await response.read()).startswith(b'[{"id":0')
    refused = await client.get("/rows", headers={"Accept-Encoding": "br;q=0, gzip"})
    assert refused.headers["Content-Encoding"] == "gzip"


async def test_never_for_streams_or_compressed_media(client: Any) -> None:
    for path in ("/events", "/picture"):
        response = await client.get(path, headers={"Accept-Encoding": "gzip, br"})
        assert "Content-Encoding" not in response.headers, path
        assert len(await response.read()) > 4000


def test_accept_encoding_parsing() -> None:
    assert accepted_encodings("gzip;q=0.5, br;q=0, deflate") == {"gzip", "deflate"}
    assert accepted_encodings("*") >= {"gzip", "br"}
    assert accepted_encodings("gzip;q=zero") == frozenset()
