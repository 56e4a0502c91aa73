"""get_db: a CrudDB for an aiohttp application, configured from the environment."""

from __future__ import annotations

import logging
import os
import warnings

import sqlalchemy as sa
from aiohttp import web
from openapi.spec.errors import ConfigurationError
from openapi.spec.observers import OBSERVERS
from openapi.spec.readiness import add_ready_check

from .crud import CrudDB
from .dev_database import dev_database_url
from .errors import DatabaseUnavailable

__all__ = ["get_db", "DB_KEY"]

logger = logging.getLogger("openapi.db")

DB_KEY = "db"


def _env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    if not value:
        return default
    try:
        return int(value)
    except ValueError:
        raise ConfigurationError(f"{name} must be an integer, got {value!r}") from None


def get_db(
    app: web.Application, url: str | None = None, *, metadata: sa.MetaData | None = None
) -> CrudDB | None:
    """Create the application's :class:`CrudDB` and store it at ``app["db"]``.

    ``url`` defaults to the ``DATASTORE`` environment variable (SQLAlchemy URL syntax,
    ``postgresql://`` or ``postgresql+asyncpg://``); pool sizes come from
    ``DBPOOL_MIN_SIZE`` and ``DBPOOL_MAX_SIZE`` (10 each). The pool opens on startup
    and closes on cleanup. Returns None, with a log line, when no URL is configured.
    """
    url = url or os.environ.get("DATASTORE")
    if not url:
        url = dev_database_url()
        if url:
            logger.info("DATASTORE is not set: the development database of `db dev` at %s", url)
    if not url:
        logger.warning(
            "DATASTORE is not set: the application has no database (`openapi-cli db dev` "
            "gives one for development)"
        )
        return None
    db = CrudDB(
        url,
        metadata,
        min_size=_env_int("DBPOOL_MIN_SIZE", 10),
        max_size=_env_int("DBPOOL_MAX_SIZE", 10),
    )
    with warnings.catch_warnings():
        # the contract's key is the string "db" (the seed's), not an AppKey
        warnings.simplefilter("ignore", web.NotAppKeyWarning)
        app[DB_KEY] = db
    add_ready_check(app, "database", db.ping)
    app.on_startup.append(_open_db)
    app.on_cleanup.append(_close_db)
    return db


async def _open_db(app: web.Application) -> None:
    db: CrudDB = app[DB_KEY]
    db.observe(app.get(OBSERVERS) or ())
    try:
        await db.open()
    except DatabaseUnavailable as exc:  # the pool retries on first use; 503 until then
        logger.warning("database %s not reachable at startup: %s", db.dsn_safe, exc)


async def _close_db(app: web.Application) -> None:
    await app[DB_KEY].close()
