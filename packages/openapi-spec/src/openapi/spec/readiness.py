"""What makes an application ready: named checks its parts register, and shutting down.

Parts of an application (the database pool, the websocket broker) register a check
when they are set up, under the plain string key :data:`READY_CHECKS` (packages that
cannot import this one use the same key). ``GET /health/ready`` runs them.
"""

from __future__ import annotations

import warnings
from collections.abc import Awaitable, Callable

from aiohttp import web

#: ``app["openapi.ready_checks"]``: check name -> ``async check()``, raising when not ready
READY_CHECKS = "openapi.ready_checks"

ReadyCheck = Callable[[], Awaitable[object]]


class ShutdownState:
    """Whether the server began shutting down: readiness answers 503 from then on."""

    def __init__(self) -> None:
        self.shutting_down = False

    def begin(self) -> None:
        self.shutting_down = True


SHUTDOWN_STATE = web.AppKey("openapi.spec.shutdown_state", ShutdownState)


def add_ready_check(app: web.Application, name: str, check: ReadyCheck) -> None:
    """Make ``GET /health/ready`` run ``check``; an exception or a timeout means not ready."""
    ready_checks(app)[name] = check


def ready_checks(app: web.Application) -> dict[str, ReadyCheck]:
    """The checks registered on ``app`` (a new empty registry when there is none)."""
    checks = app.get(READY_CHECKS)
    if checks is None:
        checks = {}
        with warnings.catch_warnings():
            # a plain string: openapi.ws registers here without importing this package
            warnings.simplefilter("ignore", web.NotAppKeyWarning)
            app[READY_CHECKS] = checks
    return checks  # type: ignore[no-any-return]


def shutdown_state(app: web.Application) -> ShutdownState:
    """The shutdown state of ``app``, added when missing (before the app starts)."""
    state = app.get(SHUTDOWN_STATE)
    if state is None:
        state = app[SHUTDOWN_STATE] = ShutdownState()
    return state
