"""The ``db`` click group: migrations (alembic) and database utilities.

Registered in the ``openapi.cli`` entry-point group, so ``openapi-cli --app M:F db ...``
finds it; also usable as ``rest(commands=[db])``. The application comes from the click
context object: an object with ``get_app()`` (openapi.cli's client), an aiohttp
``Application``, or a dict holding one at ``"app"``; its database is ``app["db"]``.

A command that fails says why in one line (``Error: ...``, exit code 1), never with a
traceback: no application, no database, no migrations folder, PostgreSQL unreachable.
"""

from __future__ import annotations

import asyncio
import logging
import sys
from collections.abc import Awaitable, Callable, Coroutine
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO, TypeVar

import asyncpg
import click
import sqlalchemy as sa

from .database import Database, unavailable_errors
from .dev_database import DevDatabase
from .dsn import asyncpg_dsn, parse_url
from .errors import DatabaseUnavailable, ImproperlyConfigured, MigrationError

if TYPE_CHECKING:
    from .migrations import Migration

__all__ = ["db", "application", "app_db"]

T = TypeVar("T")
F = TypeVar("F", bound=Callable[..., Any])

#: ``ctx.meta`` key: the database URL (no password) the command works on, for its errors
_WHERE = "openapi.db.url"


def application(ctx: click.Context) -> Any:
    """The application of the running command line."""
    obj = ctx.find_root().obj if ctx.obj is None else ctx.obj
    if obj is None:
        raise click.ClickException("no application: run db commands through the app's CLI")
    if hasattr(obj, "get_app"):
        return obj.get_app()
    if isinstance(obj, dict) and "app" in obj:
        return obj["app"]
    return obj


def app_db(ctx: click.Context) -> Database:
    """The application's database (``app["db"]``); a one-line error when there is none."""
    app = application(ctx)
    found = app.get("db") if hasattr(app, "get") else None
    if not isinstance(found, Database) or not found.dsn:
        raise click.ClickException(
            "the application has no database: set DATASTORE to a PostgreSQL URL"
        )
    ctx.meta[_WHERE] = found.dsn_safe
    return found


def migration(ctx: click.Context, *, initialised: bool = True) -> Migration:
    """The application's migrations; with ``initialised``, a clear error before ``db init``."""
    # alembic loads when a migration command runs: `db --help` and `db tables` stay fast
    from .migrations import Migration, migrations_directory

    app = application(ctx)
    # sys.stdout at call time: click's test runner swaps it
    stdout: TextIO = sys.stdout
    found = Migration(app_db(ctx), migrations_directory(app), stdout=stdout)
    if initialised and not found.initialised:
        raise click.ClickException(
            f"no migrations folder at {_shown(found.directory)}: run `db init` first"
        )
    return found


def _shown(path: Path) -> str:
    """``path`` relative to the working directory when it is inside it."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def _reason(exc: BaseException) -> str:
    """The first line of the deepest cause: what the server or the socket said."""
    while exc.__cause__ is not None and not isinstance(exc, asyncpg.PostgresError):
        exc = exc.__cause__
    text = str(exc).strip() or type(exc).__name__
    return text.splitlines()[0]


#: the server is down, unreachable or refused the connection
_UNAVAILABLE: tuple[type[BaseException], ...] = (
    DatabaseUnavailable,
    TimeoutError,
    *unavailable_errors,
)


class DbGroup(click.Group):
    """A click group whose commands' database and migration errors are one-line errors."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except _UNAVAILABLE as exc:
            where = ctx.meta.get(_WHERE, "")
            raise click.ClickException(f"database unavailable at {where}: {_reason(exc)}") from exc
        except (asyncpg.PostgresError, sa.exc.DBAPIError, ImproperlyConfigured) as exc:
            raise click.ClickException(f"database error: {_reason(exc)}") from exc
        except MigrationError as exc:
            raise click.ClickException(str(exc)) from exc


def _run(coroutine: Coroutine[Any, Any, T]) -> T:
    return asyncio.run(coroutine)


async def _with_db(database: Database, action: str) -> Any:
    method: Callable[[], Awaitable[Any]] = getattr(database, action)
    try:
        return await method()
    finally:
        await database.close()


def _revision_argument(default: str | None) -> Callable[[F], F]:
    """``REVISION`` as alembic spells it (``db show head``), or the older ``--revision``."""

    def decorate(command: F) -> F:
        command = click.option(
            "--revision", "revision_option", default=None, help="Same as REVISION."
        )(command)
        return click.argument("revision", required=False, default=default)(command)

    return decorate


#: ``db downgrade -1``: an unknown "option" is the relative revision it looks like
_REVISION_SETTINGS = {"ignore_unknown_options": True}


def _target(revision: str | None, revision_option: str | None, default: str | None) -> str:
    if revision is not None and revision_option is not None and revision != default:
        raise click.UsageError("give the revision once: REVISION or --revision")
    found = revision_option or revision
    if found is None:
        raise click.UsageError("missing the target revision (for example -1 or base)")
    return found


def _confirm(question: str, yes: bool) -> None:
    """Ask ``question`` unless ``--yes``; a refusal (or no answer on stdin) aborts."""
    if not yes:
        click.confirm(question, abort=True, err=True)


def _yes_option(command: F) -> F:
    return click.option(
        "-y", "--yes", is_flag=True, help="Do not ask for confirmation (scripts, CI)."
    )(command)


def _confirm_tables(ctx: click.Context, database: Database, action: str, yes: bool) -> None:
    """Ask before ``action`` (for example "Drop") on the tables, naming them and the database."""
    names = ", ".join(table.name for table in database.metadata.sorted_tables) or "no table"
    _confirm(f"{action} the tables ({names}) of {ctx.meta[_WHERE]}?", yes)


@click.group(cls=DbGroup)
def db() -> None:
    """Database migrations (alembic) and utilities."""
    # alembic logs its plugin set-up at INFO when imported: noise to a user
    logging.getLogger("alembic.runtime.plugins").setLevel(logging.WARNING)


@db.command()
@click.pass_context
def init(ctx: click.Context) -> None:
    """Create the migrations folder (alembic environment)."""
    found = migration(ctx, initialised=False)
    written = found.init()
    click.echo(f"migrations folder {_shown(found.directory)} created: {', '.join(written)}")
    click.echo('next: `db migrate -m "first"` writes the first revision from your tables')


def _report_revision(paths: list[Path]) -> None:
    # alembic says "Generating ..." for each file it writes
    if not paths:
        click.echo("no change in the tables: no revision written")


@db.command()
@click.option("-m", "--message", required=True, help="Revision message")
@click.option("--branch-label", help="Branch label of the new revision")
@click.pass_context
def migrate(ctx: click.Context, message: str, branch_label: str | None) -> None:
    """Autogenerate a revision from the tables' changes; none when nothing changed."""
    _report_revision(migration(ctx).revision(message, autogenerate=True, branch_label=branch_label))


@db.command()
@click.option("-m", "--message", required=True, help="Revision message")
@click.option("--branch-label", help="Branch label of the new revision")
@click.option("--autogenerate", is_flag=True, help="Compare the database with the tables")
@click.pass_context
def revision(
    ctx: click.Context, message: str, branch_label: str | None, autogenerate: bool
) -> None:
    """Create a new revision file (empty, to fill in, without --autogenerate)."""
    _report_revision(
        migration(ctx).revision(message, autogenerate=autogenerate, branch_label=branch_label)
    )


@db.command(context_settings=_REVISION_SETTINGS)
@_revision_argument("heads")
@click.option("--drop-tables", is_flag=True, help="Drop the tables first (asks unless --yes)")
@click.option("--sql", is_flag=True, help="Print the SQL instead of running it")
@_yes_option
@click.pass_context
def upgrade(
    ctx: click.Context,
    revision: str,
    revision_option: str | None,
    drop_tables: bool,
    sql: bool,
    yes: bool,
) -> None:
    """Upgrade the database to REVISION (default: heads)."""
    target = _target(revision, revision_option, "heads")
    migrations = migration(ctx)
    if drop_tables:
        database = app_db(ctx)
        _confirm_tables(ctx, database, "Drop", yes)
        _run(_with_db(database, "drop_all"))
        click.echo("tables dropped")
    migrations.upgrade(target, sql=sql)
    if not sql:
        click.echo(f"upgraded successfully to {target}")


@db.command(context_settings=_REVISION_SETTINGS)
@_revision_argument(None)
@click.option("--sql", is_flag=True, help="Print the SQL instead of running it")
@click.pass_context
def downgrade(
    ctx: click.Context, revision: str | None, revision_option: str | None, sql: bool
) -> None:
    """Downgrade the database to REVISION (e.g. -1 or base)."""
    target = _target(revision, revision_option, None)
    migration(ctx).downgrade(target, sql=sql)
    if not sql:
        click.echo(f"downgraded successfully to {target}")


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


@db.command(context_settings=_REVISION_SETTINGS)
@_revision_argument("heads")
@click.pass_context
def show(ctx: click.Context, revision: str, revision_option: str | None) -> None:
    """Show REVISION (default: heads)."""
    migration(ctx).show(_target(revision, revision_option, "heads"))


@db.command()
@click.argument("dbname")
@click.option("--force", is_flag=True, help="Drop the database first if it exists")
@_yes_option
@click.pass_context
def create(ctx: click.Context, dbname: str, force: bool, yes: bool) -> None:
    """Create database DBNAME on the application's server."""
    server = parse_url(app_db(ctx).dsn).set(database="postgres")

    async def exists() -> bool:
        conn = await asyncpg.connect(asyncpg_dsn(server))
        try:
            found = await conn.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", dbname)
            return bool(found)
        finally:
            await conn.close()

    async def run(drop: bool) -> None:
        conn = await asyncpg.connect(asyncpg_dsn(server))
        try:
            name = dbname.replace('"', '""')
            if drop:
                await conn.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
            await conn.execute(f'CREATE DATABASE "{name}"')
        finally:
            await conn.close()

    found = _run(exists())
    if found and not force:
        click.echo(f"database {dbname} already available")
        return
    if found:
        _confirm(f"Drop database {dbname} and create it empty?", yes)
    _run(run(drop=found))
    click.echo(f"database {dbname} created")


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
@_yes_option
@click.pass_context
def drop(ctx: click.Context, yes: bool) -> None:
    """Drop the application's tables (and alembic's version table); asks unless --yes."""
    database = app_db(ctx)
    _confirm_tables(ctx, database, "Drop", yes)
    _run(_with_db(database, "drop_all"))
    click.echo("tables dropped")


@db.command()
@_yes_option
@click.pass_context
def truncate(ctx: click.Context, yes: bool) -> None:
    """Delete every row of the application's tables; asks unless --yes."""
    database = app_db(ctx)
    _confirm_tables(ctx, database, "Delete every row of", yes)
    _run(_with_db(database, "truncate_all"))
    click.echo("tables truncated")


def _project_root() -> Path:
    """The nearest folder with a pyproject.toml, from the working directory up; else it."""
    here = Path.cwd().resolve()
    return next((p for p in (here, *here.parents) if (p / "pyproject.toml").is_file()), here)


@db.command()
@click.option("--stop", is_flag=True, help="Stop the development server.")
def dev(stop: bool) -> None:
    """Start the project's development PostgreSQL (embedded, kept in .openapi/).

    Its port is chosen once and kept, so the URL never changes; `serve` and `db` use it
    while DATASTORE is unset. Needs the `embedded` extra (aio-openapi-db[embedded]).
    """
    found = DevDatabase.find() or DevDatabase(_project_root())
    shown = _shown(found.server.data_dir)
    if stop:
        if not found.running():
            click.echo(f"the development PostgreSQL in {shown} is not running")
            return
        found.stop()
        click.echo(f"the development PostgreSQL in {shown} stopped")
        return
    try:
        url = found.start()
    except RuntimeError as exc:
        raise click.ClickException(f"cannot start PostgreSQL in {shown}: {_reason(exc)}") from exc
    click.echo(f"development PostgreSQL running in {shown} (`db dev --stop` stops it)")
    click.echo(f"DATASTORE={url}")
