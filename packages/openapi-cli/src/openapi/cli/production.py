"""What an operator needs, each optional: health probes, metrics, tracing, request ids.

Each option of ``rest()`` is ``True`` (defaults) or a mapping of keyword arguments for
its ``openapi.spec`` setup function; a disabled one installs nothing.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from aiohttp.web import Application
from openapi.spec.health import setup_health
from openapi.spec.request_id import setup_request_id

#: an option of rest(): off, on with defaults, or on with these setup arguments
Feature = bool | Mapping[str, Any] | None


def _arguments(feature: Feature) -> dict[str, Any]:
    return dict(feature) if isinstance(feature, Mapping) else {}


def setup_production(
    app: Application,
    *,
    health: Feature = None,
    metrics: Feature = None,
    tracing: Feature = None,
    request_id: Feature = None,
) -> None:
    """Install what is enabled; request ids end up the outermost middleware, then
    tracing, then metrics, all outside the JSON error middleware (they see its answers).
    """
    if metrics:
        try:
            from openapi.spec.metrics import setup_metrics
        except ImportError as exc:
            raise RuntimeError(
                "metrics are enabled but prometheus-client is not installed: "
                "pip install 'aio-openapi-spec[metrics]'"
            ) from exc
        setup_metrics(app, **_arguments(metrics))
    if tracing:
        try:
            from openapi.spec.tracing import setup_tracing
        except ImportError as exc:
            raise RuntimeError(
                "tracing is enabled but OpenTelemetry is not installed: "
                "pip install 'aio-openapi-spec[otel]'"
            ) from exc
        setup_tracing(app, **_arguments(tracing))
    if request_id:
        setup_request_id(app)
    if health:
        setup_health(app, **_arguments(health))
