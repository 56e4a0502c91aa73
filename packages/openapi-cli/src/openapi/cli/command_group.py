"""``CommandGroup``: what every openapi-cli click group does, with click alone.

The global options (``--version``, ``-v``, ``-q``), ``-h`` as help, the log level, the
plugin commands of the ``openapi.cli`` entry points. No aiohttp: ``openapi-cli --help``
runs on this and the command declarations only.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from importlib.metadata import PackageNotFoundError, version
from typing import Any

import click

from .logs import configure_logging, resolve_level
from .plugins import load_plugin, plugin_names
from .version import __version__

_VERBOSE = "openapi.cli.verbose"
_QUIET = "openapi.cli.quiet"


class CommandGroup(click.Group):
    """A click group with openapi-cli's global options and the plugin commands.

    ``ctx.obj`` is the group itself unless the caller gives one. Errors of the types
    :meth:`reported_errors` names end the command with their message on one line.
    """

    def __init__(self, name: str | None = None, **attrs: Any) -> None:
        params = list(attrs.pop("params", None) or ())
        params.extend(_global_options())
        # -h is help everywhere (a command's own -h option wins over it)
        context = dict(attrs.pop("context_settings", None) or {})
        context.setdefault("help_option_names", ["-h", "--help"])
        super().__init__(name=name, params=params, context_settings=context, **attrs)

    def version_info(self) -> tuple[str, str]:
        """(title, version) of the application, for ``--version``."""
        return "Open API", ""

    def reported_errors(self) -> tuple[type[Exception], ...]:
        """Exceptions whose message says what to change: shown as ``Error: ...``, no traceback."""
        return ()

    # --- click ---------------------------------------------------------------------

    def make_context(
        self,
        info_name: str | None,
        args: list[str],
        parent: click.Context | None = None,
        **extra: Any,
    ) -> click.Context:
        extra.setdefault("obj", self)
        return super().make_context(info_name, args, parent=parent, **extra)

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        # the seed's behaviour: no command prints the help and succeeds
        if not args and self.no_args_is_help and not ctx.resilient_parsing:
            click.echo(ctx.get_help(), color=ctx.color)
            ctx.exit(0)
        return super().parse_args(ctx, args)

    def invoke(self, ctx: click.Context) -> Any:
        level = resolve_level(
            verbose=ctx.meta.get(_VERBOSE, False), quiet=ctx.meta.get(_QUIET, False)
        )
        configure_logging(level)
        try:
            return super().invoke(ctx)
        except self.reported_errors() as exc:
            raise click.ClickException(str(exc)) from None

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        command = super().get_command(ctx, cmd_name)
        if command is None:
            command = load_plugin(cmd_name)
        return command

    def list_commands(self, ctx: click.Context) -> list[str]:
        names = set(super().list_commands(ctx))
        names.update(name for name in plugin_names() if self.get_command(ctx, name))
        return sorted(names)


def _installed_version(distribution: str) -> str:
    try:
        return version(distribution)
    except PackageNotFoundError:
        return "?"


def _show_version(ctx: click.Context, param: click.Parameter, value: bool) -> None:
    if not value or ctx.resilient_parsing:
        return
    group = ctx.find_object(CommandGroup)
    title, app_version = group.version_info() if group else ("Open API", "")
    python = sys.version.split()[0]
    click.echo(f"{title} {app_version}".rstrip())
    # aiohttp's version from its metadata: --version imports no aiohttp
    aiohttp = _installed_version("aiohttp")
    click.echo(f"aio-openapi-cli {__version__}, aiohttp {aiohttp}, Python {python}")
    ctx.exit()


def _remember(key: str) -> Callable[[click.Context, click.Parameter, bool], None]:
    def callback(ctx: click.Context, param: click.Parameter, value: bool) -> None:
        ctx.meta[key] = value

    return callback


def _global_options() -> list[click.Parameter]:
    return [
        click.Option(
            ["--version"],
            is_flag=True,
            expose_value=False,
            is_eager=True,
            callback=_show_version,
            help="Show the application's title and version, then exit.",
        ),
        click.Option(
            ["-v", "--verbose"],
            is_flag=True,
            expose_value=False,
            callback=_remember(_VERBOSE),
            help="Log debug messages (default level: LOG_LEVEL, else INFO).",
        ),
        click.Option(
            ["-q", "--quiet"],
            is_flag=True,
            expose_value=False,
            callback=_remember(_QUIET),
            help="Log errors only.",
        ),
    ]
