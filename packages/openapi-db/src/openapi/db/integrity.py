"""Integrity errors from PostgreSQL as JSON answers naming the columns: 409 Conflict for
unique and exclusion violations (the row clashes with another), 422 for the others.

The columns come from the violated constraint (asyncpg gives its name, table and
schema), looked up in the table's metadata or, failing that, in ``pg_catalog``;
never from the message text.
"""

from __future__ import annotations

from typing import Any

import asyncpg
import sqlalchemy as sa
from openapi.spec import ApiError, Conflict, UnprocessableEntity
from sqlalchemy.dialects.postgresql import ExcludeConstraint
from sqlalchemy.sql.schema import ColumnCollectionConstraint

from .database import Database

__all__ = ["clashing_columns", "constraint_columns", "integrity_error"]

_CATALOG_COLUMNS = """
SELECT a.attname
FROM pg_catalog.pg_constraint c
JOIN pg_catalog.pg_namespace n ON n.oid = c.connamespace
CROSS JOIN LATERAL unnest(c.conkey) WITH ORDINALITY AS k(attnum, position)
JOIN pg_catalog.pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.attnum
WHERE c.conname = $1 AND ($2::text IS NULL OR n.nspname = $2)
ORDER BY k.position
"""

_INDEX_COLUMNS = """
SELECT a.attname
FROM pg_catalog.pg_class i
JOIN pg_catalog.pg_namespace n ON n.oid = i.relnamespace
JOIN pg_catalog.pg_index x ON x.indexrelid = i.oid
CROSS JOIN LATERAL unnest(x.indkey) WITH ORDINALITY AS k(attnum, position)
JOIN pg_catalog.pg_attribute a ON a.attrelid = x.indrelid AND a.attnum = k.attnum
WHERE i.relname = $1 AND ($2::text IS NULL OR n.nspname = $2)
ORDER BY k.position
"""

_cache: dict[tuple[str, str | None, str | None], tuple[str, ...]] = {}


def _metadata_columns(metadata: sa.MetaData, name: str) -> tuple[str, ...] | None:
    for table in metadata.tables.values():
        for constraint in table.constraints:
            if constraint.name == name:
                if isinstance(constraint, ColumnCollectionConstraint):
                    return tuple(c.name for c in constraint.columns)
        for index in table.indexes:
            if index.name == name:
                return tuple(c.name for c in index.columns if isinstance(c, sa.Column))
    return None


async def constraint_columns(db: Database, exc: asyncpg.PostgresError) -> tuple[str, ...]:
    """Columns of the constraint ``exc`` reports (empty when it cannot be known)."""
    name: str | None = getattr(exc, "constraint_name", None)
    if not name:
        column = getattr(exc, "column_name", None)
        return (column,) if column else ()
    schema: str | None = getattr(exc, "schema_name", None)
    key = (name, schema, db.dsn)
    if key in _cache:
        return _cache[key]
    columns = _metadata_columns(db.metadata, name)
    if columns is None:
        # the failed statement's connection may be in an aborted transaction: use another
        try:
            async with db.connection() as conn:
                rows = await conn.fetch(_CATALOG_COLUMNS, name, schema)
                if not rows:
                    rows = await conn.fetch(_INDEX_COLUMNS, name, schema)
            columns = tuple(row[0] for row in rows)
        except Exception:  # the answer is still a 422, only less precise
            return ()
    _cache[key] = columns
    return columns


async def integrity_error(db: Database, exc: asyncpg.PostgresError) -> ApiError | None:
    """The answer to a constraint violation or invalid value; None for other errors."""
    if isinstance(exc, asyncpg.UniqueViolationError):
        columns = await constraint_columns(db, exc)
        if len(columns) > 1:
            message = f"a row with the same {', '.join(columns)} already exists"
        else:
            message = "already exists"
        return _error("Already exists", columns, message, Conflict)
    if isinstance(exc, asyncpg.ExclusionViolationError):
        columns = await constraint_columns(db, exc)
        detail = "conflicts with an existing row"
        return _error("Conflicts with an existing row", columns, detail, Conflict)
    if isinstance(exc, asyncpg.ForeignKeyViolationError):
        columns = await constraint_columns(db, exc)
        return _error("Invalid reference", columns, "the referenced row does not exist")
    if isinstance(exc, asyncpg.NotNullViolationError):
        column = getattr(exc, "column_name", None)
        return _error("Missing value", (column,) if column else (), "required")
    if isinstance(exc, asyncpg.CheckViolationError):
        columns = await constraint_columns(db, exc)
        return _error("Invalid data", columns, "value not allowed")
    if isinstance(exc, asyncpg.DataError):
        column = getattr(exc, "column_name", None)
        return _error("Invalid data", (column,) if column else (), "invalid value")
    return None


def clashing_columns(table: sa.Table) -> list[tuple[str, ...]]:
    """Column sets a new or changed row can clash on (409): the primary key, unique
    constraints and indexes, exclusion constraints."""
    found: list[tuple[str, ...]] = []
    for constraint in table.constraints:
        clashing = sa.PrimaryKeyConstraint | sa.UniqueConstraint | ExcludeConstraint
        if isinstance(constraint, clashing):
            found.append(tuple(c.name for c in constraint.columns))
    for index in table.indexes:
        if index.unique:
            found.append(tuple(c.name for c in index.columns if isinstance(c, sa.Column)))
    for column in table.columns:
        if column.unique:
            found.append((column.name,))
    return [names for i, names in enumerate(found) if names and names not in found[:i]]


def _error(
    message: str,
    columns: tuple[str, ...],
    detail: str,
    kind: type[ApiError] = UnprocessableEntity,
) -> ApiError:
    errors: list[dict[str, Any]] = [{"field": c, "message": detail} for c in columns]
    if not errors:
        errors = [{"field": "", "message": detail}]
    return kind(message, errors=errors)
