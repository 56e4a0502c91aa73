"""Alembic, driven by an application's CrudDB: its URL and its tables' metadata."""

from __future__ import annotations

import asyncio
import logging
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TextIO

import sqlalchemy as sa
from alembic import command as alembic_command
from alembic.config import Config

from .database import Database
from .dsn import sqlalchemy_url

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
        config.get_template_directory = lambda: str(TEMPLATES)  # type: ignore[method-assign]
        config.set_main_option("script_location", str(self.directory))
        config.config_file_name = str(self.directory / "alembic.ini")
        config.set_main_option("sqlalchemy.url", sqlalchemy_url(self.db.dsn).replace("%", "%%"))
        config.attributes["metadata"] = self.db.metadata
        return config

    @contextmanager
    def _logging(self) -> Iterator[None]:
        """alembic's progress lines (``Running upgrade ...``) shown to the user."""
        logger = logging.getLogger("alembic")
        handler = logging.StreamHandler(self.stdout)
        handler.setFormatter(logging.Formatter("%(message)s"))
        # plugin set-up lines are noise to a user
        handler.addFilter(lambda record: not record.name.startswith("alembic.runtime.plugins"))
        level, propagate = logger.level, logger.propagate
        logger.addHandler(handler)
        logger.setLevel(logging.INFO)
        # shown once, here, even when the application's CLI logs to the terminal too
        logger.propagate = False
        try:
            yield
        finally:
            logger.removeHandler(handler)
            logger.setLevel(level)
            logger.propagate = propagate

    def init(self) -> None:
        alembic_command.init(self.config, str(self.directory), template="openapi")

    def revision(
        self, message: str, *, autogenerate: bool = False, branch_label: str | None = None
    ) -> None:
        with self._logging():
            alembic_command.revision(
                self.config, message=message, autogenerate=autogenerate, branch_label=branch_label
            )

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
        alembic_command.history(self.config, verbose=verbose)

    def show(self, revision: str) -> None:
        alembic_command.show(self.config, revision)


def _run_sync_migrations(connection: sa.Connection, config: Config) -> None:
    from alembic import context

    context.configure(
        connection=connection,
        target_metadata=config.attributes.get("metadata"),
        compare_type=True,
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
