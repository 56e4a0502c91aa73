"""The authentication hook of websocket handshakes.

openapi.ws never imports openapi.spec (the package arrows point data <- ws): a view
declares its requirement in OpenAPI's shape and :class:`~openapi.ws.Sockets` calls an
``authenticate`` callable that openapi.spec's ``setup`` fills on startup with the
application's security schemes (or that the application passes itself).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any

from aiohttp import web

#: OpenAPI's security requirement: alternatives mapping scheme names to scopes; [] = public
Requirement = Sequence[Mapping[str, Sequence[str]]]
#: ``authenticate(request, requirement)``: the principal, or raises an error the
#: application answers (401/403); ``requirement`` None means the application's default
Authenticate = Callable[[web.Request, Requirement | None], Awaitable[Any]]


class HandshakeNotProtected(RuntimeError):
    """A websocket view requires security but its ``Sockets`` has no ``authenticate``."""
