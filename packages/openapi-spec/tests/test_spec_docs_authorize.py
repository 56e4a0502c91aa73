"""The docs page's Authorize button with every kind of scheme, in a real Chromium: each
operation answers 401 to "Try it out", then 200 once authorized (OAuth2 and OpenID
Connect through a client-credentials token endpoint served here)."""

from __future__ import annotations

import base64
import secrets
import socket
from typing import Any
from urllib.parse import urlsplit

import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer
from openapi.spec import (
    ApiKey,
    ApiPath,
    HttpBasic,
    HttpBearer,
    OAuth2,
    OpenIdConnect,
    match_keys,
    match_users,
    op,
    setup,
)

CLIENT_ID, CLIENT_SECRET = "docs-client", "docs-secret"
#: scheme name -> the path of an operation requiring only it
PATHS = {
    "basic": "/basic",
    "bearer": "/bearer",
    "keyCookie": "/key-cookie",
    "keyHeader": "/key-header",
    "keyQuery": "/key-query",
    "oauth2": "/oauth2",
    "oidc": "/oidc",
}
CLIENT_FIELDS = {
    "input[data-name=clientId]": CLIENT_ID,
    "input[data-name=clientSecret]": CLIENT_SECRET,
}
#: what to type in each scheme's box of the Authorize dialog, by input selector
CREDENTIALS = {
    "basic": {"input[name=username]": "alice", "input[name=password]": "wonderland"},
    "bearer": {"input[type=text]": "bearer-secret"},
    "keyCookie": {"input[type=text]": "cookie-secret"},
    "keyHeader": {"input[type=text]": "header-secret"},
    "keyQuery": {"input[type=text]": "query-secret"},
    "oauth2": CLIENT_FIELDS,
    "oidc": CLIENT_FIELDS,
}


class TokenIssuer:
    """A client-credentials token endpoint and the ``verify`` of the tokens it issued."""

    def __init__(self) -> None:
        self.issued: set[str] = set()

    async def token(self, request: web.Request) -> web.Response:
        form = await request.post()
        client = (form.get("client_id"), form.get("client_secret"))
        header = request.headers.get("Authorization", "")
        if header.startswith("Basic "):
            user, _, password = base64.b64decode(header[6:]).decode().partition(":")
            client = (user, password)
        if client != (CLIENT_ID, CLIENT_SECRET) or form.get("grant_type") != "client_credentials":
            return web.json_response({"error": "invalid_client"}, status=401)
        token = secrets.token_urlsafe(16)
        self.issued.add(token)
        return web.json_response({"access_token": token, "token_type": "bearer"})

    async def verify(self, request: web.Request, token: str, scopes: tuple[str, ...]) -> Any:
        return "oauth-client" if token in self.issued else None


def protected(scheme: str) -> type[ApiPath]:
    class Protected(ApiPath):
        @op(security=[{scheme: []}])
        async def get(self) -> web.Response:
            return self.json_response({"principal": str(self.principal)})

    Protected.__name__ = Protected.__qualname__ = f"{scheme}Path"
    return Protected


def every_scheme_app(base: str) -> web.Application:
    issuer = TokenIssuer()

    async def discovery(request: web.Request) -> web.Response:
        return web.json_response(
            {
                "issuer": base,
                "token_endpoint": f"{base}/oauth/token",
                "grant_types_supported": ["client_credentials"],
            }
        )

    app = web.Application()
    setup(
        app,
        title="Every scheme",
        version="1",
        security={
            "keyHeader": ApiKey("X-Api-Key", verify=match_keys({"header-secret": "h"})),
            "keyQuery": ApiKey("api_key", "query", verify=match_keys({"query-secret": "q"})),
            "keyCookie": ApiKey("session", "cookie", verify=match_keys({"cookie-secret": "c"})),
            "basic": HttpBasic(verify=match_users({"alice": "wonderland"})),
            "bearer": HttpBearer(verify=match_keys({"bearer-secret": "b"})),
            "oauth2": OAuth2(
                {"clientCredentials": {"tokenUrl": f"{base}/oauth/token", "scopes": {}}},
                verify=issuer.verify,
            ),
            "oidc": OpenIdConnect(f"{base}/.well-known/openid-configuration", verify=issuer.verify),
        },
    )
    for scheme, path in PATHS.items():
        app.router.add_view(path, protected(scheme))
    app.router.add_post("/oauth/token", issuer.token)
    app.router.add_get("/.well-known/openid-configuration", discovery)
    return app


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def try_it_out(page: Any, path: str) -> int:
    """Execute the operation of ``path`` from the page; the status the API answered."""
    operation = page.locator(".opblock", has=page.locator(f'[data-path="{path}"]'))
    if not await operation.locator("button.execute").count():
        if not await operation.locator("button.try-out__btn").count():
            await operation.locator(".opblock-summary-control").click()
        await operation.locator("button.try-out__btn").click()
    async with page.expect_response(lambda r: urlsplit(r.url).path == path) as answer:
        await operation.locator("button.execute").click()
    return int((await answer.value).status)


@pytest.mark.browser
async def test_authorize_then_try_it_out_with_every_scheme(
    chromium_options: dict[str, Any],
) -> None:
    from playwright.async_api import async_playwright  # a test dependency: never skipped

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    async with (
        TestServer(every_scheme_app(base), host="127.0.0.1", port=port),
        async_playwright() as playwright,
    ):
        browser = await playwright.chromium.launch(**chromium_options)
        try:
            page = await browser.new_page()
            await page.goto(f"{base}/docs")
            await page.wait_for_selector(".opblock", timeout=30_000)
            before = {scheme: await try_it_out(page, path) for scheme, path in PATHS.items()}
            await page.locator(".btn.authorize").first.click()
            for scheme, fields in CREDENTIALS.items():
                box = page.locator(".auth-container").filter(has_text=scheme).first
                for selector, value in fields.items():
                    await box.locator(selector).fill(value)
                await box.locator("button.authorize").click()
                # authorized: the box offers to log out (OAuth2 once the token came back)
                await box.locator("button", has_text="Logout").wait_for(timeout=15_000)
            await page.locator(".modal-ux button.close-modal").click()
            after = {scheme: await try_it_out(page, path) for scheme, path in PATHS.items()}
        finally:
            await browser.close()
    assert before == dict.fromkeys(PATHS, 401)
    assert after == dict.fromkeys(PATHS, 200)
