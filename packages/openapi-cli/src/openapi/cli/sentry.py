"""Error reporting to Sentry: sentry-sdk with its aiohttp integration (extra ``sentry``)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from aiohttp import web
from openapi.spec.request_id import current_request_id

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def server_error(exc: BaseException) -> bool:
    """True when ``exc`` becomes a 5xx answer: any exception without an HTTP status below 500.

    aiohttp's ``HTTPException`` and openapi.spec's ``ApiError`` both carry ``.status``.
    """
    status = getattr(exc, "status", None)
    return not isinstance(status, int) or status >= 500


@web.middleware
async def sentry_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Report a handler's server error before an outer middleware turns it into a JSON 500."""
    try:
        return await handler(request)
    except Exception as exc:
        if server_error(exc):
            import sentry_sdk

            sentry_sdk.capture_exception(exc)
        raise


EventHook = Callable[[dict[str, Any], dict[str, Any]], dict[str, Any] | None]


def _with_request_id(before_send: EventHook | None) -> EventHook:
    """Tag each event with the id of the request it happened in (``request_id``)."""

    def tag_request_id(event: dict[str, Any], hint: dict[str, Any]) -> dict[str, Any] | None:
        request_id = current_request_id()
        if request_id is not None:
            event.setdefault("tags", {})["request_id"] = request_id
        return before_send(event, hint) if before_send is not None else event

    return tag_request_id


def setup_sentry(app: web.Application, dsn: str, options: Mapping[str, Any] | None = None) -> None:
    """Initialise sentry-sdk for ``dsn`` and report the server errors of ``app``.

    ``options`` go to ``sentry_sdk.init`` as keyword arguments (``environment``,
    ``release``, ``transport``...). Events name the route: ``GET /items/{id}``, and
    carry the request id (tag ``request_id``) when request ids are on.
    """
    try:
        import sentry_sdk
        from sentry_sdk.integrations.aiohttp import AioHttpIntegration
    except ImportError as exc:
        raise RuntimeError(
            "a Sentry DSN is configured but sentry-sdk is not installed: "
            "pip install 'aio-openapi-cli[sentry]'"
        ) from exc
    kwargs: dict[str, Any] = dict(options or {})
    kwargs["before_send"] = _with_request_id(kwargs.get("before_send"))
    integrations = list(kwargs.pop("integrations", ()))
    if not any(isinstance(i, AioHttpIntegration) for i in integrations):
        integrations.append(AioHttpIntegration(transaction_style="method_and_path_pattern"))
    sentry_sdk.init(dsn=dsn, integrations=integrations, **kwargs)
    app.middlewares.append(sentry_middleware)
