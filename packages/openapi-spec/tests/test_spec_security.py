"""Security schemes: documented and enforced alike, checked on real requests."""

from __future__ import annotations

import asyncio
import base64
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from aiohttp import web
from openapi.spec import (
    ApiKey,
    ApiPath,
    HttpBasic,
    HttpBearer,
    InsufficientScope,
    InvalidSpecError,
    OAuth2,
    OpenIdConnect,
    match_keys,
    match_users,
    op,
    principal_of,
    setup,
)

ClientFactory = Callable[..., Any]

FLOWS = {
    "clientCredentials": {
        "tokenUrl": "https://auth.example.com/token",
        "scopes": {"tasks:read": "read tasks", "tasks:write": "change tasks"},
    }
}
#: tokens of the OAuth2 and OpenID Connect schemes and the scopes they grant
TOKENS = {"reader": ("tasks:read",), "writer": ("tasks:read", "tasks:write")}


async def verify_token(request: web.Request, token: str, scopes: tuple[str, ...]) -> Any:
    granted = TOKENS.get(token)
    if granted is None:
        return None
    missing = [scope for scope in scopes if scope not in granted]
    if missing:
        raise InsufficientScope(missing)
    return {"token": token}


@dataclass
class Note:
    text: str


seen_principals: list[Any] = []


class NotesPath(ApiPath):
    @op(response_schema=list[Note])
    async def get(self) -> web.Response:
        """
        ---
        summary: Notes, for any of the schemes
        """
        seen_principals.append((self.principal, principal_of(self.request)))
        return self.json_response([{"text": "hello"}])

    @op(body_schema=Note, response_schema=Note, security=[{"oauth2": ["tasks:write"]}])
    async def post(self) -> web.Response:
        data = await self.json_data()
        return self.json_response(data)

    @op(security=[])
    async def delete(self) -> web.Response:
        return self.json_response({"public": True})


class KeyAndTokenPath(ApiPath):
    @op(security=[{"apiKey": [], "bearer": []}])
    async def get(self) -> web.Response:
        return self.json_response({"principal": self.principal})


def secured_app(**options: Any) -> web.Application:
    app = web.Application()
    setup(
        app,
        title="Secured",
        version="1",
        security={
            "apiKey": ApiKey("X-Api-Key", verify=match_keys({"k1": "key-user"})),
            "queryKey": ApiKey("api_key", "query", verify=match_keys({"q1": "query-user"})),
            "cookieKey": ApiKey("session", "cookie", verify=match_keys({"c1": "cookie-user"})),
            "basic": HttpBasic(verify=match_users({"alice": "wonderland"}), realm="notes"),
            "bearer": HttpBearer(verify=match_keys({"b1": "bearer-user"}), bearer_format="opaque"),
            "oauth2": OAuth2(FLOWS, verify=verify_token),
            "oidc": OpenIdConnect(
                "https://auth.example.com/.well-known/openid-configuration", verify=verify_token
            ),
            "legacy": {"type": "http", "scheme": "digest"},
        },
        default_security=options.pop("default_security", None),
        **options,
    )
    app.router.add_view("/notes", NotesPath)
    app.router.add_view("/both", KeyAndTokenPath)
    return app


def basic(user: str, password: str) -> dict[str, str]:
    encoded = base64.b64encode(f"{user}:{password}".encode()).decode()
    return {"Authorization": f"Basic {encoded}"}


SCHEMES_DEFAULT = [
    {"apiKey": []},
    {"queryKey": []},
    {"cookieKey": []},
    {"basic": []},
    {"bearer": []},
    {"oauth2": []},
    {"oidc": []},
]


@pytest.fixture
async def client(aiohttp_client: ClientFactory) -> Any:
    return await aiohttp_client(secured_app(default_security=SCHEMES_DEFAULT))


@pytest.mark.parametrize(
    ("request_options", "principal"),
    [
        ({"headers": {"X-Api-Key": "k1"}}, "key-user"),
        ({"params": {"api_key": "q1"}}, "query-user"),
        ({"cookies": {"session": "c1"}}, "cookie-user"),
        ({"headers": basic("alice", "wonderland")}, "alice"),
        ({"headers": {"Authorization": "Bearer b1"}}, "bearer-user"),
        ({"headers": {"Authorization": "bearer reader"}}, {"token": "reader"}),
    ],
)
async def test_every_scheme_accepts_its_credentials(
    client: Any, request_options: dict[str, Any], principal: Any
) -> None:
    seen_principals.clear()
    response = await client.get("/notes", **request_options)
    assert response.status == 200, await response.text()
    assert seen_principals == [(principal, principal)]


@pytest.mark.parametrize(
    "request_options",
    [
        {},
        {"headers": {"X-Api-Key": "wrong"}},
        {"params": {"api_key": "k1"}},  # a header key is no query key
        {"cookies": {"session": "q1"}},
        {"headers": basic("alice", "wrong")},
        {"headers": basic("bob", "wonderland")},
        {"headers": {"Authorization": "Basic !!!not-base64"}},
        {"headers": {"Authorization": "Basic " + base64.b64encode(b"no-colon").decode()}},
        {"headers": {"Authorization": "Bearer nope"}},
        {"headers": {"Authorization": "Bearer"}},
    ],
)
async def test_missing_or_wrong_credentials_are_a_json_401_with_challenges(
    client: Any, request_options: dict[str, Any]
) -> None:
    response = await client.get("/notes", **request_options)
    assert response.status == 401
    body = await response.json()
    assert body["message"] in ("Missing credentials", "Invalid credentials")
    challenge = response.headers["WWW-Authenticate"]
    assert 'Basic realm="notes", charset="UTF-8"' in challenge
    assert 'Bearer realm="api"' in challenge
    assert 'ApiKey in="header", name="X-Api-Key"' in challenge


async def test_invalid_bearer_token_says_invalid_token(aiohttp_client: ClientFactory) -> None:
    client = await aiohttp_client(secured_app(default_security=[{"bearer": []}]))
    response = await client.get("/notes", headers={"Authorization": "Bearer nope"})
    assert response.status == 401
    assert await response.json() == {"message": "Invalid credentials"}
    assert response.headers["WWW-Authenticate"] == 'Bearer realm="api", error="invalid_token"'
    response = await client.get("/notes")
    assert await response.json() == {"message": "Missing credentials"}
    assert response.headers["WWW-Authenticate"] == 'Bearer realm="api"'


async def test_basic_challenge_keeps_browsers_from_prompting_over_a_page(
    aiohttp_client: ClientFactory,
) -> None:
    client = await aiohttp_client(secured_app(default_security=[{"basic": []}]))
    challenges = {}
    for mode in ("navigate", "cors", "same-origin"):
        response = await client.get("/notes", headers={"Sec-Fetch-Mode": mode})
        assert response.status == 401
        challenges[mode] = response.headers["WWW-Authenticate"]
    xhr = await client.get("/notes", headers={"X-Requested-With": "XMLHttpRequest"})
    assert challenges == {
        "navigate": 'Basic realm="notes", charset="UTF-8"',
        "cors": 'xBasic realm="notes", charset="UTF-8"',
        "same-origin": 'xBasic realm="notes", charset="UTF-8"',
    }
    assert xhr.headers["WWW-Authenticate"] == 'xBasic realm="notes", charset="UTF-8"'


async def test_missing_scope_is_a_403_naming_it(client: Any) -> None:
    response = await client.post(
        "/notes", json={"text": "x"}, headers={"Authorization": "Bearer reader"}
    )
    assert response.status == 403
    assert await response.json() == {"message": "Missing required scope: tasks:write"}
    assert response.headers["WWW-Authenticate"] == (
        'Bearer realm="api", error="insufficient_scope", scope="tasks:write"'
    )
    response = await client.post(
        "/notes", json={"text": "x"}, headers={"Authorization": "Bearer writer"}
    )
    assert response.status == 200
    assert await response.json() == {"text": "x"}
    # the API key does not satisfy an operation that requires oauth2
    response = await client.post("/notes", json={"text": "x"}, headers={"X-Api-Key": "k1"})
    assert response.status == 401


async def test_public_operation_and_all_schemes_of_an_alternative(client: Any) -> None:
    response = await client.delete("/notes")
    assert response.status == 200
    # {"apiKey": [], "bearer": []}: both are needed; the principal is the first one's
    assert (await client.get("/both", headers={"X-Api-Key": "k1"})).status == 401
    response = await client.get("/both", headers={"X-Api-Key": "k1", "Authorization": "Bearer b1"})
    assert response.status == 200
    assert await response.json() == {"principal": "key-user"}
    # 405 stays 405 for a method the path lacks, credentials or not
    assert (await client.put("/notes")).status == 405


async def test_no_body_is_read_before_authentication(client: Any) -> None:
    """A refused client gets its 401 while its body is still on the way."""
    host, port = client.server.host, client.server.port
    reader, writer = await asyncio.open_connection(host, port)
    try:
        writer.write(
            b"POST /notes HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            b'Content-Length: 100000\r\n\r\n{"text": '
        )
        await writer.drain()
        status_line = await asyncio.wait_for(reader.readline(), 5)
    finally:
        writer.close()
    assert status_line.startswith(b"HTTP/1.1 401")


def test_the_document_carries_what_is_enforced() -> None:
    app = secured_app()
    doc = app["openapi_spec"].document()
    schemes = doc["components"]["securitySchemes"]
    assert schemes["apiKey"] == {"type": "apiKey", "name": "X-Api-Key", "in": "header"}
    assert schemes["queryKey"] == {"type": "apiKey", "name": "api_key", "in": "query"}
    assert schemes["cookieKey"] == {"type": "apiKey", "name": "session", "in": "cookie"}
    assert schemes["basic"] == {"type": "http", "scheme": "basic"}
    assert schemes["bearer"] == {"type": "http", "scheme": "bearer", "bearerFormat": "opaque"}
    assert schemes["oauth2"] == {"type": "oauth2", "flows": FLOWS}
    assert schemes["oidc"]["type"] == "openIdConnect"
    assert schemes["legacy"] == {"type": "http", "scheme": "digest"}
    # the default: any one of the schemes
    assert {name for alternative in doc["security"] for name in alternative} == set(schemes)
    notes = doc["paths"]["/notes"]
    assert "security" not in notes["get"]  # the root requirement applies
    assert list(notes["get"]["responses"]) == ["200", "401"]
    assert "WWW-Authenticate" in notes["get"]["responses"]["401"]["headers"]
    assert notes["post"]["security"] == [{"oauth2": ["tasks:write"]}]
    assert {"401", "403"} <= set(notes["post"]["responses"])
    assert notes["delete"]["security"] == []
    assert list(notes["delete"]["responses"]) == ["200"]
    assert doc["paths"]["/both"]["get"]["security"] == [{"apiKey": [], "bearer": []}]


class UnknownSchemePath(ApiPath):
    @op(security=[{"nope": []}])
    async def get(self) -> web.Response:
        return self.json_response({})


class ScopedKeyPath(ApiPath):
    @op(security=[{"apiKey": ["admin"]}])
    async def get(self) -> web.Response:
        return self.json_response({})


class UndeclaredScopePath(ApiPath):
    @op(security=[{"oauth2": ["tasks:delete"]}])
    async def get(self) -> web.Response:
        return self.json_response({})


@pytest.mark.parametrize(
    ("view", "message"),
    [
        (UnknownSchemePath, "unknown security scheme 'nope'"),
        (ScopedKeyPath, "'apiKey' takes no scopes"),
        (UndeclaredScopePath, "scopes ['tasks:delete'] are not declared by the flows"),
    ],
)
async def test_declaration_mistakes_stop_the_start(
    aiohttp_client: ClientFactory, view: type[ApiPath], message: str
) -> None:
    app = secured_app()
    app.router.add_view("/wrong", view)
    with pytest.raises(InvalidSpecError, match=re.escape(message)):
        await aiohttp_client(app)
