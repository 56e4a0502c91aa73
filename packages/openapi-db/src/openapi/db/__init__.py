"""PostgreSQL for aio-openapi: asyncpg pool, SQLAlchemy Core tables, CRUD, migrations.

The public names load on first use (PEP 562): ``openapi-cli --help`` finds the ``db``
command here without importing SQLAlchemy, alembic or asyncpg.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
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

#: each public name and the module defining it
_DEFINED_IN = {
    "get_db": ".app",
    "CrudDB": ".crud",
    "Database": ".database",
    "DatabaseUnavailable": ".errors",
    "FilterRequired": ".errors",
    "ImproperlyConfigured": ".errors",
    "InvalidFilter": ".errors",
    "PoolObserver": ".observers",
    "StatementTracer": ".observers",
    "dataclass_from_table": ".table_dataclass",
}


def __getattr__(name: str) -> Any:
    module = _DEFINED_IN.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(module, __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
