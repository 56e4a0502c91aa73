"""The ``db`` click group: migrations (alembic) and database utilities.

Registered in the ``openapi.cli`` entry-point group, so ``openapi-cli --app M:F db ...``
finds it; also usable as ``rest(commands=[db])``. The application comes from the click
context object: an object with ``get_app()`` (openapi.cli's client), an aiohttp
``Application``, or a dict holding one at ``"app"``; its database is ``app["db"]``.
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any, TextIO, TypeVar

import asyncpg
import click

from .database import Database
from .dsn import asyncpg_dsn, parse_url
from .errors import DatabaseUnavailable
from .migrations import Migration, migrations_directory

__all__ = ["db", "application", "app_db"]

T = TypeVar("T")


def application(ctx: click.Context) -> Any:
    """The application of the running command line."""
    obj = ctx.find_root().obj if ctx.obj is None else ctx.obj
    if obj is None:
        raise click.UsageError("no application: run db commands through the app's CLI")
    if hasattr(obj, "get_app"):
        return obj.get_app()
    if isinstance(obj, dict) and "app" in obj:
        return obj["app"]
    return obj


def app_db(ctx: click.Context) -> Database:
    """The application's database (``app["db"]``); a usage error when there is none."""
    app = application(ctx)
    found = app.get("db") if hasattr(app, "get") else None
    if not isinstance(found, Database):
        raise click.UsageError("the application has no database: set DATASTORE")
    return found


def migration(ctx: click.Context) -> Migration:
    app = application(ctx)
    # sys.stdout at call time: click's test runner swaps it
    stdout: TextIO = sys.stdout
    return Migration(app_db(ctx), migrations_directory(app), stdout=stdout)


def _run(coroutine: Coroutine[Any, Any, T]) -> T:
    try:
        return asyncio.run(coroutine)
    except (DatabaseUnavailable, OSError) as exc:
        raise click.ClickException(f"database unavailable: {exc}") from exc


async def _with_db(database: Database, action: str) -> Any:
    method: Callable[[], Awaitable[Any]] = getattr(database, action)
    try:
        return await method()
    finally:
        await database.close()


@click.group()
def db() -> None:
    """Database migrations (alembic) and utilities."""


@db.command()
@click.pass_context
def init(ctx: click.Context) -> None:
    """Create the migrations folder (alembic environment)."""
    migration(ctx).init()


@db.command()
@click.option("-m", "--message", required=True, help="Revision message")
@click.option("--branch-label", help="Branch label of the new revision")
@click.pass_context
def migrate(ctx: click.Context, message: str, branch_label: str | None) -> None:
    """Autogenerate a revision from the tables' changes (revision --autogenerate)."""
    migration(ctx).revision(message, autogenerate=True, branch_label=branch_label)


@db.command()
@click.option("-m", "--message", required=True, help="Revision message")
@click.option("--branch-label", help="Branch label of the new revision")
@click.option("--autogenerate", is_flag=True, help="Compare the database with the tables")
@click.pass_context
def revision(
    ctx: click.Context, message: str, branch_label: str | None, autogenerate: bool
) -> None:
    """Create a new revision file."""
    migration(ctx).revision(message, autogenerate=autogenerate, branch_label=branch_label)


@db.command()
@click.option("--revision", default="heads", show_default=True, help="Target revision")
@click.option("--drop-tables", is_flag=True, help="Drop the tables first")
@click.option("--sql", is_flag=True, help="Print the SQL instead of running it")
@click.pass_context
def upgrade(ctx: click.Context, revision: str, drop_tables: bool, sql: bool) -> None:
    """Upgrade the database to a later revision."""
    if drop_tables:
        _run(_with_db(app_db(ctx), "drop_all"))
        click.echo("tables dropped")
    migration(ctx).upgrade(revision, sql=sql)
    if not sql:
        click.echo(f"upgraded successfully to {revision}")


@db.command()
@click.option("--revision", required=True, help="Target revision (e.g. -1 or base)")
@click.option("--sql", is_flag=True, help="Print the SQL instead of running it")
@click.pass_context
def downgrade(ctx: click.Context, revision: str, sql: bool) -> None:
    """Downgrade the database to an earlier revision."""
    migration(ctx).downgrade(revision, sql=sql)
    if not sql:
        click.echo(f"downgraded successfully to {revision}")


@db.command()
@click.option("--verbose/--quiet", default=False)
@click.pass_context
def current(ctx: click.Context, verbose: bool) -> None:
    """Show the database's current revision."""
    migration(ctx).current(verbose)


@db.command()
@click.option("--verbose/--quiet", default=False)
@click.pass_context
def history(ctx: click.Context, verbose: bool) -> None:
    """List the revisions in order."""
    migration(ctx).history(verbose)


@db.command()
@click.option("--revision", default="heads", show_default=True)
@click.pass_context
def show(ctx: click.Context, revision: str) -> None:
    """Show a revision."""
    migration(ctx).show(revision)


@db.command()
@click.argument("dbname")
@click.option("--force", is_flag=True, help="Drop the database first if it exists")
@click.pass_context
def create(ctx: click.Context, dbname: str, force: bool) -> None:
    """Create database DBNAME on the application's server."""
    server = parse_url(app_db(ctx).dsn).set(database="postgres")

    async def run() -> str:
        conn = await asyncpg.connect(asyncpg_dsn(server))
        try:
            exists = await conn.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", dbname)
            if exists and not force:
                return f"database {dbname} already available"
            name = dbname.replace('"', '""')
            if exists:
                await conn.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
            await conn.execute(f'CREATE DATABASE "{name}"')
            return f"database {dbname} created"
        finally:
            await conn.close()

    click.echo(_run(run()))


@db.command()
@click.option("--db", "in_db", is_flag=True, help="Tables in the database, not the metadata")
@click.pass_context
def tables(ctx: click.Context, in_db: bool) -> None:
    """List the application's tables."""
    database = app_db(ctx)
    names = _run(_with_db(database, "table_names")) if in_db else sorted(database.metadata.tables)
    for name in names:
        click.echo(name)


@db.command()
@click.pass_context
def drop(ctx: click.Context) -> None:
    """Drop the application's tables (and alembic's version table)."""
    _run(_with_db(app_db(ctx), "drop_all"))
    click.echo("tables dropped")


@db.command()
@click.pass_context
def truncate(ctx: click.Context) -> None:
    """Delete every row of the application's tables."""
    _run(_with_db(app_db(ctx), "truncate_all"))
    click.echo("tables truncated")
