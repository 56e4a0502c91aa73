"""CORS: preflights answered from the routes, readable headers, refused origins."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from aiohttp import web
from openapi.spec import ApiKey, ApiPath, Cors, match_keys, op, setup

ClientFactory = Callable[..., Any]
APP_ORIGIN = "https://app.example.com"


class ItemsPath(ApiPath):
    @op()
    async def get(self) -> web.Response:
        return self.json_response([], headers={"X-Total-Count": "0", "Link": "</items>"})

    @op()
    async def post(self) -> web.Response:
        return self.json_response({}, status=201)


async def ping(request: web.Request) -> web.Response:
    return web.json_response({"pong": True})


def cors_app(cors: Any) -> web.Application:
    app = web.Application()
    setup(
        app,
        title="Cors",
        version="1",
        cors=cors,
        security={"apiKey": ApiKey("X-Api-Key", verify=match_keys({"k": "user"}))},
    )
    app.router.add_view("/items", ItemsPath)
    app.router.add_get("/ping", ping)
    return app


def preflight(method: str, headers: str = "", origin: str = APP_ORIGIN) -> dict[str, str]:
    sent = {"Origin": origin, "Access-Control-Request-Method": method}
    if headers:
        sent["Access-Control-Request-Headers"] = headers
    return sent


@pytest.fixture
async def client(aiohttp_client: ClientFactory) -> Any:
    app = cors_app(Cors(origins=[APP_ORIGIN], credentials=True, max_age=60))
    return await aiohttp_client(app)


async def test_preflight_answers_the_methods_of_the_path(client: Any) -> None:
    response = await client.options("/items", headers=preflight("POST", "content-type, x-api-key"))
    assert response.status == 204
    headers = response.headers
    assert headers["Access-Control-Allow-Origin"] == APP_ORIGIN
    assert headers["Access-Control-Allow-Credentials"] == "true"
    assert headers["Access-Control-Allow-Methods"] == "GET, HEAD, POST"
    assert headers["Access-Control-Allow-Headers"] == "content-type, x-api-key"
    assert headers["Access-Control-Max-Age"] == "60"
    assert "Origin" in headers["Vary"]
    # a plain function route: its methods (GET and the HEAD aiohttp adds)
    response = await client.options("/ping", headers=preflight("GET"))
    assert response.status == 204
    assert response.headers["Access-Control-Allow-Methods"] == "GET, HEAD"


async def test_preflight_for_a_method_the_path_lacks_stays_405(client: Any) -> None:
    response = await client.options("/items", headers=preflight("DELETE"))
    assert response.status == 405
    assert await response.json() == {"message": "Method Not Allowed"}
    assert set(response.headers["Allow"].split(",")) == {"GET", "HEAD", "POST"}
    assert "Access-Control-Allow-Methods" not in response.headers
    response = await client.options("/nowhere", headers=preflight("GET"))
    assert response.status == 404
    # OPTIONS without CORS is still the path's 405
    assert (await client.options("/items")).status == 405


async def test_simple_requests_expose_pagination_headers_and_errors(client: Any) -> None:
    response = await client.get("/items", headers={"Origin": APP_ORIGIN, "X-Api-Key": "k"})
    assert response.status == 200
    assert response.headers["Access-Control-Allow-Origin"] == APP_ORIGIN
    assert response.headers["Access-Control-Allow-Credentials"] == "true"
    assert response.headers["Access-Control-Expose-Headers"] == "X-Total-Count, Link"
    # a 401 is readable by the page too
    response = await client.get("/items", headers={"Origin": APP_ORIGIN})
    assert response.status == 401
    assert response.headers["Access-Control-Allow-Origin"] == APP_ORIGIN
    # a JSON HTTPException raised by a view (405 through aiohttp) as well
    response = await client.put("/items", headers={"Origin": APP_ORIGIN})
    assert response.status == 405
    assert response.headers["Access-Control-Allow-Origin"] == APP_ORIGIN


async def test_origins_not_allowed_get_no_cors_headers(client: Any) -> None:
    evil = "https://evil.example.com"
    response = await client.get("/items", headers={"Origin": evil, "X-Api-Key": "k"})
    assert response.status == 200  # the server answers; the browser keeps it from the page
    assert not [h for h in response.headers if h.lower().startswith("access-control-")]
    response = await client.options("/items", headers=preflight("GET", origin=evil))
    assert response.status == 403
    assert not [h for h in response.headers if h.lower().startswith("access-control-")]
    response = await client.options("/items", headers=preflight("GET", "x-secret"))
    assert response.status == 403
    assert await response.json() == {
        "message": "Headers not allowed for cross-origin requests: x-secret"
    }


async def test_any_origin_without_credentials(aiohttp_client: ClientFactory) -> None:
    client = await aiohttp_client(cors_app("*"))
    response = await client.get("/ping", headers={"Origin": "https://anyone.example"})
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert "Access-Control-Allow-Credentials" not in response.headers
    response = await client.options(
        "/items", headers=preflight("POST", origin="https://anyone.example")
    )
    assert response.status == 204
    assert response.headers["Access-Control-Allow-Origin"] == "*"


async def test_methods_restrict_cross_origin_calls(aiohttp_client: ClientFactory) -> None:
    client = await aiohttp_client(cors_app({"origins": [APP_ORIGIN], "methods": ["GET"]}))
    assert (await client.options("/items", headers=preflight("GET"))).status == 204
    response = await client.options("/items", headers=preflight("POST"))
    assert response.status == 403
    assert "Access-Control-Allow-Origin" not in response.headers


def test_configuration_mistakes_are_refused() -> None:
    with pytest.raises(ValueError, match="credentials cannot be allowed to every origin"):
        Cors(origins="*", credentials=True)
    with pytest.raises(ValueError, match="scheme://host"):
        Cors(origins=["https://app.example.com/"])
    with pytest.raises(ValueError, match="'\\*' or a list"):
        Cors(origins=["*", APP_ORIGIN])


class WriteOnlyPath(ApiPath):
    @op()
    async def post(self) -> web.Response:
        return self.json_response({}, status=201)


async def test_head_is_get_without_the_body_and_with_its_security(
    aiohttp_client: ClientFactory,
) -> None:
    app = cors_app(Cors(origins=[APP_ORIGIN]))
    app.router.add_view("/write-only", WriteOnlyPath)
    client = await aiohttp_client(app)
    key = {"X-Api-Key": "k"}
    got = await client.get("/items", headers=key)
    head = await client.head("/items", headers=key)
    assert (got.status, head.status) == (200, 200)
    assert await head.read() == b""
    for name in ("Content-Type", "Content-Length", "X-Total-Count", "Link"):
        assert head.headers[name] == got.headers[name]
    # GET's requirement applies: no key, no answer
    refused = await client.head("/items")
    assert refused.status == 401 and "WWW-Authenticate" in refused.headers
    # no GET, no HEAD
    response = await client.head("/write-only", headers=key)
    assert response.status == 405
    assert set(response.headers["Allow"].split(",")) == {"POST"}
