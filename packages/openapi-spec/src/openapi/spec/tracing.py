"""OpenTelemetry tracing: a server span per request, child spans per SQL statement and
per websocket RPC call (extra ``otel``).

Spans are named after the route template (``GET /tasks/{id}``), carry the standard HTTP
attributes and continue the trace of an incoming ``traceparent``. Without a tracer
provider given, the one the process already has is used, else one is configured from the
standard ``OTEL_*`` environment variables (``OTEL_SERVICE_NAME``,
``OTEL_TRACES_EXPORTER``, ``OTEL_EXPORTER_OTLP_ENDPOINT``, ``OTEL_TRACES_SAMPLER``...).
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Awaitable, Callable
from contextlib import AbstractContextManager
from importlib.metadata import entry_points

from aiohttp import web
from aiohttp.typedefs import Handler
from opentelemetry import propagate, trace
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider as SdkTracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor, SpanExporter
from opentelemetry.semconv._incubating.attributes.rpc_attributes import RPC_METHOD, RPC_SYSTEM
from opentelemetry.semconv.attributes.client_attributes import CLIENT_ADDRESS
from opentelemetry.semconv.attributes.db_attributes import (
    DB_OPERATION_NAME,
    DB_QUERY_TEXT,
    DB_SYSTEM_NAME,
    DbSystemNameValues,
)
from opentelemetry.semconv.attributes.http_attributes import (
    HTTP_REQUEST_METHOD,
    HTTP_RESPONSE_STATUS_CODE,
    HTTP_ROUTE,
)
from opentelemetry.semconv.attributes.network_attributes import NETWORK_PROTOCOL_VERSION
from opentelemetry.semconv.attributes.server_attributes import SERVER_ADDRESS, SERVER_PORT
from opentelemetry.semconv.attributes.url_attributes import URL_PATH, URL_QUERY, URL_SCHEME
from opentelemetry.semconv.attributes.user_agent_attributes import USER_AGENT_ORIGINAL
from opentelemetry.trace import ProxyTracerProvider, SpanKind, StatusCode, Tracer
from opentelemetry.util.types import AttributeValue

from . import __version__
from .observers import add_observer
from .route_template import UNMATCHED_ROUTE, route_template

#: the entry-point group of span exporters, named by ``OTEL_TRACES_EXPORTER``
EXPORTERS_GROUP = "opentelemetry_traces_exporter"
#: what the websocket RPC spans give as ``rpc.system``
WS_RPC_SYSTEM = "aio-openapi-ws"


class RequestTracing:
    """Spans for the requests of an application, its SQL statements and websocket RPCs."""

    def __init__(self, tracer: Tracer) -> None:
        self.tracer = tracer

    @web.middleware
    async def middleware(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        """Serve the request inside a server span named after its route template."""
        route = route_template(request)
        method = request.method
        attributes: dict[str, AttributeValue] = {
            HTTP_REQUEST_METHOD: method,
            URL_PATH: request.path,
            URL_SCHEME: request.scheme,
            NETWORK_PROTOCOL_VERSION: f"{request.version.major}.{request.version.minor}",
        }
        if route != UNMATCHED_ROUTE:
            attributes[HTTP_ROUTE] = route
        if request.query_string:
            attributes[URL_QUERY] = request.query_string
        host, _, port = request.host.rpartition(":")
        if host and port.isdigit():
            attributes[SERVER_ADDRESS] = host
            attributes[SERVER_PORT] = int(port)
        else:
            attributes[SERVER_ADDRESS] = request.host
        if request.remote:
            attributes[CLIENT_ADDRESS] = request.remote
        user_agent = request.headers.get("User-Agent")
        if user_agent:
            attributes[USER_AGENT_ORIGINAL] = user_agent
        name = f"{method} {route}" if route != UNMATCHED_ROUTE else method
        with self.tracer.start_as_current_span(
            name,
            context=propagate.extract(request.headers),
            kind=SpanKind.SERVER,
            attributes=attributes,
            # a redirect raised as an exception is an answer, not an error
            record_exception=False,
            set_status_on_exception=False,
        ) as span:
            try:
                response = await handler(request)
            except web.HTTPException as exc:
                span.set_attribute(HTTP_RESPONSE_STATUS_CODE, exc.status)
                if exc.status >= 500:
                    span.set_status(StatusCode.ERROR)
                raise
            except BaseException as exc:
                span.record_exception(exc)
                span.set_status(StatusCode.ERROR)
                raise
            span.set_attribute(HTTP_RESPONSE_STATUS_CODE, response.status)
            if response.status >= 500:
                span.set_status(StatusCode.ERROR)
            return response

    # --- openapi.db's StatementTracer -------------------------------------------------

    def db_statement(self, sql: str) -> AbstractContextManager[object]:
        """A client span around one SQL statement."""
        operation = sql.split(None, 1)[0].upper() if sql else "SQL"
        return self.tracer.start_as_current_span(
            operation,
            kind=SpanKind.CLIENT,
            attributes={
                DB_SYSTEM_NAME: DbSystemNameValues.POSTGRESQL.value,
                DB_OPERATION_NAME: operation,
                DB_QUERY_TEXT: sql,
            },
        )

    # --- openapi.ws's RpcTracer --------------------------------------------------------

    def ws_rpc(self, method: str) -> AbstractContextManager[object]:
        """A server span around one websocket RPC call."""
        return self.tracer.start_as_current_span(
            f"ws {method}",
            kind=SpanKind.SERVER,
            attributes={RPC_SYSTEM: WS_RPC_SYSTEM, RPC_METHOD: method},
        )


TRACING_KEY = web.AppKey("openapi.spec.tracing", RequestTracing)


def tracer_provider_from_environment() -> SdkTracerProvider:
    """A tracer provider configured by the standard ``OTEL_*`` environment variables.

    The resource reads ``OTEL_SERVICE_NAME`` and ``OTEL_RESOURCE_ATTRIBUTES``, the sampler
    ``OTEL_TRACES_SAMPLER``; ``OTEL_TRACES_EXPORTER`` names the exporters (default
    ``otlp``, over HTTP; ``console``; ``none``), which read their own variables
    (``OTEL_EXPORTER_OTLP_ENDPOINT``...).
    """
    provider = SdkTracerProvider(resource=Resource.create())
    names = os.environ.get("OTEL_TRACES_EXPORTER", "otlp")
    for name in (n.strip() for n in names.split(",")):
        if name and name != "none":
            provider.add_span_processor(BatchSpanProcessor(_exporter(name)))
    return provider


def _exporter(name: str) -> SpanExporter:
    found = entry_points(group=EXPORTERS_GROUP)
    # "otlp" is registered by the opentelemetry-exporter-otlp meta-package only
    candidates = [name, "otlp_proto_http"] if name == "otlp" else [name]
    for candidate in candidates:
        for entry in found:
            if entry.name == candidate:
                exporter: SpanExporter = entry.load()()
                return exporter
    known = sorted({entry.name for entry in found})
    raise RuntimeError(
        f"OTEL_TRACES_EXPORTER names {name!r}, which is not installed (known: {known})"
    )


def setup_tracing(
    app: web.Application, *, tracer_provider: trace.TracerProvider | None = None
) -> RequestTracing:
    """Trace the requests of ``app``, its SQL statements and websocket RPC calls.

    ``tracer_provider`` defaults to the process's global one; when the process has none
    yet, one is configured from the ``OTEL_*`` environment variables and made global.
    """
    if tracer_provider is None:
        tracer_provider = trace.get_tracer_provider()
        if isinstance(tracer_provider, ProxyTracerProvider):
            tracer_provider = tracer_provider_from_environment()
            trace.set_tracer_provider(tracer_provider)
    tracing = RequestTracing(tracer_provider.get_tracer("openapi.spec", __version__))
    app.middlewares.insert(0, tracing.middleware)
    add_observer(app, tracing)
    app.on_cleanup.append(_flush(tracer_provider))
    app[TRACING_KEY] = tracing
    return tracing


def _flush(provider: trace.TracerProvider) -> Callable[[web.Application], Awaitable[None]]:
    async def flush(app: web.Application) -> None:
        # spans still batched go out before the process ends
        if isinstance(provider, SdkTracerProvider):
            await asyncio.to_thread(provider.force_flush)

    return flush
