"""The ``openapi-cli`` console script: any application, named by ``--app MODULE:FACTORY``."""

from __future__ import annotations

import os
import sys
import tomllib
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from .command_group import CommandGroup
from .commands import routes, serve, spec
from .new_project import new
from .version import __version__

if TYPE_CHECKING:
    from aiohttp.web import Application

    from .group import OpenApiClient

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


class ConsoleClient(CommandGroup):
    """The ``openapi-cli`` group: its application comes from ``--app MODULE:FACTORY``.

    FACTORY is an attribute of MODULE: a ``rest()`` group, an aiohttp ``Application``, or a
    callable returning either. A ``rest()`` group lends its application, title, version and
    commands. Once the application is loaded, commands find its
    :class:`~openapi.cli.OpenApiClient` as ``ctx.obj``. Without an application (``--help``,
    ``new``) nothing of aiohttp is imported.
    """

    def __init__(self) -> None:
        super().__init__(
            name="openapi-cli",
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
        for command in (serve, spec, routes, new):
            self.add_command(command)
        self._reference: str | None = None
        self._target: OpenApiClient | None = None

    # --- loading --app -----------------------------------------------------------------

    def _app_option(self, ctx: click.Context, param: click.Parameter, value: str | None) -> None:
        if value and not ctx.resilient_parsing:
            self.load(value)

    def load(self, reference: str) -> None:
        """Import MODULE and resolve FACTORY (``--app``); a clear usage error on failure."""
        # deferred to loading an application: --help and `new` import no aiohttp
        from .app_reference import resolve_client

        self._reference = reference
        self._target = None
        self._target = resolve_client(reference)

    def _loaded(self) -> bool:
        if self._reference is None:
            reference = os.environ.get(APP_ENV) or project_app()
            if not reference:
                return False
            self.load(reference)
        return True

    @property
    def target(self) -> OpenApiClient:
        """The loaded application's group; a usage error when none is named."""
        if not self._loaded() or self._target is None:
            raise click.UsageError(
                f"no application: pass --app MODULE:FACTORY, set {APP_ENV}, or run in a "
                f'project whose pyproject.toml says [tool.openapi] app = "MODULE:FACTORY"'
            )
        return self._target

    # --- the application ---------------------------------------------------------------

    @property
    def base_path(self) -> str:
        return self._target.base_path if self._target is not None else ""

    def build_app(self, server: bool = False) -> Application:
        return self.target.build_app(server=server)

    def web(self, server: bool = False) -> Application:
        return self.target.web(server=server)

    def get_app(self) -> Application:
        return self.target.get_app()

    def get_serve_app(self) -> Application:
        return self.target.get_serve_app()

    def version_info(self) -> tuple[str, str]:
        if self._loaded():
            return self.target.version_info()
        return "aio-openapi-cli", __version__

    def reported_errors(self) -> tuple[type[Exception], ...]:
        return self._target.reported_errors() if self._target is not None else ()

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
                # commands see the application's group, as under its own main()
                ctx.obj = self.target
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


def console_client() -> ConsoleClient:
    """A new ``openapi-cli`` command group."""
    return ConsoleClient()


def main(args: Sequence[str] | None = None) -> Any:
    """Run ``openapi-cli``."""
    return console_client().main(args=args, prog_name="openapi-cli")
