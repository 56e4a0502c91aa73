"""The application ``--app MODULE:FACTORY`` names, as an :class:`OpenApiClient`.

FACTORY is an attribute of MODULE: a ``rest()`` group, an aiohttp ``Application``, or a
callable returning either. A ``rest()`` group is used as it is; an application (or its
factory) is wrapped in a :class:`FactoryClient`.
"""

from __future__ import annotations

import importlib
import os
import sys
from collections.abc import Callable
from typing import Any

import click
from aiohttp.web import Application
from openapi.spec import SPEC_APP_KEY

from .group import BUILT_BY, OpenApiClient


class FactoryClient(OpenApiClient):
    """The group of an aiohttp ``Application`` built by a factory rather than by ``rest()``.

    The first ``build_app()`` returns the application found when ``--app`` was loaded; later
    ones call the factory again.
    """

    def __init__(
        self, reference: str, built: Application, factory: Callable[[], Application]
    ) -> None:
        super().__init__(name=reference)
        self.reference = reference
        self._built: Application | None = built
        self._factory = factory

    def build_app(self, server: bool = False) -> Application:
        if self._built is not None:
            app, self._built = self._built, None
            return app
        return self._factory()

    def get_serve_app(self) -> Application:
        app = self.web(server=True)
        built_by = app.get(BUILT_BY)  # a factory returning rest(...).web()
        return built_by.mount(app) if built_by is not None else app

    def version_info(self) -> tuple[str, str]:
        renderer = self.get_app().get(SPEC_APP_KEY)
        if renderer is not None:
            info = renderer.document().get("info") or {}
            return str(info.get("title", "")), str(info.get("version", ""))
        return self.reference, ""


def resolve_client(reference: str) -> OpenApiClient:
    """Import MODULE and resolve FACTORY; a clear usage error on failure."""
    found = _resolve(reference)
    if isinstance(found, OpenApiClient):
        return found
    if isinstance(found, Application):
        return FactoryClient(reference, found, _call_again(reference))
    raise click.BadParameter(
        f"{reference} is a {type(found).__name__}: expected a rest() group, an "
        f"aiohttp Application or a callable returning one",
        param_hint="'--app'",
    )


def _import(reference: str) -> tuple[Any, str]:
    module_name, sep, attribute = reference.partition(":")
    if not sep or not module_name or not attribute:
        raise click.BadParameter(
            f"{reference!r} is not MODULE:FACTORY (for example myapp.main:create_app)",
            param_hint="'--app'",
        )
    # like `python -m`, find modules in the working directory
    if "" not in sys.path and os.getcwd() not in sys.path:
        sys.path.insert(0, os.getcwd())
    try:
        module = importlib.import_module(module_name)
    except ImportError as exc:
        if exc.name and module_name.startswith(exc.name):
            raise click.BadParameter(
                f"cannot import {module_name!r}: {exc}", param_hint="'--app'"
            ) from exc
        raise
    found: Any = module
    for part in attribute.split("."):
        try:
            found = getattr(found, part)
        except AttributeError:
            raise click.BadParameter(
                f"module {module_name!r} has no attribute {attribute!r}", param_hint="'--app'"
            ) from None
    return found, attribute


def _resolve(reference: str) -> Any:
    found, attribute = _import(reference)
    if isinstance(found, (OpenApiClient, Application)):
        return found
    if callable(found):
        result = found()
        if hasattr(result, "__await__"):
            close = getattr(result, "close", None)
            if close is not None:
                close()
            raise click.BadParameter(
                f"{attribute} is a coroutine function: make it a plain function returning "
                f"the application",
                param_hint="'--app'",
            )
        return result
    return found


def _call_again(reference: str) -> Callable[[], Application]:
    def factory() -> Application:
        found = _resolve(reference)
        if not isinstance(found, Application):
            raise click.ClickException(f"{reference} did not return an aiohttp Application")
        return found

    return factory
