"""Health probes: ``GET /health/live`` (the process answers) and ``GET /health/ready``.

Readiness runs every check registered with :func:`add_ready_check` (the database pool,
the websocket broker) within ``timeout`` seconds, and fails once the server began
shutting down. A failure answers 503 with the JSON error shape, one error per check
that is not ready.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web
from openapi.data.json import dumps

from .middleware import JSON_CONTENT_TYPE, error_body
from .operation import op
from .path import ApiPath
from .readiness import READY_CHECKS, SHUTDOWN_STATE, ReadyCheck

DEFAULT_HEALTH_TIMEOUT = 2.0
HEALTH_TIMEOUT_KEY = web.AppKey("openapi.spec.health_timeout", float)


@dataclass
class HealthStatus:
    """The answer of a health probe that passed."""

    status: str
    checks: dict[str, str] = field(default_factory=dict)


def _json(body: Any, status: int = 200) -> web.Response:
    return web.Response(status=status, text=dumps(body), content_type=JSON_CONTENT_TYPE)


async def _run_check(check: ReadyCheck, timeout: float) -> str | None:
    """None when ``check`` passed, else why it did not."""
    try:
        async with asyncio.timeout(timeout):
            await check()
    except TimeoutError:
        return f"no answer within {timeout:g}s"
    except Exception as exc:
        return str(exc) or type(exc).__name__
    return None


async def live_response(request: web.Request) -> web.Response:
    """200 while the process can answer."""
    return _json({"status": "alive"})


async def ready_response(request: web.Request) -> web.Response:
    """200 when every check passed; 503 naming the checks that did not."""
    config = request.config_dict
    checks: dict[str, ReadyCheck] = config.get(READY_CHECKS) or {}
    timeout = config.get(HEALTH_TIMEOUT_KEY, DEFAULT_HEALTH_TIMEOUT)
    names = list(checks)
    outcomes = await asyncio.gather(*(_run_check(checks[name], timeout) for name in names))
    problems = {name: why for name, why in zip(names, outcomes, strict=True) if why}
    state = config.get(SHUTDOWN_STATE)
    if state is not None and state.shutting_down:
        problems["server"] = "shutting down"
    if problems:
        body = error_body(
            f"Not ready: {', '.join(problems)}",
            [{"field": name, "message": why} for name, why in problems.items()],
        )
        return _json(body, status=503)
    return _json({"status": "ready", "checks": dict.fromkeys(names, "ok")})


class LivePath(ApiPath):
    """
    ---
    summary: Health probes
    tags:
        - name: Health
          description: Probes for load balancers and orchestrators
    """

    @op(response_schema=HealthStatus, security=[])
    async def get(self) -> web.Response:
        """
        ---
        summary: Liveness
        description: The process answers.
        responses:
            200:
                description: The process is alive
        """
        return await live_response(self.request)


class ReadyPath(ApiPath):
    """
    ---
    summary: Health probes
    tags:
        - Health
    """

    @op(response_schema=HealthStatus, security=[])
    async def get(self) -> web.Response:
        """
        ---
        summary: Readiness
        description: The database and the websocket broker answer and the server is not
            shutting down.
        responses:
            200:
                description: Ready to serve requests
            503:
                description: Not ready; the errors name what is not
        """
        return await ready_response(self.request)


def setup_health(
    app: web.Application,
    *,
    path: str = "/health",
    timeout: float = DEFAULT_HEALTH_TIMEOUT,
    document: bool = False,
) -> None:
    """Serve ``GET {path}/live`` and ``GET {path}/ready`` on ``app``.

    ``timeout`` bounds each readiness check; ``document`` puts the probes in the
    OpenAPI document (they are left out by default).
    """
    app[HEALTH_TIMEOUT_KEY] = timeout
    base = path.rstrip("/")
    if document:
        app.router.add_view(f"{base}/live", LivePath, name="health_live")
        app.router.add_view(f"{base}/ready", ReadyPath, name="health_ready")
    else:
        app.router.add_get(f"{base}/live", live_response, name="health_live")
        app.router.add_get(f"{base}/ready", ready_response, name="health_ready")
