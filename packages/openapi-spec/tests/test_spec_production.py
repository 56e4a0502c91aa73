"""Request ids, health probes, Prometheus metrics and OpenTelemetry tracing on a served app."""

from __future__ import annotations

import asyncio
import json
import os
import re
import subprocess
import sys
from collections.abc import Callable
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient
from openapi.spec import ApiPath, op, setup
from openapi.spec.health import setup_health
from openapi.spec.metrics import setup_metrics
from openapi.spec.readiness import add_ready_check, shutdown_state
from openapi.spec.request_id import REQUEST_ID_HEADER, setup_request_id
from openapi.spec.tracing import setup_tracing, tracer_provider_from_environment
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind, StatusCode

AiohttpClient = Callable[..., Any]
TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736"
PARENT_ID = "00f067aa0ba902b7"


class ItemPath(ApiPath):
    """
    ---
    summary: Items
    tags:
        - name: Item
    """

    @op()
    async def get(self) -> web.Response:
        """
        ---
        summary: One item
        responses:
            200:
                description: The item
        """
        item = self.request.match_info["id"]
        if item == "crash":
            raise RuntimeError("crash")
        return self.json_response({"id": item})


def base_app() -> web.Application:
    app = web.Application()
    setup(app, title="Production", version="1.0.0")
    app.router.add_view("/items/{id}", ItemPath)
    return app


def metric(text: str, name: str, **labels: str) -> float | None:
    """The value of one sample of the exposition ``text``, None when absent."""
    for line in text.splitlines():
        if line.startswith("#"):
            continue
        found = re.fullmatch(r"([a-z_]+)(?:\{(.*)\})? (\S+)", line)
        if found is None or found.group(1) != name:
            continue
        given = dict(re.findall(r'(\w+)="([^"]*)"', found.group(2) or ""))
        if given == labels:
            return float(found.group(3))
    return None


# --- nothing is installed when nothing is asked -------------------------------------------


def test_a_plain_app_has_only_the_error_middleware() -> None:
    app = base_app()
    assert len(app.middlewares) == 1  # JSON errors and the body limit, in one layer
    assert not any(r.resource and "health" in r.resource.canonical for r in app.router.routes())


# --- request ids ----------------------------------------------------------------------------


async def test_request_ids_are_generated_or_taken_from_the_client(
    aiohttp_client: AiohttpClient,
) -> None:
    app = base_app()
    setup_request_id(app)
    client: TestClient[Any, Any] = await aiohttp_client(app)
    response = await client.get("/items/1")
    generated = response.headers[REQUEST_ID_HEADER]
    assert re.fullmatch("[0-9a-f]{32}", generated)
    response = await client.get("/items/1", headers={REQUEST_ID_HEADER: "req-42.a"})
    assert response.headers[REQUEST_ID_HEADER] == "req-42.a"
    # not well formed (a space, too long): replaced by a new one
    for bad in ("has space", "x" * 200):
        response = await client.get("/items/1", headers={REQUEST_ID_HEADER: bad})
        assert re.fullmatch("[0-9a-f]{32}", response.headers[REQUEST_ID_HEADER])
    response = await client.get("/nowhere", headers={REQUEST_ID_HEADER: "lost-1"})
    assert response.status == 404
    assert response.headers[REQUEST_ID_HEADER] == "lost-1"


async def test_a_500_body_names_the_request_id(aiohttp_client: AiohttpClient) -> None:
    app = base_app()
    setup_request_id(app)
    client: TestClient[Any, Any] = await aiohttp_client(app)
    response = await client.get("/items/crash", headers={REQUEST_ID_HEADER: "quote-me"})
    assert response.status == 500
    assert await response.json() == {"message": "Internal Server Error", "request_id": "quote-me"}
    assert response.headers[REQUEST_ID_HEADER] == "quote-me"


# --- health ---------------------------------------------------------------------------------


async def test_health_probes(aiohttp_client: AiohttpClient) -> None:
    app = base_app()
    setup_health(app, timeout=0.2)
    broken = {"fail": False}

    async def database() -> None:
        if broken["fail"]:
            raise ConnectionRefusedError("connection refused")

    async def broker() -> None:
        if broken["fail"]:
            await asyncio.sleep(5)

    add_ready_check(app, "database", database)
    add_ready_check(app, "websocket broker", broker)
    state = shutdown_state(app)
    client: TestClient[Any, Any] = await aiohttp_client(app)
    response = await client.get("/health/live")
    assert (response.status, await response.json()) == (200, {"status": "alive"})
    response = await client.get("/health/ready")
    assert response.status == 200
    assert await response.json() == {
        "status": "ready",
        "checks": {"database": "ok", "websocket broker": "ok"},
    }
    broken["fail"] = True
    response = await client.get("/health/ready")
    assert response.status == 503
    assert await response.json() == {
        "message": "Not ready: database, websocket broker",
        "errors": [
            {"field": "database", "message": "connection refused"},
            {"field": "websocket broker", "message": "no answer within 0.2s"},
        ],
    }
    broken["fail"] = False
    state.begin()
    response = await client.get("/health/ready")
    assert response.status == 503
    assert (await response.json())["errors"] == [{"field": "server", "message": "shutting down"}]
    # liveness does not depend on readiness
    assert (await client.get("/health/live")).status == 200
    # not documented unless asked
    document = await (await client.get("/spec")).json()
    assert not any(path.startswith("/health") for path in document["paths"])


async def test_health_probes_documented_when_asked(aiohttp_client: AiohttpClient) -> None:
    app = base_app()
    setup_health(app, document=True)
    client: TestClient[Any, Any] = await aiohttp_client(app)
    document = await (await client.get("/spec")).json()
    assert set(document["paths"]) == {"/items/{id}", "/health/live", "/health/ready"}
    assert "503" in document["paths"]["/health/ready"]["get"]["responses"]
    assert (await client.get("/health/ready")).status == 200


# --- metrics --------------------------------------------------------------------------------


async def test_metrics_count_requests_by_route_template(aiohttp_client: AiohttpClient) -> None:
    app = base_app()
    setup_metrics(app)
    client: TestClient[Any, Any] = await aiohttp_client(app)
    for item in ("7", "8", "9"):
        assert (await client.get(f"/items/{item}")).status == 200
    assert (await client.get("/items/crash")).status == 500
    assert (await client.post("/items/7")).status == 405
    assert (await client.get("/nowhere")).status == 404
    response = await client.get("/metrics")
    assert response.status == 200
    assert response.headers["Content-Type"].startswith("text/plain; version=")
    text = await response.text()
    route = "/items/{id}"
    assert metric(text, "http_requests_total", method="GET", route=route, status="200") == 3
    assert metric(text, "http_requests_total", method="GET", route=route, status="500") == 1
    assert metric(text, "http_requests_total", method="POST", route=route, status="405") == 1
    assert metric(text, "http_requests_total", method="GET", route="<unmatched>", status="404") == 1
    assert "/items/7" not in text
    count = metric(text, "http_request_duration_seconds_count", method="GET", route=route)
    assert count == 4
    infinite = {"le": "+Inf", "method": "GET", "route": route}
    assert metric(text, "http_request_duration_seconds_bucket", **infinite) == 4
    # the scrape itself is in flight while it is answered
    assert metric(text, "http_requests_in_flight") == 1
    document = await (await client.get("/spec")).json()
    assert "/metrics" not in document["paths"]


# --- tracing --------------------------------------------------------------------------------


def memory_tracing() -> tuple[TracerProvider, InMemorySpanExporter]:
    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    return provider, exporter


async def test_a_server_span_per_request(aiohttp_client: AiohttpClient) -> None:
    provider, exporter = memory_tracing()
    app = base_app()

    async def old(request: web.Request) -> web.Response:
        raise web.HTTPFound("/items/7")

    app.router.add_get("/old", old)
    setup_tracing(app, tracer_provider=provider)
    client: TestClient[Any, Any] = await aiohttp_client(app)
    traceparent = f"00-{TRACE_ID}-{PARENT_ID}-01"
    response = await client.get(
        "/items/7?x=1", headers={"traceparent": traceparent, "User-Agent": "probe/1"}
    )
    assert response.status == 200
    assert (await client.get("/items/crash")).status == 500
    moved = await client.get("/old", allow_redirects=False)
    assert moved.status == 302
    first, crash, redirect = exporter.get_finished_spans()
    # a redirect raised as an exception is an answer: no error, no exception event
    assert redirect.name == "GET /old"
    assert dict(redirect.attributes or {})["http.response.status_code"] == 302
    assert redirect.status.status_code == StatusCode.UNSET and not redirect.events
    assert first.name == "GET /items/{id}"
    assert first.kind == SpanKind.SERVER
    assert first.context is not None and first.parent is not None
    assert format(first.context.trace_id, "032x") == TRACE_ID
    assert format(first.parent.span_id, "016x") == PARENT_ID
    assert first.parent.is_remote
    attributes = dict(first.attributes or {})
    assert attributes["http.request.method"] == "GET"
    assert attributes["http.route"] == "/items/{id}"
    assert attributes["url.path"] == "/items/7"
    assert attributes["url.query"] == "x=1"
    assert attributes["http.response.status_code"] == 200
    assert attributes["user_agent.original"] == "probe/1"
    assert attributes["server.address"] == "127.0.0.1"
    assert first.status.status_code == StatusCode.UNSET
    # a new trace without traceparent; a 500 marks the span as an error
    assert crash.parent is None
    assert crash.context is not None and format(crash.context.trace_id, "032x") != TRACE_ID
    assert dict(crash.attributes or {})["http.response.status_code"] == 500
    assert crash.status.status_code == StatusCode.ERROR


ENV_TRACING_SCRIPT = """
import asyncio
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from openapi.spec.tracing import setup_tracing, tracer_provider_from_environment

async def item(request):
    return web.json_response({"id": request.match_info["id"]})

async def main():
    app = web.Application()
    app.router.add_get("/items/{id}", item)
    setup_tracing(app)
    async with TestClient(TestServer(app, host="127.0.0.1")) as client:
        assert (await client.get("/items/3")).status == 200

asyncio.run(main())
"""


def test_tracing_configured_by_the_otel_variables(tmp_path: Any) -> None:
    env = {
        **os.environ,
        "OTEL_SERVICE_NAME": "tasks-api",
        "OTEL_RESOURCE_ATTRIBUTES": "deployment.environment=test",
        "OTEL_TRACES_EXPORTER": "console",
    }
    done = subprocess.run(
        [sys.executable, "-c", ENV_TRACING_SCRIPT],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    span = json.loads(done.stdout)
    assert span["name"] == "GET /items/{id}"
    assert span["kind"] == "SpanKind.SERVER"
    assert span["attributes"]["http.route"] == "/items/{id}"
    assert span["resource"]["attributes"]["service.name"] == "tasks-api"
    assert span["resource"]["attributes"]["deployment.environment"] == "test"


def test_an_unknown_exporter_is_named(monkeypatch: Any) -> None:
    monkeypatch.setenv("OTEL_TRACES_EXPORTER", "carrier-pigeon")
    with pytest.raises(RuntimeError, match="'carrier-pigeon', which is not installed"):
        tracer_provider_from_environment()
    monkeypatch.setenv("OTEL_TRACES_EXPORTER", "none")
    assert tracer_provider_from_environment() is not None
