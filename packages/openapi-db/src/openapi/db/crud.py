"""CrudDB: create, read, update, delete and count rows of a table.

Every helper runs one statement over the rows some filters select. Its *shape* (kind,
table, filter columns, operators and value kinds, search columns, window) is its cache
key: only the first statement of a shape is built and compiled, later ones just order
their values into asyncpg arguments. When a consumer overrides a filter (or the rows
come from a given select), the statement is built with its values bound in and cached
by SQLAlchemy's own key instead.
"""

from __future__ import annotations

import functools
import weakref
from collections.abc import AsyncGenerator, Awaitable, Callable, Hashable, Mapping, Sequence
from typing import Any, NamedTuple

import sqlalchemy as sa
from openapi.spec import UnprocessableEntity
from yarl import URL

from .compiler import Row
from .database import Connection, Database, invalid_value, invalid_value_errors
from .errors import InvalidFilter
from .filters import (
    NUL_MESSAGE,
    FilterConsumer,
    Filters,
    FilterShape,
    build_conditions,
    plan_filters,
    table_columns,
)
from .listing import (
    ListQuery,
    OffsetWindow,
    Page,
    Paginator,
    Selection,
    Total,
    Window,
    count_statement,
    paginator_of,
)
from .ordering import OrderBy, order_clauses, parse_order_by, total_order
from .search import Search, like_pattern, search_condition

__all__ = ["CrudDB", "Filters", "OrderBy", "StatementKey"]

#: the column ``count(*) OVER ()`` adds to a page's rows when its total is counted
TOTAL_COLUMN = "_openapi_total_count"


class StatementKey(NamedTuple):
    """The shape of a statement over filtered rows: everything but its values."""

    kind: str
    table: sa.Table
    filters: tuple[FilterShape, ...] = ()
    search: tuple[str, ...] = ()
    rest: Hashable = None
    """what the statement adds: a window's shape, the columns it sets..."""


class InsertShape(NamedTuple):
    """Columns an insert names, and which of them each row gives."""

    names: tuple[str, ...]
    given: tuple[tuple[bool, ...], ...]


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

    # the rows of a selection, one statement per shape

    def _fetch_selected(
        self,
        selection: Selection,
        build: Callable[[list[Any]], Any],
        *,
        kind: str,
        rest: Hashable = None,
        arguments: Mapping[str, Any] | None = None,
        conn: Connection | None = None,
    ) -> Awaitable[list[Row]]:
        """Rows of ``build(conditions)``, the conditions being the selection's filters and
        search. ``build`` binds its own values as named parameters (``arguments``);
        ``kind`` and ``rest`` complete the shape.

        Not a coroutine: it returns the fetch to await, one coroutine level less on every
        statement."""
        table, search = selection.table, selection.search
        plan = None
        if selection.statement is None:
            plan = plan_filters(table, selection.filters, selection.consumer)
        if plan is None:
            # a consumer's own conditions: values bound in, SQLAlchemy's cache key
            conditions = build_conditions(table, selection.filters, selection.consumer)
            if search is not None:
                conditions.append(search_condition(table, search.fields, search.text))
            return self.fetch(build(conditions), conn=conn)
        key = StatementKey(kind, table, plan.shape, search.fields if search else (), rest)
        compiled = self.compiler.get(key)
        if compiled is None:
            conditions = plan.conditions()
            if search is not None:
                pattern = sa.bindparam("search", type_=sa.String)
                conditions.append(search_condition(table, search.fields, pattern))
            compiled = self.compiler.store(key, build(conditions))
        values = plan.arguments()
        if search is not None:
            values["search"] = like_pattern(search.text)
        if arguments:
            values.update(arguments)
        # CrudDB's own statements leave no session state: no reset round trip after them
        return self.fetch_compiled(
            compiled, compiled.arguments(values), conn=conn, session_neutral=True
        )

    async def select_page(
        self, selection: Selection, window: Window, *, conn: Connection | None = None
    ) -> Page:
        """The rows of ``window`` over ``selection`` and, when the window counts them,
        how many the selection holds in all (one round trip: ``count(*) OVER ()``)."""
        table = selection.table
        if window.total is Total.NONE:
            return Page(await self._window_rows(selection, window, conn))

        capped = window.total is Total.CAPPED
        arguments = window.arguments()
        if capped:
            # one past the cap: a count at the cap says "more than total_cap"
            arguments["count_limit"] = window.total_cap + 1

        def counted(conditions: list[Any]) -> Any:
            statement = window.apply(table, selection.select(conditions))
            if capped:
                count = selection.count_at_most(conditions, window.total_cap + 1)
                return statement.add_columns(count.scalar_subquery().label(TOTAL_COLUMN))
            return statement.add_columns(sa.func.count().over().label(TOTAL_COLUMN))

        records = await self._fetch_selected(
            selection,
            counted,
            kind="capped select" if capped else "counted select",
            rest=window.shape,
            arguments=arguments,
            conn=conn,
        )
        if not records:
            if window.skips_rows:
                # past the last page: count apart
                at_most = window.total_cap + 1 if capped else None
                total = await self.count_selected(selection, at_most=at_most, conn=conn)
            else:
                total = 0
            return Page([], total)
        first = records[0]
        total = int(first[TOTAL_COLUMN])
        rows: list[Row]
        if isinstance(first, dict):
            # converted already (enum columns...): fresh dicts of this page
            for row in records:
                del row[TOTAL_COLUMN]  # type: ignore[attr-defined]
            rows = records
        else:
            # asyncpg records: the total is their last column, the row the others
            names = tuple(first.keys())[:-1]
            rows = [dict(zip(names, record, strict=False)) for record in records]
        return Page(rows, total)

    def _window_rows(
        self, selection: Selection, window: Window, conn: Connection | None
    ) -> Awaitable[list[Row]]:
        """The rows of ``window`` over ``selection``, uncounted."""
        table = selection.table
        return self._fetch_selected(
            selection,
            lambda conditions: window.apply(table, selection.select(conditions)),
            kind="select",
            rest=window.shape,
            arguments=window.arguments(),
            conn=conn,
        )

    async def stream(
        self,
        selection: Selection | sa.Table,
        *,
        order_by: OrderBy = None,
        chunk: int = 500,
        conn: Connection | None = None,
    ) -> AsyncGenerator[Row, None]:
        """Every row of ``selection`` (filters and search as for a page), in ``order_by``
        order then the primary key, read through a server-side cursor inside a
        transaction, ``chunk`` rows a round trip: memory stays flat in the row count.

        ``async for row in db.stream(Selection(table, {"done": False}), order_by="id")``
        """
        if isinstance(selection, sa.Table):
            selection = Selection(selection)
        if chunk < 1:
            raise ValueError("chunk must be at least 1")
        table = selection.table
        conditions = build_conditions(table, selection.filters, selection.consumer)
        if selection.search is not None:
            search = selection.search
            conditions.append(search_condition(table, search.fields, search.text))
        order = total_order(table, parse_order_by(order_by))
        statement = selection.select(conditions).order_by(*order_clauses(table, order))
        sql, args = self.compiler.statement(statement)
        async with self.connection(conn) as connection:
            async with connection.transaction():
                try:
                    cursor = await connection.cursor(sql.sql, *args)
                except invalid_value_errors as exc:  # a bad filter value: 422
                    raise invalid_value(exc) from exc
                while True:
                    records = await cursor.fetch(chunk)
                    for row in sql.rows(records):
                        yield row
                    if len(records) < chunk:
                        break

    async def count_selected(
        self, selection: Selection, *, at_most: int | None = None, conn: Connection | None = None
    ) -> int:
        """How many rows ``selection`` holds; with ``at_most``, counting stops there (the
        answer is then ``min(rows, at_most)``)."""
        if at_most is None:
            rows = await self._fetch_selected(selection, selection.count, kind="count", conn=conn)
        else:
            rows = await self._fetch_selected(
                selection,
                lambda conditions: selection.count_at_most(conditions, at_most),
                kind="capped count",
                arguments={"count_limit": at_most},
                conn=conn,
            )
        return int(next(iter(rows[0].values())))

    def order_by_clauses(self, table: sa.Table, order_by: OrderBy) -> list[Any]:
        """``["-created", "id"]`` -> ``[created DESC, id]``; unknown names are a 422."""
        return order_clauses(table, parse_order_by(order_by))

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
        window = OffsetWindow(parse_order_by(order_by), limit, offset or 0)
        # select_page's uncounted path, without its coroutine
        return await self._window_rows(Selection(table, filters, consumer=consumer), window, conn)

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
        fields, text = search or ((), "")
        selection = Selection(
            table, filters, Search(tuple(fields), text) if text else None, consumer
        )
        total = Total.EXACT if count else Total.NONE
        window = OffsetWindow(parse_order_by(order_by), limit, offset, total)
        page = await self.select_page(selection, window, conn=conn)
        return page.rows, page.total

    async def db_count(
        self,
        table: sa.Table,
        filters: Filters | None = None,
        *,
        conn: Connection | None = None,
        consumer: FilterConsumer = None,
    ) -> int:
        """How many rows of ``table`` match ``filters``."""
        return await self.count_selected(Selection(table, filters, consumer=consumer), conn=conn)

    async def db_count_query(
        self, statement: sa.Select[Any], *, conn: Connection | None = None
    ) -> int:
        """How many rows a select returns."""
        return int(await self.fetchval(count_statement(statement), conn=conn))

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
        columns = table_columns(table)
        names: list[str] = []
        for row in rows:
            _check_text(row)
            for name in row:
                if name not in names:
                    if name not in columns:
                        raise InvalidFilter(name, "unknown column")
                    names.append(name)
        # which columns each row gives: a missing one takes the column's DEFAULT
        shape = InsertShape(
            tuple(names), tuple(tuple(name in row for name in names) for row in rows)
        )
        key = StatementKey("insert", table, rest=shape)
        compiled = self.compiler.get(key)
        if compiled is None:
            compiled = self.compiler.store(key, _insert_statement(table, shape))
        if not names:
            # no column given: one INSERT ... DEFAULT VALUES per row
            return [
                r
                for _ in rows
                for r in await self.fetch_compiled(compiled, [], conn=conn, session_neutral=True)
            ]
        width = len(names)
        params = {
            parameter: row[name]
            for i, row in enumerate(rows)
            for name, parameter in zip(names, _value_names(i, width), strict=True)
            if name in row
        }
        return await self.fetch_compiled(
            compiled, compiled.arguments(params), conn=conn, session_neutral=True
        )

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
        selection = Selection(table, filters, consumer=consumer)
        return await self.update_selected(selection, data, conn=conn)

    async def update_selected(
        self, selection: Selection, data: Mapping[str, Any], *, conn: Connection | None = None
    ) -> list[Row]:
        """Set ``data`` on the rows of ``selection``; returns the updated rows."""
        table = selection.table
        if not data:
            return (await self.select_page(selection, OffsetWindow(()), conn=conn)).rows
        for name in data:
            if name not in table.c:
                raise InvalidFilter(name, "unknown column")
        _check_text(data)
        data = _with_defaults(table, [data], "onupdate")[0]
        names = tuple(data)
        values = {f"v{j}": data[name] for j, name in enumerate(names)}

        def build(conditions: list[Any]) -> Any:
            binds = {
                name: sa.bindparam(f"v{j}", data[name], type_=table.c[name].type)
                for j, name in enumerate(names)
            }
            return table.update().where(*conditions).values(binds).returning(*table.columns)

        return await self._fetch_selected(
            selection, build, kind="update", rest=names, arguments=values, conn=conn
        )

    async def db_delete(
        self,
        table: sa.Table,
        filters: Filters | None = None,
        *,
        conn: Connection | None = None,
        consumer: FilterConsumer = None,
    ) -> list[Row]:
        """Delete the rows matching ``filters``; returns them."""
        selection = Selection(table, filters, consumer=consumer)
        return await self.delete_selected(selection, conn=conn)

    async def delete_selected(
        self, selection: Selection, *, conn: Connection | None = None
    ) -> list[Row]:
        """Delete the rows of ``selection``; returns them."""
        table = selection.table

        def build(conditions: list[Any]) -> Any:
            return table.delete().where(*conditions).returning(*table.columns)

        return await self._fetch_selected(selection, build, kind="delete", conn=conn)

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
        query = ListQuery(Selection(table, statement=statement), values, URL("/"))
        page = await paginator.page(self, query, conn=conn)
        return page.rows, page.total


def _check_text(row: Mapping[str, Any]) -> None:
    """A 422 naming the column for text PostgreSQL refuses (a NUL character), rather
    than the database's own message with no field."""
    for name, value in row.items():
        if value.__class__ is str and "\x00" in value:
            raise UnprocessableEntity(
                "Invalid data", errors=[{"field": name, "message": NUL_MESSAGE}]
            )


@functools.lru_cache(maxsize=4096)
def _value_names(row: int, columns: int) -> tuple[str, ...]:
    """Bind parameter names of one row of an insert: ``v{row}_{column}``, made once."""
    return tuple(f"v{row}_{j}" for j in range(columns))


def _insert_statement(table: sa.Table, shape: InsertShape) -> Any:
    if not shape.names:
        return table.insert().returning(*table.columns)
    default: Any = sa.literal_column("DEFAULT")
    values = [
        {
            name: sa.bindparam(f"v{i}_{j}", type_=table.c[name].type) if given[j] else default
            for j, name in enumerate(shape.names)
        }
        for i, given in enumerate(shape.given)
    ]
    return table.insert().values(values).returning(*table.columns)
