"""The offline docs page: assets from swagger-ui-py, and a real browser rendering it."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer
from openapi.spec import DocsPage
from openapi.spec.docs import MISSING_MESSAGE, swagger_ui_static

ClientFactory = Callable[..., Any]


async def test_docs_page_links_local_assets(
    aiohttp_client: ClientFactory, task_app: web.Application
) -> None:
    client = await aiohttp_client(task_app)
    response = await client.get("/docs")
    assert response.status == 200
    assert response.content_type == "text/html"
    page = await response.text()
    assert '<script src="docs/static/swagger-ui-bundle.js">' in page
    assert '"url": "spec"' in page
    assert '"validatorUrl": null' in page
    assert "http://" not in page and "https://" not in page  # no CDN
    for name, content_types in [
        ("swagger-ui-bundle.js", ("text/javascript", "application/javascript")),
        ("swagger-ui.css", ("text/css",)),
    ]:
        asset = await client.get(f"/docs/static/{name}")
        assert asset.status == 200
        assert asset.content_type in content_types
        assert len(await asset.read()) > 10_000
    missing = await client.get("/docs/static/oauth2-redirect.html")
    assert missing.status == 404
    assert await missing.json() == {"message": "Not Found"}


async def test_docs_relative_links_under_a_prefix() -> None:
    page = DocsPage("/api/v1/docs", "/api/v1/spec", "T <b>", Path("/nowhere")).html().decode()
    assert '"url": "spec"' in page
    assert 'href="docs/static/swagger-ui.css"' in page
    assert "<title>T &lt;b&gt;</title>" in page


async def test_docs_page_at_the_root(aiohttp_client: ClientFactory) -> None:
    app = web.Application()
    DocsPage("/", "/api/spec", "API", swagger_ui_static()).install(app)
    client = await aiohttp_client(app)
    page = await (await client.get("/")).text()
    assert '"url": "api/spec"' in page
    assert '<script src="static/swagger-ui-bundle.js">' in page
    assert (await client.get("/static/swagger-ui.css")).status == 200


async def test_docs_without_swagger_ui_answers_json_501(aiohttp_client: ClientFactory) -> None:
    app = web.Application()
    DocsPage("/docs", "/spec", "API", None).install(app)
    client = await aiohttp_client(app)
    for path in ("/docs", "/docs/static/swagger-ui.css"):
        response = await client.get(path)
        assert response.status == 501
        assert await response.json() == {"message": MISSING_MESSAGE}
    assert "aio-openapi-spec[docs]" in MISSING_MESSAGE


def test_swagger_ui_assets_found() -> None:
    static = swagger_ui_static()
    assert static is not None
    assert (static / "swagger-ui-bundle.js").is_file()


@pytest.fixture
async def served_task_app(task_app: web.Application) -> AsyncIterator[TestServer]:
    server = TestServer(task_app, host="127.0.0.1")
    await server.start_server()
    try:
        yield server
    finally:
        await server.close()


@pytest.mark.browser
async def test_browser_renders_operations(
    served_task_app: TestServer, chromium_options: dict[str, Any]
) -> None:
    from playwright.async_api import async_playwright  # a test dependency: never skipped

    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(**chromium_options)
        try:
            page = await browser.new_page()
            failed: list[str] = []
            errors: list[str] = []
            page.on("requestfailed", lambda request: failed.append(request.url))
            page.on("pageerror", lambda error: errors.append(str(error)))
            page.on(
                "console",
                lambda message: errors.append(message.text) if message.type == "error" else None,
            )
            await page.goto(str(served_task_app.make_url("/docs")))
            await page.wait_for_selector(".opblock", timeout=30_000)
            summaries = await page.locator(".opblock-summary-path").all_inner_texts()
            methods = await page.locator(".opblock-summary-method").all_inner_texts()
            title = await page.locator(".info .title").inner_text()
            tag = await page.locator(".opblock-tag").first.inner_text()
            # the page is usable: "Try it out" on GET /tasks reaches the API
            operation = page.locator(".opblock-get").filter(has_text="List tasks").first
            await operation.locator(".opblock-summary").click()
            await operation.locator("button.try-out__btn").click()
            await operation.locator("button.execute").click()
            status = operation.locator(".live-responses-table tbody .response-col_status").first
            await status.wait_for(timeout=30_000)
            executed_status = (await status.inner_text()).strip()
        finally:
            await browser.close()
    assert failed == []
    assert errors == []
    assert "Task API" in title
    assert "Task" in tag
    paths = {p.replace("\u200b", "").strip() for p in summaries}
    assert {"/tasks", "/tasks/{id}"} <= paths
    assert sorted(methods) == ["DELETE", "GET", "GET", "PATCH", "POST"]
    assert executed_status == "200"


@pytest.fixture
async def served_everything_app(
    everything_app_factory: Callable[[], web.Application],
) -> AsyncIterator[TestServer]:
    server = TestServer(everything_app_factory(), host="127.0.0.1")
    await server.start_server()
    try:
        yield server
    finally:
        await server.close()


@pytest.mark.browser
async def test_browser_renders_every_field_type(
    served_everything_app: TestServer, chromium_options: dict[str, Any]
) -> None:
    """Swagger UI renders the schemas of every field type (3.1 type arrays, recursive and
    discriminated dataclasses) and builds an example body without a script error."""
    from playwright.async_api import async_playwright

    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(**chromium_options)
        try:
            page = await browser.new_page()
            errors: list[str] = []
            page.on("pageerror", lambda error: errors.append(str(error)))
            page.on(
                "console",
                lambda message: errors.append(message.text) if message.type == "error" else None,
            )
            await page.goto(str(served_everything_app.make_url("/docs")))
            await page.wait_for_selector(".opblock", timeout=30_000)
            post = page.locator(".opblock-post").first
            await post.locator(".opblock-summary").click()
            example = post.locator(".body-param__example, .microlight").first
            await example.wait_for(timeout=30_000)
            example_text = await example.inner_text()
            # OpenAPI 3.1: Swagger UI renders components with its JSON Schema 2020-12 viewer
            schemas = page.locator('.models article[data-json-schema-level="0"]')
            await schemas.first.wait_for(timeout=30_000)
            titles = await schemas.locator(
                ":scope > .json-schema-2020-12-head .json-schema-2020-12__title"
            ).all_inner_texts()
            everything = schemas.filter(has=page.get_by_text("Everything", exact=True))
            await everything.first.locator(".json-schema-2020-12-expand-deep-button").first.click()
            await page.get_by_text("Nested recursive dataclass").first.wait_for(timeout=30_000)
        finally:
            await browser.close()
    assert errors == []
    assert '"text"' in example_text and '"node"' in example_text
    assert {"Everything", "Node", "Cat", "Dog", "Error", "ValidationErrorBody"} <= set(titles)


async def test_no_docs_page_when_docs_path_is_none(
    aiohttp_client: ClientFactory, task_app_factory: Callable[..., web.Application]
) -> None:
    client = await aiohttp_client(task_app_factory(docs_path=None, spec_path="/openapi.json"))
    response = await client.get("/docs")
    assert response.status == 404
    assert await response.json() == {"message": "Not Found"}
    assert (await client.get("/openapi.json")).status == 200
