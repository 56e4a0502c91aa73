"""``setup``: install the spec route, the docs page and the JSON error middleware."""

from __future__ import annotations

import warnings
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from aiohttp import hdrs, web
from openapi.data.app_keys import OPENAPI_SPEC_KEY

from .compression import Compression, compression_of
from .cors import Cors, cors_of
from .docs import DocsPage, swagger_ui_static
from .middleware import json_error_middleware_limited
from .path import ApiPath
from .renderer import SpecRenderer
from .schemes import SecurityScheme
from .security import SECURITY_KEY, Requirement, Security

#: where setup() stores the SpecRenderer: a string key, the contract other packages read
SPEC_APP_KEY = OPENAPI_SPEC_KEY
SPEC_ROUTE_NAME = "openapi_spec"
DEFAULT_MAX_BODY_SIZE = 1024 * 1024


def setup(
    app: web.Application,
    *,
    title: str,
    version: str,
    description: str = "",
    spec_path: str = "/spec",
    docs_path: str | None = "/docs",
    security: Mapping[str, SecurityScheme | Mapping[str, Any]] | None = None,
    default_security: Requirement | None = None,
    servers: Sequence[str | Mapping[str, Any]] | None = None,
    base_path: str = "",
    max_body_size: int = DEFAULT_MAX_BODY_SIZE,
    validate_docs: bool = False,
    allowed_tags: Iterable[str] = (),
    info: Mapping[str, Any] | None = None,
    cors: Cors | Mapping[str, Any] | Sequence[str] | str | None = None,
    compression: Compression | bool | int = False,
) -> SpecRenderer:
    """Document ``app`` with OpenAPI 3.1 and answer every error as JSON.

    Installs the JSON error middleware (outermost), ``GET spec_path`` serving the
    document, ``GET docs_path`` serving Swagger UI (unless None), limits request bodies to
    ``max_body_size`` bytes (413 beyond, whatever the application's ``client_max_size``)
    and stores the :class:`SpecRenderer` at ``app[SPEC_APP_KEY]`` (``"openapi_spec"``).
    ``security`` names the security schemes: scheme objects (:class:`ApiKey`,
    :class:`HttpBearer`, ...) are documented and enforced on every operation, plain
    mappings are OpenAPI Security Scheme Objects, documented only (an optional ``scopes``
    list goes to the default requirement). ``default_security`` is the
    requirement of operations that state none (default: any one of the schemes); the
    :class:`Security` is at ``app[SECURITY_KEY]``. ``servers`` are URLs or server
    objects; ``cors`` (a :class:`Cors`, its keyword arguments or its origins) lets browser
    pages of other origins call the API; ``allowed_tags`` limits the document to
    operations carrying one of them; ``info`` adds Info fields (contact, license, ...).
    ``compression`` (a :class:`Compression`, True for its defaults, or a threshold in
    bytes) compresses large response bodies with gzip, or brotli when asked and installed.
    Call it before the application starts: on startup the document is built and every
    view's declarations checked, so a mistake stops the application with
    :class:`InvalidSpecError` naming the view, method and field.
    """
    app_security = Security(security, default_security)
    app[SECURITY_KEY] = app_security
    # declarations checked once routes are added: a mistake stops the application starting
    app.on_startup.append(_SecurityStartup(app_security).on_startup)
    renderer = SpecRenderer(
        app,
        title=title,
        version=version,
        description=description,
        info=info,
        security=app_security,
        servers=servers,
        base_path=base_path,
        validate_docs=validate_docs,
        allowed_tags=allowed_tags,
    )
    # the outermost middleware, so errors raised by other middlewares are JSON too
    app.middlewares.insert(0, json_error_middleware_limited(max_body_size))
    compress = compression_of(compression)
    if compress is not None:
        # outside the JSON errors: a large error answer is compressed too
        app.middlewares.insert(0, compress.middleware())
    if cors is not None:
        # outside the JSON errors: error answers carry the CORS headers too
        scheme_headers = [h for s in app_security.schemes.values() for h in s.request_headers()]
        app.middlewares.insert(0, cors_of(cors).with_headers(scheme_headers).middleware())
    with warnings.catch_warnings():
        # the string key is the documented contract shared with the other packages
        warnings.simplefilter("ignore", web.NotAppKeyWarning)
        app[SPEC_APP_KEY] = renderer
    app.on_startup.append(renderer.on_startup)
    app.router.add_get(spec_path, renderer.handle, name=SPEC_ROUTE_NAME)
    if docs_path is not None:
        DocsPage(docs_path, spec_path, title, swagger_ui_static()).install(app)
    return renderer


class _SecurityStartup:
    """On startup: every requirement compiled (a mistake stops the start), and the
    websocket hook of openapi.ws filled."""

    def __init__(self, security: Security) -> None:
        self.security = security

    async def on_startup(self, app: web.Application) -> None:
        security = self.security
        for route in app.router.routes():
            view = route.handler
            if not (isinstance(view, type) and route.resource is not None):
                continue
            path = route.resource.canonical
            if issubclass(view, ApiPath):
                for method in hdrs.METH_ALL:
                    handler = getattr(view, method.lower(), None)
                    if handler is not None:
                        security.operation_requirement(handler, f"{method} {path}")
            elif issubclass(view, web.View) and hasattr(view, "security"):
                # a websocket view of openapi.ws: one requirement for its handshake
                security.requirement(view, view.security, f"websocket {path}")
        security.protect_websockets(app)
