"""PostgreSQL for aio-openapi: asyncpg pool, SQLAlchemy Core tables, CRUD, migrations."""

from .app import get_db
from .crud import CrudDB
from .database import Database
from .errors import DatabaseUnavailable, FilterRequired, ImproperlyConfigured, InvalidFilter
from .observers import PoolObserver, StatementTracer
from .table_dataclass import dataclass_from_table

__version__ = "0.1.0"

__all__ = [
    "__version__",
    "CrudDB",
    "Database",
    "DatabaseUnavailable",
    "FilterRequired",
    "ImproperlyConfigured",
    "InvalidFilter",
    "PoolObserver",
    "StatementTracer",
    "dataclass_from_table",
    "get_db",
]
