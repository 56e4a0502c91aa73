"""CrudDB: create, read, update, delete and count rows of a table.

Each helper describes its statement by a *shape key* (table, filter columns and
operators, value kinds, ordering...) without building any SQLAlchemy object; only
the first statement of a shape is built and compiled, later ones just order their
values into asyncpg arguments.
"""

from __future__ import annotations

import weakref
from collections.abc import Hashable, Mapping, Sequence
from typing import Any

import sqlalchemy as sa

from .compiler import CompiledSQL, Row
from .database import Connection, Database
from .errors import InvalidFilter
from .filters import (
    FilterConsumer,
    build_conditions,
    check_value,
    column_filter,
    split_key,
    value_kind,
)

__all__ = ["CrudDB", "Filters", "OrderBy"]

Filters = Mapping[str, Any]
OrderBy = str | Sequence[str] | None


#: bind parameter names of filter values, made once
_FILTER_NAMES = tuple(f"f{i}" for i in range(32))


class _Plan:
    """Filters split into a shape (hashable) and the values it binds."""

    __slots__ = ("shape", "values", "custom")

    def __init__(self, shape: tuple[Any, ...], values: list[Any], custom: bool) -> None:
        self.shape = shape
        self.values = values
        self.custom = custom


def _normalize_order(order_by: OrderBy) -> tuple[str, ...]:
    if not order_by:
        return ()
    if isinstance(order_by, str):
        return (order_by,)
    return tuple(order_by)


_DEFAULTS: weakref.WeakKeyDictionary[sa.Table, dict[str, list[tuple[str, Any]]]] = (
    weakref.WeakKeyDictionary()
)


def _python_defaults(table: sa.Table, attribute: str) -> list[tuple[str, Any]]:
    """Columns whose ``default``/``onupdate`` SQLAlchemy computes in Python."""
    per_table = _DEFAULTS.get(table)
    if per_table is None:
        per_table = _DEFAULTS[table] = {}
    found = per_table.get(attribute)
    if found is None:
        found = per_table[attribute] = []
        for column in table.columns:
            default = getattr(column, attribute)
            if default is not None and (default.is_scalar or default.is_callable):
                found.append((column.key, default))
    return found


def _with_defaults(
    table: sa.Table, rows: list[Mapping[str, Any]], attribute: str
) -> list[Mapping[str, Any]]:
    defaults = _python_defaults(table, attribute)
    if not defaults:
        return rows
    completed: list[Mapping[str, Any]] = []
    for row in rows:
        missing = [(name, default) for name, default in defaults if name not in row]
        if missing:
            row = dict(row)
            for name, default in missing:
                # SQLAlchemy wraps callables to take an execution context; none exists here
                row[name] = default.arg(None) if default.is_callable else default.arg
        completed.append(row)
    return completed


class CrudDB(Database):
    """A :class:`Database` with CRUD helpers; each takes ``conn=`` to join a transaction.

    Filters are ``{"column": value, "column:op": value}`` (see :mod:`openapi.db.filters`);
    ``consumer`` is an object whose ``filter_<name>(op, value)`` methods override the
    default condition for ``name`` (a :class:`~openapi.db.path.SqlApiPath`).
    """

    # shapes

    def _plan(self, table: sa.Table, filters: Filters | None, consumer: FilterConsumer) -> _Plan:
        shape: list[tuple[str, str, str]] = []
        values: list[Any] = []
        custom = False
        columns = table.c
        for key, value in (filters or {}).items():
            name, op = split_key(key)
            if consumer is not None and hasattr(consumer, f"filter_{name}"):
                custom = True
                continue
            if name not in columns:
                raise InvalidFilter(key)
            check_value(columns[name], key, value)
            kind = value_kind(value)
            shape.append((name, op, kind))
            if kind != "null":
                values.append(list(value) if kind == "list" else value)
        return _Plan(tuple(shape), values, custom)

    def _where(self, table: sa.Table, shape: tuple[tuple[str, str, str], ...]) -> list[Any]:
        """Conditions with named parameters ``f0, f1...`` for a filter shape."""
        conditions = []
        index = 0
        for name, op, kind in shape:
            bind = None
            if kind != "null":
                bind = _FILTER_NAMES[index] if index < len(_FILTER_NAMES) else f"f{index}"
                index += 1
            conditions.append(column_filter(table.c[name], op, kind, name=bind))
        return conditions

    @staticmethod
    def _bind(table: sa.Table, name: str, key: str) -> Any:
        return sa.bindparam(key, type_=table.c[name].type)

    @staticmethod
    def _filter_args(values: list[Any]) -> dict[str, Any]:
        if len(values) <= len(_FILTER_NAMES):
            return dict(zip(_FILTER_NAMES, values, strict=False))
        return {f"f{i}": value for i, value in enumerate(values)}

    def order_by_clauses(self, table: sa.Table, order_by: OrderBy) -> list[Any]:
        """``["-created", "id"]`` -> ``[created DESC, id]``; unknown names are a 422."""
        clauses = []
        for field in _normalize_order(order_by):
            desc = field.startswith("-")
            name = field[1:] if desc else field
            column = table.c.get(name)
            if column is None:
                raise InvalidFilter("order_by", f"cannot order by '{name}'")
            clauses.append(column.desc() if desc else column.asc())
        return clauses

    def get_query(
        self,
        table: sa.Table,
        statement: Any,
        *,
        params: Filters | None = None,
        consumer: FilterConsumer = None,
    ) -> Any:
        """Add the filters in ``params`` to a select, update or delete statement."""
        conditions = build_conditions(table, params, consumer)
        return statement.where(*conditions) if conditions else statement

    def _compiled(self, key: Hashable, build: Any) -> CompiledSQL:
        compiled = self.compiler.get(key)
        if compiled is None:
            compiled = self.compiler.store(key, build())
        return compiled

    async def _rows(
        self, compiled: CompiledSQL, params: Mapping[str, Any], conn: Connection | None
    ) -> list[Row]:
        return await self.fetch_compiled(compiled, compiled.arguments(params), conn=conn)

    # CRUD

    async def db_select(
        self,
        table: sa.Table,
        filters: Filters | None = None,
        *,
        order_by: OrderBy = None,
        limit: int | None = None,
        offset: int | None = None,
        conn: Connection | None = None,
        consumer: FilterConsumer = None,
    ) -> list[Row]:
        """Rows of ``table`` matching ``filters``."""
        plan = self._plan(table, filters, consumer)
        if plan.custom:
            statement = self.get_query(table, table.select(), params=filters, consumer=consumer)
            statement = statement.order_by(*self.order_by_clauses(table, order_by))
            if limit is not None:
                statement = statement.limit(limit)
            if offset:
                statement = statement.offset(sa.literal(offset, sa.BigInteger))
            return await self.fetch(statement, conn=conn)
        order = _normalize_order(order_by)
        key = ("select", table, plan.shape, order, limit is not None, bool(offset))
        compiled = self.compiler.get(key)
        if compiled is None:
            statement = table.select().where(*self._where(table, plan.shape))
            statement = statement.order_by(*self.order_by_clauses(table, order))
            if limit is not None:
                statement = statement.limit(sa.bindparam("limit", type_=sa.Integer))
            if offset:
                statement = statement.offset(sa.bindparam("offset", type_=sa.BigInteger))
            compiled = self.compiler.store(key, statement)
        params = self._filter_args(plan.values)
        if limit is not None:
            params["limit"] = limit
        if offset:
            params["offset"] = offset
        return await self.fetch_compiled(compiled, compiled.arguments(params), conn=conn)

    async def db_list(
        self,
        table: sa.Table,
        filters: Filters | None = None,
        *,
        order_by: OrderBy = None,
        limit: int,
        offset: int = 0,
        search: tuple[Sequence[str], str] | None = None,
        count: bool = False,
        conn: Connection | None = None,
        consumer: FilterConsumer = None,
    ) -> tuple[list[Row], int | None]:
        """A bounded page of rows matching ``filters`` (and ``search``: fields and text,
        a literal case-insensitive substring) and, with ``count``, how many match in all.

        The total comes with the page (``count(*) OVER ()``): one round trip.
        """
        plan = self._plan(table, filters, consumer)
        search_fields = tuple(search[0]) if search and search[1] else ()
        order = _normalize_order(order_by)
        if plan.custom:
            return await self._list_statement(
                table, filters, order, limit, offset, search, count, conn, consumer
            )
        key = ("list", table, plan.shape, search_fields, order, count, bool(offset))
        compiled = self.compiler.get(key)
        if compiled is None:
            from .pagination import TOTAL_COLUMN, search_condition

            statement = table.select().where(*self._where(table, plan.shape))
            if search_fields:
                pattern = sa.bindparam("search", type_=sa.String)
                statement = statement.where(search_condition(table, search_fields, pattern))
            statement = statement.order_by(*self.order_by_clauses(table, order))
            if count:
                statement = statement.add_columns(sa.func.count().over().label(TOTAL_COLUMN))
            statement = statement.limit(sa.bindparam("limit", type_=sa.Integer))
            if offset:
                statement = statement.offset(sa.bindparam("offset", type_=sa.BigInteger))
            compiled = self.compiler.store(key, statement)
        params = self._filter_args(plan.values)
        params["limit"] = limit
        if offset:
            params["offset"] = offset
        if search_fields and search:
            from .pagination import like_pattern

            params["search"] = like_pattern(search[1])
        async with self.connection(conn) as connection:
            records = await self.fetch_compiled(
                compiled, compiled.arguments(params), conn=connection
            )
            return await self._with_total(
                table, records, filters, offset, search, count, connection, consumer
            )

    async def _with_total(
        self,
        table: sa.Table,
        records: list[Row],
        filters: Filters | None,
        offset: int,
        search: tuple[Sequence[str], str] | None,
        count: bool,
        conn: Connection | None,
        consumer: FilterConsumer,
    ) -> tuple[list[Row], int | None]:
        if not count:
            return records, None
        from .pagination import TOTAL_COLUMN, search_condition

        if records:
            total = int(records[0][TOTAL_COLUMN])
        elif offset:
            # past the last page: count apart
            statement = self.get_query(table, table.select(), params=filters, consumer=consumer)
            if search and search[1]:
                statement = statement.where(search_condition(table, search[0], search[1]))
            total = await self.db_count_query(statement, conn=conn)
        else:
            total = 0
        rows: list[Row] = []
        for record in records:
            row = dict(record)
            del row[TOTAL_COLUMN]
            rows.append(row)
        return rows, total

    async def _list_statement(
        self,
        table: sa.Table,
        filters: Filters | None,
        order: tuple[str, ...],
        limit: int,
        offset: int,
        search: tuple[Sequence[str], str] | None,
        count: bool,
        conn: Connection | None,
        consumer: FilterConsumer,
    ) -> tuple[list[Row], int | None]:
        from .pagination import TOTAL_COLUMN, search_condition

        statement = self.get_query(table, table.select(), params=filters, consumer=consumer)
        if search and search[1]:
            statement = statement.where(search_condition(table, search[0], search[1]))
        statement = statement.order_by(*self.order_by_clauses(table, order))
        if count:
            statement = statement.add_columns(sa.func.count().over().label(TOTAL_COLUMN))
        statement = statement.limit(limit)
        if offset:
            # OFFSET is a bigint: the default INTEGER cast refused offsets past 2**31
            statement = statement.offset(sa.literal(offset, sa.BigInteger))
        async with self.connection(conn) as connection:
            records = await self.fetch(statement, conn=connection)
            return await self._with_total(
                table, records, filters, offset, search, count, connection, consumer
            )

    async def db_count(
        self,
        table: sa.Table,
        filters: Filters | None = None,
        *,
        conn: Connection | None = None,
        consumer: FilterConsumer = None,
    ) -> int:
        """How many rows of ``table`` match ``filters``."""
        plan = self._plan(table, filters, consumer)
        if plan.custom:
            statement = self.get_query(
                table,
                sa.select(sa.func.count()).select_from(table),
                params=filters,
                consumer=consumer,
            )
            return int(await self.fetchval(statement, conn=conn))
        key = ("count", table, plan.shape)

        def build() -> Any:
            return (
                sa.select(sa.func.count()).select_from(table).where(*self._where(table, plan.shape))
            )

        rows = await self._rows(self._compiled(key, build), self._filter_args(plan.values), conn)
        return int(next(iter(rows[0].values())))

    async def db_count_query(
        self, statement: sa.Select[Any], *, conn: Connection | None = None
    ) -> int:
        """How many rows a select returns."""
        count = sa.select(sa.func.count()).select_from(statement.order_by(None).subquery())
        return int(await self.fetchval(count, conn=conn))

    async def db_insert(
        self,
        table: sa.Table,
        data: Mapping[str, Any] | Sequence[Mapping[str, Any]],
        *,
        conn: Connection | None = None,
    ) -> list[Row]:
        """Insert one row (a mapping) or many (a list of mappings); returns them."""
        rows = [data] if isinstance(data, Mapping) else list(data)
        if not rows:
            return []
        rows = _with_defaults(table, rows, "default")
        names: list[str] = []
        for row in rows:
            for name in row:
                if name not in names:
                    if name not in table.c:
                        raise InvalidFilter(name, "unknown column")
                    names.append(name)
        # which columns each row gives: a missing one takes the column's DEFAULT
        presence = tuple(tuple(name in row for name in names) for row in rows)
        key = ("insert", table, tuple(names), presence)

        def build() -> Any:
            if not names:
                return table.insert().returning(*table.columns)
            default: Any = sa.literal_column("DEFAULT")
            values = [
                {
                    name: sa.bindparam(f"v{i}_{j}", type_=table.c[name].type)
                    if given[j]
                    else default
                    for j, name in enumerate(names)
                }
                for i, given in enumerate(presence)
            ]
            return table.insert().values(values).returning(*table.columns)

        compiled = self._compiled(key, build)
        if not names:
            # no column given: one INSERT ... DEFAULT VALUES per row
            return [r for _ in rows for r in await self._rows(compiled, {}, conn)]
        params = {
            f"v{i}_{j}": row[name]
            for i, row in enumerate(rows)
            for j, name in enumerate(names)
            if name in row
        }
        return await self._rows(compiled, params, conn)

    async def db_update(
        self,
        table: sa.Table,
        filters: Filters | None,
        data: Mapping[str, Any],
        *,
        conn: Connection | None = None,
        consumer: FilterConsumer = None,
    ) -> list[Row]:
        """Set ``data`` on the rows matching ``filters``; returns the updated rows."""
        if not data:
            return await self.db_select(table, filters, conn=conn, consumer=consumer)
        for name in data:
            if name not in table.c:
                raise InvalidFilter(name, "unknown column")
        plan = self._plan(table, filters, consumer)
        if plan.custom:
            statement = self.get_query(table, table.update(), params=filters, consumer=consumer)
            return await self.fetch(statement.values(**data).returning(*table.columns), conn=conn)
        data = _with_defaults(table, [data], "onupdate")[0]
        names = tuple(data)
        key = ("update", table, plan.shape, names)

        def build() -> Any:
            values = {
                name: sa.bindparam(f"v{j}", type_=table.c[name].type)
                for j, name in enumerate(names)
            }
            return (
                table.update()
                .where(*self._where(table, plan.shape))
                .values(values)
                .returning(*table.columns)
            )

        params = self._filter_args(plan.values)
        params.update((f"v{j}", data[name]) for j, name in enumerate(names))
        return await self._rows(self._compiled(key, build), params, conn)

    async def db_delete(
        self,
        table: sa.Table,
        filters: Filters | None = None,
        *,
        conn: Connection | None = None,
        consumer: FilterConsumer = None,
    ) -> list[Row]:
        """Delete the rows matching ``filters``; returns them."""
        plan = self._plan(table, filters, consumer)
        if plan.custom:
            statement = self.get_query(table, table.delete(), params=filters, consumer=consumer)
            return await self.fetch(statement.returning(*table.columns), conn=conn)
        key = ("delete", table, plan.shape)

        def build() -> Any:
            return table.delete().where(*self._where(table, plan.shape)).returning(*table.columns)

        return await self._rows(self._compiled(key, build), self._filter_args(plan.values), conn)

    async def db_upsert(
        self,
        table: sa.Table,
        filters: Filters,
        data: Mapping[str, Any] | None = None,
        *,
        conn: Connection | None = None,
        consumer: FilterConsumer = None,
    ) -> Row:
        """Update (or select) the row matching ``filters``; insert ``filters | data`` if none.

        Runs in one transaction (or in ``conn``'s).
        """
        async with self.ensure_transaction(conn) as connection:
            if data:
                rows = await self.db_update(
                    table, filters, data, conn=connection, consumer=consumer
                )
            else:
                rows = await self.db_select(table, filters, conn=connection, consumer=consumer)
            if rows:
                return rows[0]
            values = {key: value for key, value in filters.items() if ":" not in key}
            values.update(data or {})
            return (await self.db_insert(table, values, conn=connection))[0]

    async def db_paginate(
        self,
        table: sa.Table,
        statement: sa.Select[Any],
        pagination: Any,
        params: Mapping[str, Any] | None = None,
        *,
        conn: Connection | None = None,
    ) -> tuple[list[Row], int | None]:
        """Rows of one page of ``statement`` and the total count (offset pagination).

        ``pagination`` is a paginator (with ``params`` such as ``{"limit": 10,
        "offset": 20}``) or an instance of a query schema built on ``offsetPagination``
        or ``cursorPagination`` (its field values are the parameters).
        """
        from yarl import URL

        from .pagination import Paginator, paginator_of

        if isinstance(pagination, Paginator):
            paginator = pagination
            values = dict(params or {})
        else:
            found = paginator_of(pagination)
            if found is None:
                raise TypeError(f"{pagination!r} is not a pagination")
            paginator = found
            values = {k: getattr(pagination, k) for k in found.keys if hasattr(pagination, k)}
            values.update(params or {})
        page = await paginator.page(self, table, statement, values, URL("/"), conn=conn)
        return page.rows, page.total
