"""The ``db`` command as openapi-cli's entry point finds it: its commands load when used.

``openapi-cli --help`` lists every plugin command with its one-line help; this group gives
that line without importing SQLAlchemy, alembic or asyncpg. Listing, help and running
its subcommands hand over to :data:`openapi.db.commands.db`, the group itself.
"""

from __future__ import annotations

import importlib
from typing import Any, cast

import click

__all__ = ["db"]

#: the module defining the real group (imported when a subcommand is listed or run)
COMMANDS_MODULE = "openapi.db.commands"


class LazyDbGroup(click.Group):
    """A stand-in for ``openapi.db.commands.db`` until one of its commands is needed."""

    def real_group(self) -> click.Group:
        return cast(click.Group, importlib.import_module(COMMANDS_MODULE).db)

    def list_commands(self, ctx: click.Context) -> list[str]:
        return self.real_group().list_commands(ctx)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        return self.real_group().get_command(ctx, cmd_name)

    def invoke(self, ctx: click.Context) -> Any:
        return self.real_group().invoke(ctx)


db = LazyDbGroup("db", help="Database migrations (alembic) and utilities.")
