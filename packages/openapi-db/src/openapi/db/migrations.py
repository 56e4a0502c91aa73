"""Alembic, driven by an application's CrudDB: its URL and its tables' metadata."""

from __future__ import annotations

import asyncio
import logging
import os
import shutil
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from functools import partial
from pathlib import Path
from typing import Any, TextIO

import sqlalchemy as sa
from alembic import command as alembic_command
from alembic.config import Config
from alembic.util import CommandError

from .database import Database
from .dsn import sqlalchemy_url
from .errors import MigrationError

__all__ = ["Migration", "run_environment", "TEMPLATES"]

#: alembic templates shipped with openapi.db (``db init`` uses ``openapi``)
TEMPLATES = Path(__file__).parent / "templates"


class Migration:
    """Alembic commands for ``db``; output goes to ``stdout`` (the terminal by default)."""

    def __init__(
        self,
        db: Database,
        directory: str | Path | None = None,
        stdout: TextIO | None = None,
    ) -> None:
        self.db = db
        self.directory = Path(directory or Path.cwd() / "migrations")
        self.stdout = stdout or sys.stdout
        self.config = self._config()

    def _config(self) -> Config:
        config = Config(stdout=self.stdout)
        config.set_main_option("script_location", str(self.directory))
        config.config_file_name = str(self.directory / "alembic.ini")
        config.set_main_option("sqlalchemy.url", sqlalchemy_url(self.db.dsn).replace("%", "%%"))
        config.attributes["metadata"] = self.db.metadata
        return config

    @contextmanager
    def _logging(self) -> Iterator[None]:
        """alembic's progress lines (``Running upgrade ...``) shown; its errors MigrationError."""
        logger = logging.getLogger("alembic")
        handler = logging.StreamHandler(self.stdout)
        handler.setFormatter(logging.Formatter("%(message)s"))
        # plugin set-up lines are noise to a user
        handler.addFilter(_worth_showing)
        level, propagate = logger.level, logger.propagate
        logger.addHandler(handler)
        logger.setLevel(logging.INFO)
        # shown once, here, even when the application's CLI logs to the terminal too
        logger.propagate = False
        try:
            yield
        except CommandError as exc:
            # "Can't locate revision identified by 'x'" and friends: the user's mistake
            message = str(exc)
            if message.startswith("Target database is not up to date"):
                message = "the database is behind the latest revision: run `db upgrade` first"
            raise MigrationError(message) from exc
        finally:
            logger.removeHandler(handler)
            logger.setLevel(level)
            logger.propagate = propagate

    @property
    def initialised(self) -> bool:
        """Whether the migrations folder exists (``db init`` was run)."""
        return (self.directory / "env.py").is_file()

    def init(self) -> list[str]:
        """Write the migrations folder from openapi.db's template; the names written.

        ``alembic.ini`` points at its own folder (``%(here)s``), so the folder can move.
        """
        if self.directory.exists() and any(self.directory.iterdir()):
            raise MigrationError(f"{self.directory} already exists and is not empty")
        (self.directory / "versions").mkdir(parents=True, exist_ok=True)
        written = []
        for source in sorted((TEMPLATES / "openapi").iterdir()):
            if source.is_file():
                shutil.copyfile(source, self.directory / source.name)
                written.append(source.name)
        return [*written, "versions/"]

    def revision(
        self, message: str, *, autogenerate: bool = False, branch_label: str | None = None
    ) -> list[Path]:
        """Write a revision; with ``autogenerate``, none when the tables did not change.

        Returns the files written.
        """
        self.config.attributes["skip_empty"] = autogenerate
        with self._logging():
            scripts = alembic_command.revision(
                self.config, message=message, autogenerate=autogenerate, branch_label=branch_label
            )
        if scripts is None:
            return []
        if not isinstance(scripts, list):
            scripts = [scripts]
        return [Path(script.path) for script in scripts if script is not None]

    def upgrade(self, revision: str = "heads", sql: bool = False) -> None:
        with self._logging():
            alembic_command.upgrade(self.config, revision, sql=sql)

    def downgrade(self, revision: str, sql: bool = False) -> None:
        with self._logging():
            alembic_command.downgrade(self.config, revision, sql=sql)

    def current(self, verbose: bool = False) -> None:
        with self._logging():
            alembic_command.current(self.config, verbose=verbose)

    def history(self, verbose: bool = False) -> None:
        with self._logging():
            alembic_command.history(self.config, verbose=verbose)

    def show(self, revision: str) -> None:
        with self._logging():
            alembic_command.show(self.config, revision)


def _worth_showing(record: logging.LogRecord) -> bool:
    """alembic's plugin set-up, context and SERIAL-guess lines are noise to a user."""
    if record.name.startswith("alembic.runtime.plugins"):
        return False
    message = record.getMessage()
    return not message.startswith(("Context impl ", "Will assume ", "Detected sequence named "))


def _skip_empty_revision(
    config: Config, context: Any, revision: Any, directives: list[Any]
) -> None:
    """An autogenerated revision with no operation is not written."""
    if config.attributes.get("skip_empty") and directives:
        if directives[0].upgrade_ops.is_empty():
            directives[:] = []


def _run_sync_migrations(connection: sa.Connection, config: Config) -> None:
    from alembic import context

    context.configure(
        connection=connection,
        target_metadata=config.attributes.get("metadata"),
        compare_type=True,
        process_revision_directives=partial(_skip_empty_revision, config),
    )
    with context.begin_transaction():
        context.run_migrations()


async def _run_online(config: Config) -> None:
    # alembic works on a synchronous connection: SQLAlchemy's asyncpg adapter gives one
    # here (migrations only; the request path never uses the async engine)
    from sqlalchemy.ext.asyncio import create_async_engine

    url = config.get_main_option("sqlalchemy.url")
    assert url, "no database URL"
    engine = create_async_engine(url, poolclass=sa.pool.NullPool)
    try:
        async with engine.connect() as connection:
            await connection.run_sync(_run_sync_migrations, config)
    finally:
        await engine.dispose()


def run_environment(config: Config) -> None:
    """What a migrations folder's ``env.py`` runs: offline (``--sql``) or online."""
    from alembic import context

    if context.is_offline_mode():
        context.configure(
            url=config.get_main_option("sqlalchemy.url"),
            target_metadata=config.attributes.get("metadata"),
            literal_binds=True,
            dialect_opts={"paramstyle": "named"},
        )
        with context.begin_transaction():
            context.run_migrations()
        return
    asyncio.run(_run_online(config))


def migrations_directory(app: Any) -> Path:
    """``app["migrations_dir"]`` or ``MIGRATIONS_DIR`` or ``./migrations``."""
    found = None
    if hasattr(app, "get"):
        found = app.get("migrations_dir")
    found = found or os.environ.get("MIGRATIONS_DIR")
    return Path(found) if found else Path.cwd() / "migrations"
