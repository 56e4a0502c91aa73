"""PostgreSQL for aio-openapi: asyncpg pool, SQLAlchemy Core tables, CRUD, migrations."""

__version__ = "0.1.0"

__all__ = ["__version__"]
