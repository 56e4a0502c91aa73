"""``OpenApiClient``, the click group of one application, and ``rest()`` which creates it.

The group builds the application (``web()``), serves it (``serve``) and documents it
(``spec``); commands find it as ``ctx.obj``.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

import click
from aiohttp.web import AppKey, Application
from openapi.spec import DEFAULT_MAX_BODY_SIZE, ConfigurationError, json_error_middleware, setup

from .command_group import CommandGroup
from .commands import routes, serve, spec
from .production import Feature, setup_production
from .sentry import setup_sentry

AppSetup = Callable[[Application], None]

#: ``app[SERVING]`` is True when the application was built to be served (``web(server=True)``)
SERVING = AppKey("openapi.cli.serving", bool)

# the Info fields OpenApiClient takes as arguments, with their defaults
_INFO_DEFAULTS = {"title": "Open API", "version": "0.1.0", "description": ""}


class OpenApiClient(CommandGroup):
    """A click group for one application: ``serve``, ``spec``, ``routes``, plugin commands.

    Commands find this object as ``ctx.obj`` (``ctx.find_object(OpenApiClient)`` from a
    nested group): ``ctx.obj.web()`` builds a new application, ``ctx.obj.get_app()``
    returns one built once and cached.
    """

    def __init__(
        self,
        *,
        title: str = "Open API",
        version: str = "0.1.0",
        description: str = "",
        info: Mapping[str, Any] | None = None,
        setup_app: AppSetup | None = None,
        commands: Iterable[click.Command] = (),
        base_path: str = "",
        security: Mapping[str, Any] | None = None,
        default_security: Sequence[Mapping[str, Sequence[str]]] | None = None,
        cors: Any = None,
        compression: Any = False,
        servers: Sequence[str | Mapping[str, Any]] | None = None,
        docs: bool = True,
        validate_docs: bool = False,
        allowed_tags: Iterable[str] = (),
        spec_path: str = "/spec",
        docs_path: str = "/docs",
        max_body_size: int | None = None,
        sentry_dsn: str | None = None,
        sentry_options: Mapping[str, Any] | None = None,
        health: Feature = None,
        metrics: Feature = None,
        tracing: Feature = None,
        request_id: Feature = None,
        name: str | None = None,
        **attrs: Any,
    ) -> None:
        self.title = title
        self.version = version
        self.description = description
        self.info = dict(info) if info else None
        self.setup_app = setup_app
        self.base_path = _base_path(base_path)
        self.security = security
        self.default_security = default_security
        self.cors = cors
        self.compression = compression
        self.servers = servers
        self.docs = docs
        self.validate_docs = validate_docs
        self.allowed_tags = frozenset(allowed_tags)
        self.spec_path = spec_path
        self.docs_path = docs_path
        self.max_body_size = max_body_size
        self.sentry_dsn = sentry_dsn
        self.sentry_options = sentry_options
        self.health = health
        self.metrics = metrics
        self.tracing = tracing
        self.request_id = request_id
        self._app: Application | None = None
        attrs.setdefault("help", description or None)
        super().__init__(name=name, **attrs)
        for command in (serve, spec, routes, *commands):
            self.add_command(command)

    # --- the application -------------------------------------------------------------

    def web(self, server: bool = False) -> Application:
        """Build a new application: openapi.spec's ``setup``, then ``setup_app(app)``.

        With ``SENTRY_DSN`` set (or ``sentry_dsn``), sentry-sdk reports its server errors.
        """
        app = self.build_app(server=server)
        dsn = self.sentry_dsn or os.environ.get("SENTRY_DSN")
        if dsn:
            setup_sentry(app, dsn, self.sentry_options)
        return app

    def build_app(self, server: bool = False) -> Application:
        """The application without error reporting (``web()`` adds it): openapi.spec's
        ``setup``, the operator's features, then ``setup_app(app)``. Each option of
        ``rest()`` is one setup step."""
        app = Application(client_max_size=self.max_body_size or DEFAULT_MAX_BODY_SIZE)
        app[SERVING] = server
        app[BUILT_BY] = self
        self.setup_spec(app)
        self.setup_production(app)
        if self.setup_app is not None:
            self.setup_app(app)
        return app

    def setup_spec(self, app: Application) -> None:
        """The OpenAPI document, its docs page and the JSON error middleware."""
        setup(
            app,
            title=self.title,
            version=self.version,
            description=self.description,
            spec_path=self.spec_path,
            docs_path=self.docs_path if self.docs else None,
            security=dict(self.security) if self.security is not None else None,
            default_security=self.default_security,
            cors=self.cors,
            compression=self.compression,
            servers=list(self.servers) if self.servers is not None else None,
            base_path=self.base_path,
            validate_docs=self.validate_docs,
            allowed_tags=self.allowed_tags,
            info=self.info,
            max_body_size=self.max_body_size or DEFAULT_MAX_BODY_SIZE,
        )

    def setup_production(self, app: Application) -> None:
        """Health probes, metrics, tracing and request ids, those asked for."""
        setup_production(
            app,
            health=self.health,
            metrics=self.metrics,
            tracing=self.tracing,
            request_id=self.request_id,
        )

    def get_app(self) -> Application:
        """The application for commands that use it without serving it, built once."""
        if self._app is None:
            self._app = self.web()
        return self._app

    def get_serve_app(self) -> Application:
        """The application to serve: ``web(server=True)``, mounted at ``base_path``."""
        return self.mount(self.web(server=True))

    def mount(self, app: Application) -> Application:
        """``app`` (built by ``web()``) under ``base_path``: what a server serves."""
        if not self.base_path:
            return app
        # requests outside base_path get JSON errors too
        root = Application(
            middlewares=[json_error_middleware],
            client_max_size=self.max_body_size or DEFAULT_MAX_BODY_SIZE,
        )
        root[SERVING] = True
        root.add_subapp(self.base_path, app)
        return root

    def version_info(self) -> tuple[str, str]:
        """(title, version) of the application, for ``--version``."""
        return self.title, self.version

    def reported_errors(self) -> tuple[type[Exception], ...]:
        return (ConfigurationError,)  # its message says what to change


def rest(
    *,
    openapi: Mapping[str, Any] | None = None,
    setup_app: AppSetup | None = None,
    base_path: str = "",
    commands: Iterable[click.Command] = (),
    allowed_tags: Iterable[str] = (),
    validate_docs: bool = False,
    **options: Any,
) -> OpenApiClient:
    """Create the command line group of an application (the seed's arguments first).

    - ``openapi``: the OpenAPI Info object, ``{"title": ..., "version": ...,
      "description": ..., "contact": ...}`` (``title=``/``version=``/``description=``
      keyword arguments win over it).
    - ``setup_app(app)``: adds the application's routes, database, websockets.
    - ``base_path``: every route, the spec, the docs page and websockets are served under
      it, and the document's ``servers`` end with it.
    - ``commands``: click commands added to the group (``commands=[db]``).
    - ``allowed_tags``: only operations carrying one of these tags are documented (all
      are served).
    - ``validate_docs``: an operation without summary, description or documented
      responses stops the application at startup.

    Other keyword arguments go to :class:`OpenApiClient`. ``security`` names security
    schemes: openapi.spec's scheme objects (``ApiKey``, ``HttpBearer``, ...) are documented
    and enforced, plain mappings documented only; every operation needs one of them unless
    its ``@op(security=...)`` says otherwise (``default_security=`` changes that default).
    ``cors`` (openapi.spec's ``Cors``, its keyword arguments or its origins) lets browser
    pages of other origins call it; ``compression`` (openapi.spec's ``Compression``, True,
    or a threshold in bytes) compresses large responses. What an operator needs, each
    ``True`` or the keyword arguments of its setup function: ``health`` (``GET /health/live`` and
    ``/health/ready``), ``metrics`` (``GET /metrics``), ``tracing`` (OpenTelemetry) and
    ``request_id`` (``X-Request-Id``). Also ``servers``, ``docs``, ``sentry_dsn``,
    ``sentry_options``, ``spec_path``, ``max_body_size``, ``name``...
    """
    info = dict(openapi or {})
    for name, default in _INFO_DEFAULTS.items():
        given = info.pop(name, None)
        options[name] = options.get(name) or given or default
    if info:
        options["info"] = {**info, **(options.get("info") or {})}
    return OpenApiClient(
        setup_app=setup_app,
        base_path=base_path,
        commands=commands,
        allowed_tags=allowed_tags,
        validate_docs=validate_docs,
        **options,
    )


#: ``app[BUILT_BY]``: the rest() group whose ``web()`` built the application, so that
#: ``openapi-cli serve`` mounts it at the group's ``base_path`` even when a factory
#: returns ``cli.web()`` rather than the group
BUILT_BY = AppKey("openapi.cli.built_by", OpenApiClient)


def _base_path(base_path: str) -> str:
    base_path = (base_path or "").rstrip("/")
    if base_path and not base_path.startswith("/"):
        raise ValueError(f"base_path must start with '/': {base_path!r}")
    return base_path
