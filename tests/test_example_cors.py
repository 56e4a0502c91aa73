"""A page of another origin calls the example in Chromium: with credentials and reading
X-Total-Count when its origin is allowed, refused by the browser when it is not."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer
from openapi.db.embedded import free_port
from openapi.db.testing import truncate_tables

from tests.example.main import CORS_ORIGINS_ENV, create_app
from tests.test_example_docs import CHROMIUM_ARGS, chromium_path

#: the page's script: create two tasks, then list them and read the total the API exposes
CALL_THE_API = """async (api) => {
  const options = {credentials: "include", headers: {"X-Api-Key": "secret"}};
  try {
    for (const title of ["one", "two"]) {
      const created = await fetch(api + "/tasks", {
        ...options, method: "POST",
        headers: {...options.headers, "Content-Type": "application/json"},
        body: JSON.stringify({title}),
      });
      if (created.status !== 201) return {error: "create answered " + created.status};
    }
    const listed = await fetch(api + "/tasks?limit=1", options);
    return {status: listed.status, total: listed.headers.get("X-Total-Count"),
            link: listed.headers.get("Link") !== null, count: (await listed.json()).length};
  } catch (error) {
    return {error: String(error)};
  }
}"""


async def page_html(request: web.Request) -> web.Response:
    return web.Response(text="<!DOCTYPE html><title>front end</title>", content_type="text/html")


def front_end() -> web.Application:
    app = web.Application()
    app.router.add_get("/", page_html)
    return app


@pytest.fixture
async def servers(
    example_db_url: str, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[tuple[str, str, str]]:
    """(the API, an allowed front end, a front end of an origin not allowed)."""
    allowed_port, other_port = free_port(), free_port()
    monkeypatch.setenv("DATASTORE", example_db_url)
    monkeypatch.setenv(CORS_ORIGINS_ENV, f"http://127.0.0.1:{allowed_port}")
    app = create_app().web()
    async with (
        TestServer(app, host="127.0.0.1") as api,
        TestServer(front_end(), host="127.0.0.1", port=allowed_port) as allowed,
        TestServer(front_end(), host="127.0.0.1", port=other_port) as other,
    ):
        yield (
            str(api.make_url("")).rstrip("/"),
            str(allowed.make_url("/")),
            str(other.make_url("/")),
        )
    await truncate_tables(example_db_url, app["db"].metadata)


@pytest.mark.browser
async def test_pages_of_other_origins(servers: tuple[str, str, str]) -> None:
    from playwright.async_api import async_playwright

    api, allowed_page, other_page = servers
    results: dict[str, Any] = {}
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=chromium_path(), args=CHROMIUM_ARGS
        )
        try:
            page = await browser.new_page()
            for name, url in (("allowed", allowed_page), ("other", other_page)):
                await page.goto(url)
                results[name] = await page.evaluate(CALL_THE_API, api)
        finally:
            await browser.close()
    assert results["allowed"] == {"status": 200, "total": "2", "link": True, "count": 1}
    # the browser refuses: no CORS headers for that origin, so the preflight fails
    assert results["other"] == {"error": "TypeError: Failed to fetch"}
