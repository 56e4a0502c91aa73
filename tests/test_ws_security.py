"""openapi.spec's security schemes protect openapi.ws handshakes: header, query parameter,
cookie, a bearer token as `access_token`; a JSON 401 before the upgrade."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import aiohttp
import pytest
from aiohttp import web
from openapi.spec import ApiKey, HttpBearer, match_keys, setup
from openapi.ws import Sockets, WsPath, ws_rpc

ClientFactory = Callable[..., Any]


class Stream(WsPath):
    """Under the application's default requirement: any one of the schemes."""

    @ws_rpc()
    async def ws_rpc_whoami(self, payload: Any) -> Any:
        return {"principal": self.connection.principal}


class TokenStream(Stream):
    security = [{"bearer": []}]


class OpenStream(Stream):
    security = []


def secured_app() -> web.Application:
    app = web.Application()
    setup(
        app,
        title="Streams",
        version="1",
        security={
            "apiKey": ApiKey("X-Api-Key", verify=match_keys({"k1": "header-user"})),
            "queryKey": ApiKey("api_key", "query", verify=match_keys({"q1": "query-user"})),
            "cookieKey": ApiKey("session", "cookie", verify=match_keys({"c1": "cookie-user"})),
            "bearer": HttpBearer(verify=match_keys({"b1": "bearer-user"})),
        },
    )
    Sockets(app)
    app.router.add_view("/stream", Stream)
    app.router.add_view("/token-stream", TokenStream)
    app.router.add_view("/open-stream", OpenStream)
    return app


async def whoami(client: Any, path: str, **options: Any) -> Any:
    async with client.ws_connect(path, **options) as ws:
        await ws.send_json({"id": 1, "method": "whoami"})
        answer = await ws.receive_json(timeout=10)
    return answer["result"]["principal"]


@pytest.fixture
async def client(aiohttp_client: ClientFactory) -> Any:
    return await aiohttp_client(secured_app())


@pytest.mark.parametrize(
    ("path", "options", "principal"),
    [
        ("/stream", {"headers": {"X-Api-Key": "k1"}}, "header-user"),
        ("/stream?api_key=q1", {}, "query-user"),
        ("/stream", {"headers": {"Cookie": "session=c1"}}, "cookie-user"),
        # a browser cannot send headers on a websocket: the token goes in the query
        ("/token-stream?access_token=b1", {}, "bearer-user"),
        ("/stream?access_token=b1", {}, "bearer-user"),  # bearer is one of the default's
        ("/token-stream", {"headers": {"Authorization": "Bearer b1"}}, "bearer-user"),
        ("/open-stream", {}, None),
    ],
)
async def test_the_schemes_accept_handshakes(
    client: Any, path: str, options: dict[str, Any], principal: Any
) -> None:
    assert await whoami(client, path, **options) == principal


@pytest.mark.parametrize(
    ("path", "options"),
    [
        ("/stream", {}),
        ("/stream", {"headers": {"X-Api-Key": "wrong"}}),
        ("/token-stream?api_key=q1", {}),
        ("/token-stream?access_token=nope", {}),
    ],
)
async def test_refused_handshakes_get_a_401_before_the_upgrade(
    client: Any, path: str, options: dict[str, Any]
) -> None:
    with pytest.raises(aiohttp.WSServerHandshakeError) as refused:
        await client.ws_connect(path, **options)
    assert refused.value.status == 401


async def test_the_401_is_json_with_a_challenge(client: Any) -> None:
    response = await client.get(
        "/token-stream",
        headers={
            "Upgrade": "websocket",
            "Connection": "Upgrade",
            "Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ==",
            "Sec-WebSocket-Version": "13",
        },
    )
    assert response.status == 401
    assert await response.json() == {"message": "Missing credentials"}
    assert response.headers["WWW-Authenticate"] == 'Bearer realm="api"'
    # only on a websocket handshake is the query token read
    plain = await client.get("/token-stream?access_token=b1")
    assert plain.status == 401


async def test_cors_origins_hold_for_websocket_handshakes(aiohttp_client: ClientFactory) -> None:
    """Browsers apply no CORS to websockets: the allowed origins are checked at the handshake."""
    app = web.Application()
    setup(app, title="Streams", version="1", cors={"origins": ["https://app.example.com"]})
    Sockets(app)
    app.router.add_view("/open-stream", OpenStream)
    client = await aiohttp_client(app)
    for origin in ("https://app.example.com", str(client.make_url("")).rstrip("/")):
        async with client.ws_connect("/open-stream", headers={"Origin": origin}) as ws:
            assert not ws.closed
    with pytest.raises(aiohttp.WSServerHandshakeError) as refused:
        await client.ws_connect("/open-stream", headers={"Origin": "https://evil.example.com"})
    assert refused.value.status == 403
    async with client.ws_connect("/open-stream") as ws:  # no Origin: not a browser
        assert not ws.closed
