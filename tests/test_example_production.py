"""The example with probes, metrics, tracing and request ids on: the database pool and the
websocket manager report through the app's registries, on a real PostgreSQL."""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from openapi.db import get_db
from openapi.db.embedded import free_port
from openapi.db.testing import truncate_tables
from openapi.spec import setup
from openapi.spec.health import setup_health
from openapi.ws import PostgresBroker, Sockets
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind

from tests.example.main import create_app
from tests.test_example_ws import rpc

Client = TestClient[Any, Any]
TRACE_ID = "0af7651916cd43dd8448eb211c80319c"


def sample(text: str, name: str, **labels: str) -> float | None:
    for line in text.splitlines():
        found = re.fullmatch(r"([a-z_]+)(?:\{(.*)\})? (\S+)", line)
        if found and found.group(1) == name:
            if dict(re.findall(r'(\w+)="([^"]*)"', found.group(2) or "")) == labels:
                return float(found.group(3))
    return None


@pytest.fixture
def spans() -> tuple[TracerProvider, InMemorySpanExporter]:
    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    return provider, exporter


@pytest.fixture
async def observed(
    example_db_url: str,
    monkeypatch: pytest.MonkeyPatch,
    spans: tuple[TracerProvider, InMemorySpanExporter],
) -> AsyncIterator[Client]:
    monkeypatch.setenv("DATASTORE", example_db_url)
    cli = create_app(
        health=True,
        metrics=True,
        tracing={"tracer_provider": spans[0]},
        request_id=True,
    )
    app = cli.web()
    async with TestClient(
        TestServer(app, host="127.0.0.1"), headers={"X-Api-Key": "secret"}
    ) as client:
        yield client
    await truncate_tables(example_db_url, app["db"].metadata)


async def test_ready_checks_the_database_and_the_broker(observed: Client) -> None:
    response = await observed.get("/health/ready", headers={"X-Api-Key": ""})
    assert response.status == 200
    assert await response.json() == {
        "status": "ready",
        "checks": {"database": "ok", "websocket broker": "ok"},
    }
    assert re.fullmatch("[0-9a-f]{32}", response.headers["X-Request-Id"])


async def test_not_ready_names_the_database_and_the_broker() -> None:
    nowhere = f"postgresql://nobody@127.0.0.1:{free_port()}/none"
    app = web.Application()
    setup(app, title="Down", version="1")
    setup_health(app, timeout=1.0)
    get_db(app, nowhere)
    Sockets(app, broker=PostgresBroker(nowhere, connect_timeout=0.2))
    async with TestClient(TestServer(app, host="127.0.0.1")) as client:
        response = await client.get("/health/ready")
        assert response.status == 503
        body = await response.json()
        assert body["message"] == "Not ready: database, websocket broker"
        assert [error["field"] for error in body["errors"]] == ["database", "websocket broker"]
        assert (await client.get("/health/live")).status == 200


async def test_metrics_of_requests_pool_and_websockets(observed: Client) -> None:
    created = await observed.post("/tasks", json={"title": "measure me"})
    assert created.status == 201
    task = await created.json()
    for _ in range(2):
        assert (await observed.get(f"/tasks/{task['id']}")).status == 200
    async with observed.ws_connect("/stream") as ws:
        answer = await rpc(ws, "s1", "subscribe", {"channel": "tasks"})
        assert "result" in answer
        # public, as the probes: no API key
        scrape = await observed.get("/metrics", headers={"X-Api-Key": ""})
        assert scrape.status == 200
        text = await scrape.text()
        assert sample(text, "ws_connections") == 1
        assert sample(text, "ws_subscriptions") == 1
        assert sample(text, "ws_messages_received_total") == 1
        assert sample(text, "ws_messages_sent_total") == 1
    route = "/tasks/{id}"
    assert sample(text, "http_requests_total", method="GET", route=route, status="200") == 2
    assert sample(text, "http_requests_total", method="POST", route="/tasks", status="201") == 1
    assert f"/tasks/{task['id']}" not in text
    acquired = sample(text, "db_pool_acquire_seconds_count")
    assert acquired is not None and acquired >= 3
    size = sample(text, "db_pool_size")
    assert size is not None and size >= 1
    # the scrape uses no connection: every one is back in the pool
    assert sample(text, "db_pool_connections_in_use") == 0
    assert sample(text, "db_pool_waiters") == 0
    assert sample(text, "ws_broker_reconnects_total") == 0
    # the websocket left: the gauges follow
    await asyncio.sleep(0.1)
    text = await (await observed.get("/metrics")).text()
    assert sample(text, "ws_connections") == 0
    assert sample(text, "ws_subscriptions") == 0


async def test_sql_statements_and_rpc_calls_are_child_spans(
    observed: Client, spans: tuple[TracerProvider, InMemorySpanExporter]
) -> None:
    exporter = spans[1]
    created = await observed.post("/tasks", json={"title": "trace me"})
    task = await created.json()
    exporter.clear()
    headers = {"traceparent": f"00-{TRACE_ID}-b7ad6b7169203331-01"}
    response = await observed.get(f"/tasks/{task['id']}", headers=headers)
    assert response.status == 200
    finished = exporter.get_finished_spans()
    (server,) = [s for s in finished if s.kind == SpanKind.SERVER]
    statements = [s for s in finished if s.kind == SpanKind.CLIENT]
    assert server.name == "GET /tasks/{id}"
    assert server.context is not None and format(server.context.trace_id, "032x") == TRACE_ID
    assert statements, "no SQL span"
    for statement in statements:
        assert statement.parent is not None
        assert statement.parent.span_id == server.context.span_id
        attributes = dict(statement.attributes or {})
        assert attributes["db.system.name"] == "postgresql"
        assert str(attributes["db.query.text"]).startswith("SELECT")
        assert statement.name == "SELECT"
    exporter.clear()
    async with observed.ws_connect("/stream") as ws:
        await rpc(ws, "p1", "publish", {"channel": "c", "event": "e", "data": {"n": 1}})
    (call,) = [s for s in exporter.get_finished_spans() if s.name == "ws publish"]
    assert dict(call.attributes or {})["rpc.method"] == "publish"
    (upgrade,) = [s for s in exporter.get_finished_spans() if s.name == "GET /stream"]
    assert call.parent is not None and upgrade.context is not None
    assert call.parent.span_id == upgrade.context.span_id
