"""The handshake hook: Sockets(authenticate=...) refuses before the upgrade, keeps the
principal on the connection, and a requirement nothing enforces stops the start."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import aiohttp
import pytest
from aiohttp import web
from openapi.ws import HandshakeNotProtected, Requirement, Sockets, WsPath, ws_rpc

ClientFactory = Callable[..., Any]
seen: list[Any] = []


class Private(WsPath):
    security = [{"token": []}]

    @ws_rpc()
    async def ws_rpc_whoami(self, payload: Any) -> Any:
        return {"view": self.principal, "connection": self.connection.principal}


class Public(WsPath):
    security = []


async def authenticate(request: web.Request, requirement: Requirement | None) -> Any:
    seen.append(requirement)
    if not requirement:
        return None
    if request.query.get("token") != "t0k":
        raise web.HTTPUnauthorized(headers={"WWW-Authenticate": "Bearer"})
    return "robot"


def app_with(**options: Any) -> web.Application:
    app = web.Application()
    Sockets(app, **options)
    app.router.add_view("/private", Private)
    app.router.add_view("/public", Public)
    return app


async def test_handshakes_are_authenticated_before_the_upgrade(
    aiohttp_client: ClientFactory,
) -> None:
    seen.clear()
    client = await aiohttp_client(app_with(authenticate=authenticate))
    with pytest.raises(aiohttp.WSServerHandshakeError) as refused:
        await client.ws_connect("/private")
    assert refused.value.status == 401
    async with client.ws_connect("/private?token=t0k") as ws:
        await ws.send_json({"id": 1, "method": "whoami"})
        answer = await ws.receive_json(timeout=10)
    assert answer["result"] == {"view": "robot", "connection": "robot"}
    async with client.ws_connect("/public") as ws:
        assert not ws.closed
    assert seen == [[{"token": []}], [{"token": []}], []]


async def test_a_requirement_nothing_enforces_stops_the_start(
    aiohttp_client: ClientFactory,
) -> None:
    with pytest.raises(HandshakeNotProtected, match="Private declares security"):
        await aiohttp_client(app_with())
