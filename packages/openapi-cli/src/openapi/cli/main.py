"""The ``openapi-cli`` console script: any application, named by ``--app MODULE:FACTORY``."""

from __future__ import annotations

import importlib
import os
import sys
import tomllib
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import click
from aiohttp.web import Application
from openapi.spec import SPEC_APP_KEY

from .group import BUILT_BY, OpenApiClient
from .new_project import new
from .version import __version__

#: environment variable naming the application when ``--app`` is not given
APP_ENV = "OPENAPI_APP"
_ASKS_HELP = "openapi.cli.asks_help"
#: commands that run without an application
_WITHOUT_APP = frozenset({"new"})
#: the file naming a project's application: ``[tool.openapi] app = "MODULE:FACTORY"``
PROJECT_FILE = "pyproject.toml"


def project_root(start: Path | None = None) -> Path | None:
    """The nearest folder, from ``start`` (the working directory) up, with a pyproject.toml."""
    folder = (start or Path.cwd()).resolve()
    for candidate in (folder, *folder.parents):
        if (candidate / PROJECT_FILE).is_file():
            return candidate
    return None


def project_app(start: Path | None = None) -> str | None:
    """``[tool.openapi] app`` of the project around ``start``; its folder becomes importable."""
    root = project_root(start)
    if root is None:
        return None
    try:
        with (root / PROJECT_FILE).open("rb") as file:
            settings = tomllib.load(file)
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise click.ClickException(f"cannot read {root / PROJECT_FILE}: {exc}") from exc
    reference = settings.get("tool", {}).get("openapi", {}).get("app")
    if reference is None:
        return None
    if not isinstance(reference, str):
        raise click.ClickException(f"{root / PROJECT_FILE}: [tool.openapi] app is not a string")
    if str(root) not in sys.path:
        sys.path.insert(0, str(root))
    return reference


class ConsoleClient(OpenApiClient):
    """An :class:`OpenApiClient` whose application comes from ``--app MODULE:FACTORY``.

    FACTORY is an attribute of MODULE: a ``rest()`` group, an aiohttp ``Application``, or a
    callable returning either. A ``rest()`` group lends its application, title, version and
    commands.
    """

    def __init__(self) -> None:
        super().__init__(
            name="openapi-cli",
            title="aio-openapi-cli",
            version=__version__,
            help="Serve and manage an aiohttp application built with aio-openapi.",
            params=[
                click.Option(
                    ["-a", "--app"],
                    metavar="MODULE:FACTORY",
                    is_eager=True,
                    expose_value=False,
                    callback=self._app_option,
                    help=f"The application: a rest() group, an aiohttp Application or a "
                    f"callable returning one (env {APP_ENV}).",
                )
            ],
        )
        self.add_command(new)
        self._reference: str | None = None
        self._target: OpenApiClient | None = None
        self._factory: Callable[[], Application] | None = None
        self._built: Application | None = None

    # --- loading --app -----------------------------------------------------------------

    def _app_option(self, ctx: click.Context, param: click.Parameter, value: str | None) -> None:
        if value and not ctx.resilient_parsing:
            self.load(value)

    def load(self, reference: str) -> None:
        """Import MODULE and resolve FACTORY (``--app``); a clear usage error on failure."""
        self._reference = reference
        self._target = self._factory = self._built = None
        self.base_path = ""
        found = _resolve(reference)
        if isinstance(found, OpenApiClient):
            self._target = found
            self.base_path = found.base_path
        elif isinstance(found, Application):
            self._built = found
            self._factory = _call_again(reference)
        else:
            raise click.BadParameter(
                f"{reference} is a {type(found).__name__}: expected a rest() group, an "
                f"aiohttp Application or a callable returning one",
                param_hint="'--app'",
            )

    def _loaded(self) -> bool:
        if self._reference is None:
            reference = os.environ.get(APP_ENV) or project_app()
            if not reference:
                return False
            self.load(reference)
        return True

    def _require(self) -> None:
        if not self._loaded():
            raise click.UsageError(
                f"no application: pass --app MODULE:FACTORY, set {APP_ENV}, or run in a "
                f'project whose pyproject.toml says [tool.openapi] app = "MODULE:FACTORY"'
            )

    # --- the application ---------------------------------------------------------------

    def build_app(self, server: bool = False) -> Application:
        self._require()
        if self._target is not None:
            return self._target.build_app(server=server)
        if self._built is not None:
            app, self._built = self._built, None
            return app
        assert self._factory is not None
        return self._factory()

    def web(self, server: bool = False) -> Application:
        self._require()
        if self._target is not None:
            return self._target.web(server=server)
        return super().web(server=server)

    def get_serve_app(self) -> Application:
        self._require()
        if self._target is not None:
            return self._target.get_serve_app()
        app = self.web(server=True)
        built_by = app.get(BUILT_BY)  # a factory returning rest(...).web()
        return built_by.mount(app) if built_by is not None else app

    def version_info(self) -> tuple[str, str]:
        if self._loaded():
            if self._target is not None:
                return self._target.version_info()
            app = self.get_app()
            renderer = app.get(SPEC_APP_KEY)
            if renderer is not None:
                info = renderer.document().get("info") or {}
                return str(info.get("title", "")), str(info.get("version", ""))
            return self._reference or "", ""
        return super().version_info()

    # --- commands of a rest() group ----------------------------------------------------

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        ctx.meta[_ASKS_HELP] = bool(set(ctx.help_option_names).intersection(args))
        return super().parse_args(ctx, args)

    def resolve_command(
        self, ctx: click.Context, args: list[str]
    ) -> tuple[str | None, click.Command | None, list[str]]:
        name, command, rest = super().resolve_command(ctx, args)
        # every other command works on the application: say it is missing before one
        # starts (a command's help needs none)
        if command is not None and command.name not in _WITHOUT_APP:
            if not ctx.meta.get(_ASKS_HELP):
                self._require()
        return name, command, rest

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in _WITHOUT_APP:
            return super().get_command(ctx, cmd_name)
        if self._loaded() and self._target is not None:
            command = self._target.get_command(ctx, cmd_name)
            if command is not None:
                return command
        return super().get_command(ctx, cmd_name)

    def list_commands(self, ctx: click.Context) -> list[str]:
        names = set(super().list_commands(ctx))
        if self._loaded() and self._target is not None:
            names.update(self._target.list_commands(ctx))
        return sorted(names)


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


def console_client() -> ConsoleClient:
    """A new ``openapi-cli`` command group."""
    return ConsoleClient()


def main(args: Sequence[str] | None = None) -> Any:
    """Run ``openapi-cli``."""
    return console_client().main(args=args, prog_name="openapi-cli")
