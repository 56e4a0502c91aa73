"""SqlApiPath: an ApiPath whose CRUD methods run on a table of the application's db."""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator, Iterator, Mapping
from contextlib import asynccontextmanager
from typing import Any, ClassVar, NoReturn, get_args

import asyncpg
import sqlalchemy as sa
from aiohttp import web
from openapi.data.validate import validate
from openapi.spec import NDJSON_MEDIA_TYPE, ApiPath, BadRequest, NotFound, Operation, stream_rows
from openapi.spec.query import accepted_query_keys, known_query_keys

from .app import DB_KEY
from .compiler import Row
from .crud import CrudDB
from .database import Connection
from .declarations import path_errors, table_errors
from .errors import DatabaseUnavailable, FilterRequired, ImproperlyConfigured, InvalidFilter
from .integrity import clashing_columns, integrity_error
from .listing import ListQuery, OrderedPaginator, Selection, paginator_of
from .pagination import OffsetPaginator, PaginatedData, Unpaginated
from .search import SEARCH_KEY, Search, search_fields_of

__all__ = ["SqlApiPath"]

#: the query-string value meaning SQL NULL (``?owner=NULL``, ``?owner:ne=NULL``)
NULL = "NULL"

_unpaginated = Unpaginated()


def _page_keys(schema: Any) -> frozenset[str]:
    """Query keys of a schema that shape the page (its paginator's, ``search``), not rows."""
    paginator = paginator_of(schema)
    keys = set(paginator.keys) if paginator else set()
    if search_fields_of(schema):
        keys.add(SEARCH_KEY)
    return frozenset(keys)


class SqlApiPath(ApiPath):
    """An :class:`~openapi.spec.ApiPath` for the table named :attr:`table`.

    Its methods validate with the view's ``@op`` schemas, run on ``app["db"]`` and raise
    JSON errors: 404 when no row matches, 422 for invalid data, unknown filters and
    integrity errors (unique and foreign-key violations name their columns), 503 when
    PostgreSQL is unreachable. Each takes ``conn=`` to join a transaction.
    """

    table: ClassVar[str] = ""
    """name of the table in the application's metadata"""
    all_rows: ClassVar[bool] = False
    """let a collection DELETE or PATCH without any filter act on every row; by default
    it is refused (422), so a forgotten or typo'd filter cannot empty the table"""

    @classmethod
    def declaration_errors(cls, app: web.Application, path: str) -> Iterator[str]:
        """Besides :class:`ApiPath`'s checks, path variables have a ``path_schema`` (so
        they filter rows), the table exists in ``app["db"]`` and every ``order_by``,
        search and filter field of a query schema is one of its columns."""
        yield from super().declaration_errors(app, path)
        yield from path_errors(cls, path)
        db = app.get(DB_KEY)
        if not cls.table or not isinstance(db, CrudDB):
            return  # no database configured: nothing to check the names against
        table = db.metadata.tables.get(cls.table)
        if table is None:
            yield f"{cls.__name__}: no table {cls.table!r} in the database metadata"
            return
        yield from table_errors(cls, table)

    @property
    def db(self) -> CrudDB:
        """The application's database (``app["db"]``); a 503 when the application has none
        (``DATASTORE`` unset: :func:`~openapi.db.get_db` logged it at startup)."""
        db: CrudDB | None = self.request.app.get(DB_KEY)
        if db is None:
            raise DatabaseUnavailable("No database configured")
        return db

    @property
    def db_table(self) -> sa.Table:
        """The table named by :attr:`table`."""
        table = self.db.metadata.tables.get(self.table)
        if table is None:
            raise ImproperlyConfigured(f"{type(self).__name__}: no table {self.table!r}")
        return table

    @classmethod
    def documented_responses(
        cls, app: web.Application, method: str, operation: Operation
    ) -> dict[str, Any]:
        """A 409 on operations whose body sets a column of a unique or exclusion
        constraint of the table (a clash with another row names the field)."""
        db = app.get(DB_KEY)
        table = db.metadata.tables.get(cls.table) if db is not None else None
        body = operation.body_schema
        item = get_args(body)[0] if get_args(body) else body
        if table is None or not dataclasses.is_dataclass(item):
            return {}
        names = {f.name for f in dataclasses.fields(item)}
        clashes = [columns for columns in clashing_columns(table) if names & set(columns)]
        if not clashes:
            return {}
        described = "; ".join(", ".join(columns) for columns in clashes)
        return {"409": f"Another row already has the same value of: {described}"}

    # request data

    def get_filters(
        self, query: Mapping[str, Any] | None = None, *, query_schema: Any = None
    ) -> dict[str, Any]:
        """Validated query-string filters; ``NULL`` values become None (IS NULL)."""
        schema = self._find_schema(query_schema if query_schema is not None else "query_schema")
        filters: dict[str, Any] = {}
        if schema is not None:
            # without a query schema the query string selects nothing (and is not parsed)
            combined = dict(query or {})
            combined.update(self.request_query(query_schema))
            nulls: dict[str, None] = {}
            if NULL in combined.values():
                accepted = known_query_keys(schema)
                page_keys = _page_keys(schema)
                for key, value in list(combined.items()):
                    # NULL is a filter value: a page key (limit, search...) takes it as text
                    if value == NULL and key in accepted and key not in page_keys:
                        _, op = key.partition(":")[::2]
                        if op not in ("", "ne"):
                            raise InvalidFilter(key, "NULL works with equality and ne only")
                        nulls[key] = None
                        del combined[key]
            filters = dict(self.cleaned(schema, combined, multiple=True))
            filters.update(nulls)
        if self.path_schema is not None:
            filters.update(self.path_values())
        return filters

    # helpers

    async def _raise_integrity(self, exc: asyncpg.PostgresError) -> NoReturn:
        """Raise ``exc``, a constraint violation as a 409/422 naming its columns."""
        error = await integrity_error(self.db, exc)
        if error is None:
            raise exc
        raise error from exc

    @asynccontextmanager
    async def _one_row(
        self, table: sa.Table, filters: Mapping[str, Any], conn: Connection | None
    ) -> AsyncIterator[Connection | None]:
        """Where a statement meant for one row runs: as is when the filters pin the
        primary key, else in a transaction rolled back if more rows match."""
        primary = table.primary_key.columns
        if len(primary) and all(
            not isinstance(filters.get(c.key), list | tuple | set | frozenset | type(None))
            and not hasattr(self, f"filter_{c.key}")
            for c in primary
        ):
            yield conn
            return
        async with self.db.ensure_transaction(conn) as connection:
            yield connection

    def _check_one(self, rows: list[Row], method: str) -> None:
        if len(rows) > 1:
            # raised inside the transaction: the change is rolled back
            raise ImproperlyConfigured(
                f"{type(self).__name__}.{method}: filters match {len(rows)} rows"
            )

    def _dump(self, schema: Any, rows: Any) -> Any:
        schema = self._find_schema(schema)
        if isinstance(rows, list):
            rows = self._rows_as_dicts(rows)
        elif rows is not None and type(rows) is not dict:
            rows = dict(rows)
        return self.dump(schema, rows) if schema is not None else rows

    @staticmethod
    def _rows_as_dicts(rows: list[Any]) -> list[Any]:
        return [r if type(r) is dict else dict(r) for r in rows]

    def _filters(
        self, filters: Mapping[str, Any] | None, query: Mapping[str, Any] | None, query_schema: Any
    ) -> dict[str, Any]:
        """A copy of ``filters`` when given, else the request's query validated as filters."""
        if filters is None:
            return self.get_filters(query=query, query_schema=query_schema)
        return dict(filters)

    def _item_schema(self, schema: Any) -> Any:
        """The item type of a ``list[X]`` schema (X itself otherwise)."""
        found = self._find_schema(schema)
        args = getattr(found, "__args__", None)
        if getattr(found, "__origin__", None) in (list, tuple, set, frozenset) and args:
            return args[0]
        return found

    # CRUD

    async def get_list(
        self,
        *,
        filters: dict[str, Any] | None = None,
        query: Mapping[str, Any] | None = None,
        table: sa.Table | None = None,
        query_schema: Any = "query_schema",
        dump_schema: Any = "response_schema",
        conn: Connection | None = None,
    ) -> PaginatedData:
        """One page of rows matching the query's filters: ``.json_response()`` answers it.

        Pagination and search come from the query schema (``offsetPagination``,
        ``cursorPagination``, ``searchable``); without pagination the list is still
        bounded (50 rows).
        """
        table = table if table is not None else self.db_table
        filters = self._filters(filters, query, query_schema)
        schema = self._find_schema(query_schema)
        paginator = paginator_of(schema) or _unpaginated
        params = {key: filters.pop(key) for key in paginator.keys if key in filters}
        search_fields = search_fields_of(schema)
        search = filters.pop(SEARCH_KEY, None) if search_fields else None
        # repeated keys mean "any of" for filters only: a page has one limit, offset, order
        for key, value in (*params.items(), (SEARCH_KEY, search)):
            if isinstance(value, list):
                raise InvalidFilter(key, "expects a single value, not a repeated key")
        selection = Selection(
            table, filters, Search(search_fields, str(search)) if search else None, self
        )
        list_query = ListQuery(selection, params, self.full_url())
        page = await paginator.page(self.db, list_query, conn=conn)
        rows = self._rows_as_dicts(page.rows)
        schema = self._find_schema(dump_schema)
        if schema is None:
            return PaginatedData(rows, page.links, page.total)
        return PaginatedData.of_rows(rows, schema, page.links, page.total)

    async def stream_list(
        self,
        *,
        filters: dict[str, Any] | None = None,
        query: Mapping[str, Any] | None = None,
        table: sa.Table | None = None,
        query_schema: Any = "query_schema",
        dump_schema: Any = "response_schema",
        media_type: str = NDJSON_MEDIA_TYPE,
        chunk: int = 500,
    ) -> web.StreamResponse:
        """Every row matching the query's filters and search (as :meth:`get_list`, with
        no page: ``limit``, ``offset`` and cursors are ignored, ``order_by`` kept),
        answered as NDJSON (or a JSON array with ``media_type="application/json"``)
        while a database cursor reads them ``chunk`` at a time."""
        table = table if table is not None else self.db_table
        filters = self._filters(filters, query, query_schema)
        schema = self._find_schema(query_schema)
        paginator = paginator_of(schema)
        requested = filters.pop("order_by", None)
        for key in paginator.keys if paginator else ():
            filters.pop(key, None)
        search_fields = search_fields_of(schema)
        text = filters.pop(SEARCH_KEY, None) if search_fields else None
        for key, value in (("order_by", requested), (SEARCH_KEY, text)):
            if isinstance(value, list):
                raise InvalidFilter(key, "expects a single value, not a repeated key")
        search = Search(search_fields, str(text)) if text else None
        order_by: list[str] = []
        if isinstance(paginator, OffsetPaginator):
            order_by = [str(field) for field in paginator.order_fields(table, requested)]
        elif isinstance(paginator, OrderedPaginator):
            order_by = list(paginator.order_by)
        item = self._item_schema(dump_schema)
        selection = Selection(table, filters, search, self)
        rows = self.db.stream(selection, order_by=order_by, chunk=chunk)
        # a bad filter value answers 422 before the response starts
        first = await anext(rows, None)

        async def every_row() -> AsyncIterator[Any]:
            if first is None:
                return
            yield first
            async for row in rows:
                yield row

        def dump_row(row: Any) -> Any:
            return self.dump(item, dict(row)) if item is not None else dict(row)

        try:
            return await stream_rows(self.request, every_row(), dump_row, media_type=media_type)
        finally:
            await rows.aclose()

    async def get_one(
        self,
        *,
        filters: dict[str, Any] | None = None,
        query: Mapping[str, Any] | None = None,
        table: sa.Table | None = None,
        query_schema: Any = "query_schema",
        dump_schema: Any = "response_schema",
        conn: Connection | None = None,
    ) -> Any:
        """The row matching the filters (path variables included), dumped; 404 if none."""
        table = table if table is not None else self.db_table
        filters = self._filters(filters, query, query_schema)
        rows = await self.db.db_select(table, filters, limit=2, conn=conn, consumer=self)
        if not rows:
            raise NotFound()
        return self._dump(self._item_schema(dump_schema), rows[0])

    async def create_one(
        self,
        *,
        data: dict[str, Any] | None = None,
        table: sa.Table | None = None,
        body_schema: Any = "body_schema",
        dump_schema: Any = "response_schema",
        conn: Connection | None = None,
    ) -> Any:
        """Insert the request's body (validated) and return the new row, dumped."""
        table = table if table is not None else self.db_table
        if data is None:
            data = self.insert_data(await self.body_data(), body_schema=body_schema)
        try:
            rows = await self.db.db_insert(table, data, conn=conn)
        except asyncpg.PostgresError as exc:
            await self._raise_integrity(exc)
        return self._dump(self._item_schema(dump_schema), rows[0])

    async def create_list(
        self,
        *,
        data: list[dict[str, Any]] | None = None,
        table: sa.Table | None = None,
        body_schema: Any = "body_schema",
        dump_schema: Any = "response_schema",
        conn: Connection | None = None,
    ) -> Any:
        """Insert a JSON array of rows (all or none) and return them, dumped."""
        table = table if table is not None else self.db_table
        if data is None:
            body = await self.json_data()
            if not isinstance(body, list):
                raise BadRequest("Invalid JSON body: expected a JSON array")
            item = self._item_schema(body_schema)
            path_values = self.path_values() if self.path_schema is not None else {}
            data = []
            errors: list[dict[str, Any]] = []
            for index, entry in enumerate(body):
                result = validate(item, entry)
                for error in result.errors:
                    field = error.get("field", "")
                    errors.append({**error, "field": f"{index}.{field}" if field else str(index)})
                if not result.errors:
                    data.append({**result.data, **path_values})
            if errors:
                self.raise_validation_error(errors=errors)
        try:
            rows = await self.db.db_insert(table, data, conn=conn)
        except asyncpg.PostgresError as exc:
            await self._raise_integrity(exc)
        return self._dump(dump_schema, rows)

    async def update_one(
        self,
        *,
        data: dict[str, Any] | None = None,
        filters: dict[str, Any] | None = None,
        query: Mapping[str, Any] | None = None,
        table: sa.Table | None = None,
        body_schema: Any = "body_schema",
        query_schema: Any = "query_schema",
        dump_schema: Any = "response_schema",
        conn: Connection | None = None,
    ) -> Any:
        """Update the matching row with the body's fields (none required); 404 if none."""
        table = table if table is not None else self.db_table
        if data is None:
            body = await self.body_data()
            data = dict(self.cleaned(body_schema, body, strict=False, multiple=self.form_body))
        filters = self._filters(filters, query, query_schema)
        self._require_filter(filters, query_schema, "update")
        try:
            async with self._one_row(table, filters, conn) as connection:
                rows = await self.db.db_update(table, filters, data, conn=connection, consumer=self)
                self._check_one(rows, "update_one")
        except asyncpg.PostgresError as exc:
            await self._raise_integrity(exc)
        if not rows:
            raise NotFound()
        return self._dump(self._item_schema(dump_schema), rows[0])

    async def delete_one(
        self,
        *,
        filters: dict[str, Any] | None = None,
        query: Mapping[str, Any] | None = None,
        table: sa.Table | None = None,
        query_schema: Any = "query_schema",
        conn: Connection | None = None,
    ) -> Row:
        """Delete the matching row and return it; 404 if none."""
        table = table if table is not None else self.db_table
        filters = self._filters(filters, query, query_schema)
        self._require_filter(filters, query_schema, "delete")
        async with self._one_row(table, filters, conn) as connection:
            rows = await self.db.db_delete(table, filters, conn=connection, consumer=self)
            self._check_one(rows, "delete_one")
        if not rows:
            raise NotFound()
        return rows[0]

    async def update_list(
        self,
        *,
        data: dict[str, Any] | None = None,
        filters: dict[str, Any] | None = None,
        query: Mapping[str, Any] | None = None,
        table: sa.Table | None = None,
        body_schema: Any = "body_schema",
        query_schema: Any = "query_schema",
        dump_schema: Any = "response_schema",
        conn: Connection | None = None,
    ) -> Any:
        """Set the body's fields (none required) on every row matching the query's
        filters and return the rows, dumped. No filter at all is refused (422) unless
        :attr:`all_rows` is set."""
        table = table if table is not None else self.db_table
        if data is None:
            data = dict(self.cleaned(body_schema, await self.json_data(), strict=False))
        filters, search = self._selection(filters, query, query_schema, "update")
        selection = Selection(table, filters, search, self)
        try:
            rows = await self.db.update_selected(selection, data, conn=conn)
        except asyncpg.PostgresError as exc:
            await self._raise_integrity(exc)
        return self._dump(dump_schema, rows)

    async def delete_list(
        self,
        *,
        filters: dict[str, Any] | None = None,
        query: Mapping[str, Any] | None = None,
        table: sa.Table | None = None,
        query_schema: Any = "query_schema",
        conn: Connection | None = None,
    ) -> list[Row]:
        """Delete every row matching the query's filters and return them. No filter at
        all is refused (422) unless :attr:`all_rows` is set."""
        table = table if table is not None else self.db_table
        filters, search = self._selection(filters, query, query_schema, "delete")
        return await self.db.delete_selected(Selection(table, filters, search, self), conn=conn)

    # the rows a collection DELETE or PATCH acts on

    def _selection(
        self,
        filters: Mapping[str, Any] | None,
        query: Mapping[str, Any] | None,
        query_schema: Any,
        action: str,
    ) -> tuple[dict[str, Any], Search | None]:
        """Filters and search selecting the rows of a collection change;
        :class:`FilterRequired` when they select every row and :attr:`all_rows` is off."""
        filters = self._filters(filters, query, query_schema)
        schema = self._find_schema(query_schema)
        paginator = paginator_of(schema)
        for key in paginator.keys if paginator else ():
            filters.pop(key, None)
        search_fields = search_fields_of(schema)
        text = filters.pop(SEARCH_KEY, None) if search_fields else None
        search = Search(search_fields, str(text)) if text else None
        if search is None:
            self._require_filter(filters, schema, action)
        return filters, search

    def _require_filter(self, filters: Mapping[str, Any], query_schema: Any, action: str) -> None:
        """No filter selects every row: :class:`FilterRequired` unless :attr:`all_rows`."""
        if not filters and not self.all_rows:
            raise FilterRequired(action, self._filter_keys(self._find_schema(query_schema)))

    @staticmethod
    def _filter_keys(schema: Any) -> list[str]:
        """The query fields that select rows (not pagination), for error messages."""
        paginator = paginator_of(schema)
        skipped = set(paginator.keys) if paginator else set()
        return [name for name in accepted_query_keys(schema) if name not in skipped]
