"""Database URLs: SQLAlchemy syntax in, asyncpg DSN and alembic URL out."""

from __future__ import annotations

from sqlalchemy.engine import URL, make_url

__all__ = ["asyncpg_dsn", "sqlalchemy_url", "parse_url"]


def parse_url(url: str | URL) -> URL:
    """``postgresql://`` or ``postgresql+asyncpg://`` (or ``postgres://``) URL."""
    if isinstance(url, str) and url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://") :]
    parsed = make_url(url)
    if parsed.get_backend_name() != "postgresql":
        raise ValueError(f"not a PostgreSQL URL: {parsed.render_as_string(hide_password=True)}")
    return parsed


def asyncpg_dsn(url: str | URL) -> str:
    """A DSN asyncpg accepts: driver suffix removed."""
    parsed = parse_url(url).set(drivername="postgresql")
    return parsed.render_as_string(hide_password=False)


def sqlalchemy_url(url: str | URL) -> str:
    """The ``postgresql+asyncpg://`` URL alembic's async engine runs migrations with."""
    parsed = parse_url(url).set(drivername="postgresql+asyncpg")
    return parsed.render_as_string(hide_password=False)
