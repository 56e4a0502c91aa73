"""JwtVerifier: JWTs checked with a key, a JWKS document or a JWKS URL served on
127.0.0.1, through HttpBearer and OAuth2 schemes on real requests."""

from __future__ import annotations

import base64
import json
import time
from collections.abc import Callable
from typing import Any

import jwt
import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm
from openapi.spec import ApiPath, HttpBearer, OAuth2, op, setup
from openapi.spec.jwt_bearer import JwtVerifier, token_scopes

ClientFactory = Callable[..., Any]
ISSUER = "https://auth.example.com/"
AUDIENCE = "tasks-api"
FLOWS = {
    "clientCredentials": {
        "tokenUrl": "https://auth.example.com/token",
        "scopes": {"tasks:read": "read", "tasks:write": "write"},
    }
}


def rsa_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


KEY_A = rsa_key()
KEY_B = rsa_key()


def jwks_of(*keys: tuple[str, rsa.RSAPrivateKey]) -> dict[str, Any]:
    documents = []
    for kid, key in keys:
        document = json.loads(RSAAlgorithm.to_jwk(key.public_key()))
        documents.append({**document, "kid": kid, "alg": "RS256", "use": "sig"})
    return {"keys": documents}


def token(key: rsa.RSAPrivateKey = KEY_A, kid: str | None = "a", **claims: Any) -> str:
    now = int(time.time())
    payload = {"iss": ISSUER, "aud": AUDIENCE, "sub": "user-1", "exp": now + 60, **claims}
    payload = {name: value for name, value in payload.items() if value is not None}
    headers = {"kid": kid} if kid else None
    return jwt.encode(payload, key, algorithm="RS256", headers=headers)


class MePath(ApiPath):
    @op()
    async def get(self) -> web.Response:
        return self.json_response({"sub": self.principal["sub"]})

    @op(security=[{"oauth2": ["tasks:write"]}])
    async def post(self) -> web.Response:
        return self.json_response({"sub": self.principal["sub"]})


def jwt_app(verifier: JwtVerifier) -> web.Application:
    app = web.Application()
    setup(
        app,
        title="JWT",
        version="1",
        security={
            "bearer": HttpBearer(verify=verifier, bearer_format="JWT"),
            "oauth2": OAuth2(FLOWS, verify=verifier),
        },
    )
    app.router.add_view("/me", MePath)
    return app


def checked(**options: Any) -> JwtVerifier:
    return JwtVerifier(audience=AUDIENCE, issuer=ISSUER, **options)


async def status_of(client: Any, value: str, method: str = "GET") -> int:
    response = await client.request(method, "/me", headers={"Authorization": f"Bearer {value}"})
    return int(response.status)


@pytest.mark.parametrize(
    "source",
    [
        {"jwks": jwks_of(("a", KEY_A))},
        {"jwks": json.dumps(jwks_of(("a", KEY_A)))},
        {"key": KEY_A.public_key()},
    ],
    ids=["jwks-dict", "jwks-json", "key"],
)
async def test_valid_and_invalid_tokens(
    aiohttp_client: ClientFactory, source: dict[str, Any]
) -> None:
    client = await aiohttp_client(jwt_app(checked(leeway=30, **source)))
    response = await client.get("/me", headers={"Authorization": f"Bearer {token()}"})
    assert response.status == 200
    assert await response.json() == {"sub": "user-1"}
    now = int(time.time())
    assert await status_of(client, token(exp=now - 10)) == 200  # within the leeway
    assert await status_of(client, token(exp=now - 120)) == 401
    assert await status_of(client, token(nbf=now + 10)) == 200
    assert await status_of(client, token(nbf=now + 120)) == 401
    assert await status_of(client, token(aud="other-api")) == 401
    assert await status_of(client, token(iss="https://evil.example.com/")) == 401
    assert await status_of(client, token(KEY_B)) == 401  # signed by another key
    assert await status_of(client, token(exp=None)) == 401  # exp is required
    assert await status_of(client, "not.a.jwt") == 401
    odd_kid = ".".join(  # a kid that is no string: PyJWT would not make one
        base64.urlsafe_b64encode(json.dumps(part).encode()).decode().rstrip("=")
        for part in ({"alg": "RS256", "kid": [1]}, {"exp": now + 60}, "sig")
    )
    assert await status_of(client, odd_kid) == 401
    unsigned = jwt.encode({"iss": ISSUER, "aud": AUDIENCE, "exp": now + 60}, None, "none")
    assert await status_of(client, unsigned) == 401


async def test_scopes_from_scope_or_scp(aiohttp_client: ClientFactory) -> None:
    client = await aiohttp_client(jwt_app(checked(jwks=jwks_of(("a", KEY_A)))))
    assert await status_of(client, token(scope="tasks:read tasks:write"), "POST") == 200
    assert await status_of(client, token(scp=["tasks:write"]), "POST") == 200
    response = await client.post(
        "/me", headers={"Authorization": f"Bearer {token(scope='tasks:read')}"}
    )
    assert response.status == 403
    assert await response.json() == {"message": "Missing required scope: tasks:write"}
    assert token_scopes({"scp": "a b"}) == {"a", "b"}
    assert token_scopes({}) == frozenset()


async def test_jwks_url_fetched_by_the_app_and_refreshed_for_a_new_key(
    aiohttp_client: ClientFactory,
) -> None:
    published = {"document": jwks_of(("a", KEY_A))}
    fetches: list[float] = []

    async def jwks(request: web.Request) -> web.Response:
        fetches.append(time.monotonic())
        return web.json_response(published["document"])

    provider = web.Application()
    provider.router.add_get("/jwks.json", jwks)
    async with TestServer(provider, host="127.0.0.1") as server:
        verifier = checked(jwks_url=str(server.make_url("/jwks.json")), refresh_interval=0)
        client = await aiohttp_client(jwt_app(verifier))
        assert await status_of(client, token()) == 200
        assert await status_of(client, token()) == 200
        assert len(fetches) == 1  # cached
        # the provider rotates to key b: a token naming it makes the app fetch again
        published["document"] = jwks_of(("a", KEY_A), ("b", KEY_B))
        assert await status_of(client, token(KEY_B, kid="b")) == 200
        assert len(fetches) == 2
        assert await status_of(client, token(KEY_B, kid="unknown")) == 401


async def test_unreachable_jwks_url_is_a_503(aiohttp_client: ClientFactory) -> None:
    provider = web.Application()
    async with TestServer(provider, host="127.0.0.1") as server:
        url = str(server.make_url("/missing.json"))
    client = await aiohttp_client(jwt_app(checked(jwks_url=url)))
    response = await client.get("/me", headers={"Authorization": f"Bearer {token()}"})
    assert response.status == 503
    assert await response.json() == {"message": "The token signing keys cannot be fetched"}


def test_configuration_mistakes() -> None:
    with pytest.raises(ValueError, match="one of key, jwks or jwks_url"):
        JwtVerifier()
    with pytest.raises(ValueError, match="'none' is refused"):
        JwtVerifier(key="secret", algorithms=["none"])
