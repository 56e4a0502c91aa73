"""Sentry: server errors are reported with their route, client errors are not.

Events are caught by sentry-sdk's own transport hook: a Transport subclass given to
``sentry_sdk.init(transport=...)``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
import sentry_sdk
from aiohttp import web
from aiohttp.test_utils import TestClient
from openapi.cli.sentry import server_error, setup_sentry
from openapi.spec import setup
from openapi.spec.request_id import setup_request_id
from sentry_sdk.envelope import Envelope
from sentry_sdk.transport import Transport

DSN = "https://public@sentry.example.com/1"

AiohttpClient = Callable[..., Any]


class CaptureTransport(Transport):
    """Keeps the events instead of sending them."""

    events: list[dict[str, Any]] = []

    def capture_envelope(self, envelope: Envelope) -> None:
        for item in envelope.items:
            if item.type == "event" and item.payload.json is not None:
                self.events.append(item.payload.json)


# no auto-enabled integrations: they would patch asyncpg, SQLAlchemy... for the whole session
SENTRY_OPTIONS = {"transport": CaptureTransport, "auto_enabling_integrations": False}


@pytest.fixture
def events() -> Iterator[list[dict[str, Any]]]:
    CaptureTransport.events = []
    yield CaptureTransport.events
    sentry_sdk.get_client().close()
    sentry_sdk.get_global_scope().set_client(None)


def sample_app() -> web.Application:
    async def boom(request: web.Request) -> web.Response:
        raise RuntimeError(f"boom {request.match_info['name']}")

    async def bad(request: web.Request) -> web.Response:
        raise web.HTTPBadRequest(text="bad")

    async def ok(request: web.Request) -> web.Response:
        return web.json_response({"ok": True})

    app = web.Application()
    app.router.add_get("/boom/{name}", boom)
    app.router.add_get("/bad", bad)
    app.router.add_get("/ok", ok)
    return app


async def test_a_500_is_reported_with_its_route(
    aiohttp_client: AiohttpClient, events: list[dict[str, Any]]
) -> None:
    app = sample_app()
    setup_sentry(app, DSN, SENTRY_OPTIONS)
    client: TestClient[web.Request, web.Application] = await aiohttp_client(app)
    response = await client.get("/boom/abc")
    assert response.status == 500
    assert len(events) == 1
    (event,) = events
    assert event["transaction"] == "GET /boom/{name}"
    assert event["request"]["url"].endswith("/boom/abc")
    (exception,) = event["exception"]["values"]
    assert exception["type"] == "RuntimeError"
    assert exception["value"] == "boom abc"


async def test_a_4xx_is_not_reported(
    aiohttp_client: AiohttpClient, events: list[dict[str, Any]]
) -> None:
    app = sample_app()
    setup_sentry(app, DSN, SENTRY_OPTIONS)
    client: TestClient[web.Request, web.Application] = await aiohttp_client(app)
    assert (await client.get("/bad")).status == 400
    assert (await client.get("/missing")).status == 404
    assert (await client.get("/ok")).status == 200
    assert events == []


class Status(Exception):
    def __init__(self, status: int) -> None:
        self.status = status


@pytest.mark.parametrize(
    ("exc", "reported"),
    [
        (RuntimeError("x"), True),
        (web.HTTPNotFound(), False),
        (web.HTTPUnprocessableEntity(), False),
        (web.HTTPServiceUnavailable(), True),
        (Status(503), True),
        (Status(409), False),
    ],
)
def test_server_error(exc: BaseException, reported: bool) -> None:
    assert server_error(exc) is reported


async def test_events_carry_the_request_id(
    aiohttp_client: AiohttpClient, events: list[dict[str, Any]]
) -> None:
    app = sample_app()
    setup(app, title="Sentry", version="1")
    setup_request_id(app)
    setup_sentry(app, DSN, SENTRY_OPTIONS)
    client: TestClient[web.Request, web.Application] = await aiohttp_client(app)
    response = await client.get("/boom/abc", headers={"X-Request-Id": "sentry-77"})
    assert response.status == 500
    assert (await response.json())["request_id"] == "sentry-77"
    assert events, "no event"
    # the error report and the error log line: each names the request
    for event in events:
        assert event["tags"]["request_id"] == "sentry-77"
    assert any(event.get("exception") for event in events)
    # outside a request nothing is tagged
    sentry_sdk.capture_message("no request")
    assert "request_id" not in events[-1].get("tags", {})
