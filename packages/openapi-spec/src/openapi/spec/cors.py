"""CORS for browser clients on other origins: preflights answered from the routes that
exist, response headers a page may read, nothing at all for origins not allowed.

A middleware of our own rather than aiohttp-cors, which needs every route registered
with it and a mixin on class-based views: here the routes answer for themselves.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from aiohttp import hdrs, web
from aiohttp.typedefs import Handler, Middleware

from .middleware import json_error
from .path import ApiPath, full_url
from .schemes import is_websocket_handshake

ANY_ORIGIN = "*"
DEFAULT_HEADERS = ("Accept", "Authorization", "Content-Type")
DEFAULT_EXPOSE_HEADERS = ("X-Total-Count", "Link")
ORIGIN_REFUSED = "Cross-origin requests from this origin are not allowed"


@dataclass(frozen=True)
class Cors:
    """Which other origins may call the API, and what they may send and read.

    :param origins: allowed origins (``"https://app.example.com"``) or ``"*"``.
    :param methods: methods allowed across origins (None: every method a path has).
    :param headers: request headers allowed (``"*"``: any); the API key headers of the
        application's security schemes are added.
    :param expose_headers: response headers a page may read, added to ``X-Total-Count``
        and ``Link``.
    :param credentials: allow cookies and ``Authorization``; never with ``origins="*"``.
    :param max_age: seconds a browser may cache a preflight answer.
    """

    origins: Sequence[str] | str = ANY_ORIGIN
    methods: Sequence[str] | None = None
    headers: Sequence[str] | str = DEFAULT_HEADERS
    expose_headers: Sequence[str] = ()
    credentials: bool = False
    max_age: int | None = 600
    _origins: frozenset[str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        origins = (self.origins,) if isinstance(self.origins, str) else tuple(self.origins)
        if ANY_ORIGIN in origins and len(origins) > 1:
            raise ValueError("CORS origins: '*' or a list of origins, not both")
        if self.credentials and ANY_ORIGIN in origins:
            raise ValueError(
                "CORS credentials cannot be allowed to every origin ('*'): list the origins"
            )
        for origin in origins:
            if origin != ANY_ORIGIN and (origin.endswith("/") or "://" not in origin):
                raise ValueError(f"CORS origin {origin!r}: write it as scheme://host[:port]")
        object.__setattr__(self, "_origins", frozenset(origins))

    @property
    def any_origin(self) -> bool:
        return ANY_ORIGIN in self._origins

    def allows(self, origin: str) -> bool:
        return self.any_origin or origin in self._origins

    def with_headers(self, headers: Iterable[str]) -> Cors:
        """This configuration also allowing ``headers``."""
        if isinstance(self.headers, str):
            return self
        added = tuple(h for h in headers if h.lower() not in {x.lower() for x in self.headers})
        return replace(self, headers=(*self.headers, *added)) if added else self

    def middleware(self) -> Middleware:
        """The middleware applying this configuration (installed outermost by ``setup``)."""
        return _CorsMiddleware(self).handle


def cors_of(value: Cors | Mapping[str, Any] | Sequence[str] | str) -> Cors:
    """A :class:`Cors` from itself, its keyword arguments or its origins."""
    if isinstance(value, Cors):
        return value
    if isinstance(value, Mapping):
        return Cors(**value)
    return Cors(origins=value)


class _CorsMiddleware:
    def __init__(self, cors: Cors) -> None:
        self.cors = cors
        self.methods = None if cors.methods is None else {m.upper() for m in cors.methods}
        self.any_header = isinstance(cors.headers, str)
        self.headers = set() if isinstance(cors.headers, str) else {h.lower() for h in cors.headers}
        expose = dict.fromkeys((*DEFAULT_EXPOSE_HEADERS, *cors.expose_headers))
        self.expose = ", ".join(expose)

    @web.middleware
    async def handle(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        origin = request.headers.get(hdrs.ORIGIN)
        if origin is None:
            return await handler(request)
        allowed = self.cors.allows(origin)
        if request.method == hdrs.METH_OPTIONS and hdrs.ACCESS_CONTROL_REQUEST_METHOD in (
            request.headers
        ):
            return self.preflight(request, origin) if allowed else self.refuse(ORIGIN_REFUSED)
        if not allowed and is_websocket_handshake(request) and origin != _own_origin(request):
            # browsers apply no CORS to websockets: a page of any origin could open one
            # with the user's cookies, so the origins allowed here are enforced here
            return self.refuse(ORIGIN_REFUSED)
        try:
            response = await handler(request)
        except web.HTTPException as exc:
            if allowed:
                self.add_simple_headers(exc.headers, origin)
            raise
        if allowed and not response.prepared:
            self.add_simple_headers(response.headers, origin)
        return response

    def add_simple_headers(self, headers: Any, origin: str) -> None:
        self.add_origin(headers, origin)
        headers[hdrs.ACCESS_CONTROL_EXPOSE_HEADERS] = self.expose

    def add_origin(self, headers: Any, origin: str) -> None:
        if self.cors.any_origin:
            headers[hdrs.ACCESS_CONTROL_ALLOW_ORIGIN] = ANY_ORIGIN
            return
        headers[hdrs.ACCESS_CONTROL_ALLOW_ORIGIN] = origin
        if self.cors.credentials:
            headers[hdrs.ACCESS_CONTROL_ALLOW_CREDENTIALS] = "true"
        # the answer depends on the origin: caches must keep one per origin
        vary = headers.get(hdrs.VARY)
        headers[hdrs.VARY] = f"{vary}, Origin" if vary else "Origin"

    def preflight(self, request: web.Request, origin: str) -> web.StreamResponse:
        path_methods = _path_methods(request)
        if path_methods is None:
            return json_error(404)
        wanted = request.headers[hdrs.ACCESS_CONTROL_REQUEST_METHOD].strip().upper()
        if wanted not in path_methods:
            # the method does not exist on this path: the same 405 as without CORS
            response = json_error(405, headers={hdrs.ALLOW: ",".join(sorted(path_methods))})
            self.add_origin(response.headers, origin)
            return response
        if self.methods is not None and wanted not in self.methods:
            return self.refuse(f"Method {wanted} is not allowed for cross-origin requests")
        requested = [
            h.strip()
            for h in request.headers.get(hdrs.ACCESS_CONTROL_REQUEST_HEADERS, "").split(",")
            if h.strip()
        ]
        if not self.any_header:
            refused = [h for h in requested if h.lower() not in self.headers]
            if refused:
                return self.refuse(
                    f"Headers not allowed for cross-origin requests: {', '.join(refused)}"
                )
        response = web.Response(status=204)
        headers = response.headers
        self.add_origin(headers, origin)
        allowed_methods = path_methods if self.methods is None else path_methods & self.methods
        headers[hdrs.ACCESS_CONTROL_ALLOW_METHODS] = ", ".join(sorted(allowed_methods))
        if requested:
            headers[hdrs.ACCESS_CONTROL_ALLOW_HEADERS] = ", ".join(requested)
        if self.cors.max_age is not None:
            headers[hdrs.ACCESS_CONTROL_MAX_AGE] = str(self.cors.max_age)
        return response

    @staticmethod
    def refuse(message: str) -> web.StreamResponse:
        # no CORS header: the browser refuses, and the page learns nothing
        return json_error(403, message)


def _own_origin(request: web.Request) -> str:
    return str(full_url(request).origin())


def _path_methods(request: web.Request) -> set[str] | None:
    """The methods the request's path answers, None when no route matches it."""
    match_info = request.match_info
    error = match_info.http_exception
    if isinstance(error, web.HTTPMethodNotAllowed):
        return set(error.allowed_methods)
    if error is not None:
        return None
    resource = match_info.route.resource
    if resource is None:
        return None
    methods: set[str] = set()
    for route in resource:
        methods.update(_route_methods(route.method, route.handler))
    return methods


def _route_methods(method: str, handler: Any) -> Collection[str]:
    if method != hdrs.METH_ANY:
        return (method,)
    if isinstance(handler, type) and issubclass(handler, ApiPath):
        return handler.allowed_methods()
    if isinstance(handler, type) and issubclass(handler, web.View):
        return [m for m in hdrs.METH_ALL if hasattr(handler, m.lower())]
    return hdrs.METH_ALL
