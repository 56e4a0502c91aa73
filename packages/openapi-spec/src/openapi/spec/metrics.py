"""``GET /metrics``: Prometheus metrics of requests, the database pool and websockets.

Needs prometheus-client (extra ``metrics``). With ``PROMETHEUS_MULTIPROC_DIR`` set (the
CLI sets it for ``serve --workers N``), every worker writes its values there and one
scrape of any worker answers the sum over all of them.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable

from aiohttp import web
from aiohttp.typedefs import Handler
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
    multiprocess,
    values,
)

from .observers import add_observer
from .route_template import route_template

#: the directory of prometheus-client's multiprocess mode
MULTIPROC_DIR_ENV = "PROMETHEUS_MULTIPROC_DIR"
#: methods counted as themselves; any other is counted as OTHER (a bounded label)
KNOWN_METHODS = frozenset(
    ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "CONNECT", "TRACE")
)
#: seconds: latency buckets from 1 ms to 10 s
LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
#: seconds: waits for a pool connection, mostly nothing, sometimes long
ACQUIRE_BUCKETS = (0.0001, 0.0005, 0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1.0, 5.0, 10.0)


class PrometheusMetrics:
    """The application's metrics; observes HTTP requests, the database pool and websockets.

    Gauges sum over live processes in multiprocess mode.
    """

    def __init__(self, registry: CollectorRegistry, *, multiprocess_dir: str | None) -> None:
        self.registry = registry
        self.multiprocess_dir = multiprocess_dir
        r = registry
        self.http_requests = Counter(
            "http_requests", "HTTP requests answered", ("method", "route", "status"), registry=r
        )
        self.http_duration = Histogram(
            "http_request_duration_seconds",
            "Time to answer an HTTP request",
            ("method", "route"),
            buckets=LATENCY_BUCKETS,
            registry=r,
        )
        self.http_in_flight = _gauge("http_requests_in_flight", "HTTP requests being served", r)
        self.db_pool_size = _gauge("db_pool_size", "Connections open in the pool", r)
        self.db_pool_in_use = _gauge("db_pool_connections_in_use", "Pool connections in use", r)
        self.db_pool_waiters = _gauge("db_pool_waiters", "Requests waiting for a connection", r)
        self.db_pool_acquire = Histogram(
            "db_pool_acquire_seconds",
            "Time to get a connection from the pool",
            buckets=ACQUIRE_BUCKETS,
            registry=r,
        )
        self.ws_connections = _gauge("ws_connections", "Websockets connected", r)
        self.ws_subscriptions = _gauge("ws_subscriptions", "Websocket channel subscriptions", r)
        self.ws_messages_received = Counter(
            "ws_messages_received", "Websocket messages received from clients", registry=r
        )
        self.ws_messages_sent = Counter(
            "ws_messages_sent", "Websocket messages sent to clients", registry=r
        )
        self.ws_broker_reconnects = Counter(
            "ws_broker_reconnects", "Times the websocket broker reconnected", registry=r
        )
        # label children, looked up once per label values (labels() takes a lock)
        self._requests: dict[tuple[str, str, int], Callable[[], None]] = {}
        self._durations: dict[tuple[str, str], Callable[[float], None]] = {}

    # --- HTTP -----------------------------------------------------------------------

    @web.middleware
    async def middleware(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        """Count the request, time it and keep it in flight meanwhile."""
        start = time.perf_counter()
        self.http_in_flight.inc()
        status = 500
        try:
            response = await handler(request)
            status = response.status
            return response
        except web.HTTPException as exc:
            status = exc.status
            raise
        finally:
            self.http_in_flight.dec()
            self.request_done(request, status, time.perf_counter() - start)

    def request_done(self, request: web.Request, status: int, seconds: float) -> None:
        method = request.method if request.method in KNOWN_METHODS else "OTHER"
        route = route_template(request)
        count = self._requests.get((method, route, status))
        if count is None:
            count = self.http_requests.labels(method, route, str(status)).inc
            self._requests[(method, route, status)] = count
        count()
        observe = self._durations.get((method, route))
        if observe is None:
            observe = self.http_duration.labels(method, route).observe
            self._durations[(method, route)] = observe
        observe(seconds)

    async def handle(self, request: web.Request) -> web.Response:
        """``GET /metrics``: the text exposition format."""
        registry = self.registry
        if self.multiprocess_dir is not None:
            registry = CollectorRegistry()
            multiprocess.MultiProcessCollector(registry, path=self.multiprocess_dir)  # type: ignore[no-untyped-call]
        return web.Response(
            body=generate_latest(registry), headers={"Content-Type": CONTENT_TYPE_LATEST}
        )

    # --- the database pool (openapi.db's PoolObserver) ---------------------------------

    def db_pool_state(self, size: int, in_use: int, waiting: int) -> None:
        self.db_pool_size.set(size)
        self.db_pool_in_use.set(in_use)
        self.db_pool_waiters.set(waiting)

    def db_acquired(self, seconds: float) -> None:
        self.db_pool_acquire.observe(seconds)

    # --- websockets (openapi.ws's SocketsObserver) ------------------------------------

    def ws_connected(self) -> None:
        self.ws_connections.inc()

    def ws_disconnected(self) -> None:
        self.ws_connections.dec()

    def ws_subscriptions_changed(self, delta: int) -> None:
        self.ws_subscriptions.inc(delta)

    def ws_message_received(self) -> None:
        self.ws_messages_received.inc()

    def ws_message_sent(self, count: int) -> None:
        self.ws_messages_sent.inc(count)

    def ws_broker_reconnected(self) -> None:
        self.ws_broker_reconnects.inc()


METRICS_KEY = web.AppKey("openapi.spec.metrics", PrometheusMetrics)


def _gauge(name: str, documentation: str, registry: CollectorRegistry) -> Gauge:
    return Gauge(name, documentation, registry=registry, multiprocess_mode="livesum")


def setup_metrics(app: web.Application, *, path: str = "/metrics") -> PrometheusMetrics:
    """Measure ``app`` and serve its metrics at ``GET path`` (left out of the OpenAPI
    document). Returns the :class:`PrometheusMetrics`, also at ``app[METRICS_KEY]``."""
    directory = os.environ.get(MULTIPROC_DIR_ENV) or None
    if directory is not None:
        # prometheus-client picks its value class when imported: the CLI may set the
        # directory later (serve --workers N), so pick again now
        values.ValueClass = values.get_value_class()  # type: ignore[no-untyped-call]
    metrics = PrometheusMetrics(CollectorRegistry(), multiprocess_dir=directory)
    app.middlewares.insert(0, metrics.middleware)
    app.router.add_get(path, metrics.handle, name="metrics")
    add_observer(app, metrics)
    app[METRICS_KEY] = metrics
    return metrics
