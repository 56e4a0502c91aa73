"""The example's docs page in a real browser: Debian's Chromium driven by Playwright."""

from __future__ import annotations

import asyncio
import os
import re
from typing import Any
from urllib.parse import urlsplit

import pytest

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def chromium_path() -> str:
    if os.path.exists(CHROMIUM):
        return CHROMIUM
    if os.environ.get("CI"):
        pytest.fail(f"CI installs Chromium ({CHROMIUM}): it is missing")
    pytest.skip("chromium is not installed (apt-get install chromium)")


@pytest.mark.browser
async def test_docs_pages_render_the_example(served_example: str) -> None:
    """Both docs pages in one browser launch: Swagger UI at /docs, AsyncAPI at /asyncapi/docs."""
    from playwright.async_api import async_playwright

    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=chromium_path(), args=CHROMIUM_ARGS
        )
        try:
            page = await browser.new_page()
            failed: list[str] = []
            page.on("requestfailed", lambda request: failed.append(request.url))
            await page.goto(f"{served_example}/docs")
            await page.wait_for_selector(".opblock", timeout=30_000)
            title = await page.locator(".info .title").inner_text()
            paths = await page.locator(".opblock-summary-path").all_inner_texts()
            methods = await page.locator(".opblock-summary-method").all_inner_texts()
            tags = await page.locator(".opblock-tag").all_inner_texts()
            authorize = await page.locator(".btn.authorize").count()
            # Try it out without the key: 401; Authorize with it, then Try it out: 200
            unauthorized = await list_tasks(page)
            await page.locator(".btn.authorize").first.click()
            box = page.locator(".auth-container").filter(has_text="apiKey").first
            await box.locator("input").fill("secret")
            await box.locator("button.authorize").click()
            await page.locator(".modal-ux button.close-modal").click()
            authorized = await list_tasks(page)
            examples = await create_task_examples(page)
            ws = await render_asyncapi_page(await browser.new_page(), served_example)
        finally:
            await browser.close()
    assert failed == []
    assert "Tasks API" in title
    assert {p.replace("\u200b", "").strip() for p in paths} == {
        "/tasks",
        "/tasks/import",
        "/tasks/export",
        "/tasks/events",
        "/tasks/{id}",
        "/events",
    }
    assert sorted(methods) == sorted(
        ["GET", "POST", "PATCH", "DELETE", "POST", "GET", "PATCH", "DELETE"]
        + ["GET", "POST", "DELETE"]
        + ["GET", "GET"]
    )
    assert any("Task" in tag for tag in tags) and any("Event" in tag for tag in tags)
    assert authorize == 1  # the apiKey scheme is offered
    assert (unauthorized, authorized) == (401, 200)
    check_asyncapi_page(ws)
    # @op(body_examples=...) of POST /tasks: offered by name, the first shown
    assert "minimal" in examples and "urgent" in examples
    assert "Buy milk" in examples


async def list_tasks(page: Any) -> int:
    """Execute GET /tasks from the docs page: the status the API answered."""
    operation = page.locator(".opblock-get", has=page.locator('[data-path="/tasks"]'))
    if not await operation.locator("button.execute").count():
        await operation.locator(".opblock-summary-control").click()
        await operation.locator("button.try-out__btn").click()
    async with page.expect_response(lambda r: urlsplit(r.url).path == "/tasks") as answer:
        await operation.locator("button.execute").click()
    return int((await answer.value).status)


async def create_task_examples(page: Any) -> str:
    """The request body section of POST /tasks on the docs page, opened."""
    operation = page.locator(".opblock-post", has=page.locator('[data-path="/tasks"]'))
    await operation.locator(".opblock-summary-control").click()
    body = operation.locator(".opblock-section-request-body")
    await body.wait_for()
    return str(await body.inner_text())


async def settled_text(panel: Any, before: str) -> str:
    """The panel's text once a click's re-render is over: changed, then unchanged for 300 ms.

    The web component opens nested schemas over several renders; reading right after the
    click can catch the first level open and the nested ones still closed.
    """
    text, deadline = before, asyncio.get_running_loop().time() + 15
    while asyncio.get_running_loop().time() < deadline:
        await asyncio.sleep(0.3)
        current = await panel.inner_text()
        if current == text and current != before:
            return str(current)
        text = current
    return str(text)


async def render_asyncapi_page(page: Any, base_url: str) -> dict[str, Any]:
    """What the AsyncAPI web component shows, console errors, failed and outside requests."""
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.on("requestfailed", lambda request: problems.append(f"failed: {request.url}"))
    local = base_url + "/"
    page.on(
        "request",
        lambda r: None if r.url.startswith(local) else problems.append(f"outside: {r.url}"),
    )
    page.on(
        "response",
        lambda r: problems.append(f"{r.status}: {r.url}") if r.status >= 400 else None,
    )
    await page.goto(f"{base_url}/asyncapi/docs")
    await page.wait_for_selector("#schemas", timeout=30_000)
    operations = await page.locator("#operations").inner_text()
    # payload schemas: expand a request's envelope, the tasks events, the Task component
    expanded = {}
    for name, selector in (
        ("subscribe", "[id='operation-reply-stream.subscribe.request']"),
        ("tasks", "[id='operation-send-stream.events.tasks']"),
        ("Task", "#schema-Task"),
    ):
        panel = page.locator(selector)
        before = await panel.inner_text()
        await panel.get_by_role("button", name="Expand all").first.click()
        expanded[name] = await settled_text(panel, before)
    return {
        "problems": problems,
        "title": await page.locator("#introduction").inner_text(),
        # each operation's heading: its action and its channel's address
        "addresses": set(re.findall(r"^(?:SEND|REPLY) (/\S*)$", operations, re.M)),
        "actions": set(re.findall(r"^(SEND|REPLY) /", operations, re.M)),
        "operations": set(re.findall(r"Operation ID\s*(\S+)", operations)),
        "messages": set(re.findall(r"Message ID\s*(\S+)", operations)),
        "schemas": await page.locator("#schemas li[id]").evaluate_all(
            "items => items.map(item => item.id)"
        ),
        "expanded": {name: text.split() for name, text in expanded.items()},
    }


def check_asyncapi_page(ws: dict[str, Any]) -> None:
    assert ws["problems"] == []
    assert ws["title"].startswith("Tasks API")
    assert ws["addresses"] == {"/stream"}
    assert ws["actions"] == {"SEND", "REPLY"}  # what clients send, what the server answers
    for method in ("subscribe", "unsubscribe", "publish"):
        assert {f"stream.{method}.request", f"stream.{method}.answer"} <= ws["operations"]
    assert {"stream.events.tasks", "stream.events", "stream.error"} <= ws["operations"]
    assert {"tasks.created", "tasks.updated", "subscribe.result", "publish.error"} <= ws["messages"]
    assert {"schema-Task", "schema-SubscribeSchema", "schema-ValidationErrorBody"} <= set(
        ws["schemas"]
    )
    # payload schemas: the envelope's properties, the declared event's data, components
    subscribe, tasks, task = (ws["expanded"][name] for name in ("subscribe", "tasks", "Task"))
    assert {"id", "method", "payload", "[SubscribeSchema]", "channel"} <= set(subscribe)
    assert {"data", "[Task]", "title", "done"} <= set(tasks)
    assert {"id", "title", "done", "created"} <= set(task)
