"""Pagination and search for list endpoints, declared on the query schema.

``offsetPagination(...)``, ``cursorPagination(...)`` and ``searchable(...)`` return
dataclasses to inherit from in a query schema::

    @dataclass
    class TaskQuery(offsetPagination("title", "-created"), searchable("title")):
        done: bool | None = fields.bool_field()

The dataclass carries its fields (``limit``, ``offset``, ``order_by``...), the
response headers it documents (``__openapi_response_headers__``) and the paginator
that runs it (``__openapi_paginator__``), which :class:`~openapi.db.path.SqlApiPath`
finds on the query schema.
"""

from __future__ import annotations

import base64
import binascii
import dataclasses
import datetime
import decimal
import enum
import json
import uuid
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, Literal

import sqlalchemy as sa
from aiohttp import web
from openapi.data import fields
from openapi.data.json import dumps
from openapi.spec import UnprocessableEntity
from yarl import URL

from .compiler import Row
from .database import Connection
from .errors import ImproperlyConfigured, InvalidFilter

if TYPE_CHECKING:
    from .crud import CrudDB

__all__ = [
    "DEFAULT_LIMIT",
    "MAX_LIMIT",
    "CursorPaginator",
    "OffsetPaginator",
    "Page",
    "PaginatedData",
    "Paginator",
    "cursorPagination",
    "escape_like",
    "offsetPagination",
    "paginator_of",
    "search_fields_of",
    "searchable",
]

DEFAULT_LIMIT = 50
MAX_LIMIT = 100

PAGINATOR_ATTRIBUTE = "__openapi_paginator__"
TOTAL_COLUMN = "_openapi_total_count"
SEARCH_ATTRIBUTE = "__openapi_search_fields__"
HEADERS_ATTRIBUTE = "__openapi_response_headers__"

LINK_HEADER = {
    "description": "Links to other pages (RFC 8288): first, prev, next, last",
    "schema": {"type": "string"},
}
TOTAL_HEADER = {
    "description": "Number of items matching the query, all pages together",
    "schema": {"type": "integer", "minimum": 0},
}


@dataclasses.dataclass
class Page:
    """Rows of one page, the total (offset pagination) and links to other pages."""

    rows: list[Row]
    total: int | None = None
    links: dict[str, URL] = dataclasses.field(default_factory=dict)


@dataclasses.dataclass
class PaginatedData:
    """What ``SqlApiPath.get_list()`` returns: ``.json_response()`` answers the page."""

    data: list[Any]
    links: dict[str, URL] = dataclasses.field(default_factory=dict)
    total: int | None = None

    def headers(self) -> dict[str, str]:
        """``Link`` and ``X-Total-Count`` headers."""
        headers: dict[str, str] = {}
        if self.links:
            headers["Link"] = ", ".join(
                f'<{url}>; rel="{name}"' for name, url in self.links.items()
            )
        if self.total is not None:
            headers["X-Total-Count"] = str(self.total)
        return headers

    def json_response(
        self, headers: Mapping[str, str] | None = None, status: int = 200
    ) -> web.Response:
        """The page as a JSON array, with the pagination headers."""
        all_headers = self.headers()
        all_headers.update(headers or {})
        return web.Response(
            body=dumps(self.data).encode(),
            status=status,
            headers=all_headers,
            content_type="application/json",
        )


def escape_like(text: str) -> str:
    """``text`` matched literally inside a LIKE pattern (escape character ``\\``)."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _column(table: sa.Table, name: str) -> sa.Column[Any]:
    column = table.c.get(name)
    if column is None:
        raise ImproperlyConfigured(f"table {table.name} has no column {name!r}")
    return column


def _split(field: str) -> tuple[str, bool]:
    """``"-name"`` -> ``("name", True)`` (descending)."""
    return (field[1:], True) if field.startswith("-") else (field, False)


def _tiebreaker(table: sa.Table, names: Sequence[str]) -> list[str]:
    """Primary-key columns that make an ordering total, unless it already is."""
    unique_sets = [{c.name for c in table.primary_key.columns}]
    for constraint in table.constraints:
        if isinstance(constraint, sa.UniqueConstraint):
            unique_sets.append({c.name for c in constraint.columns})
    for column in table.columns:
        if column.unique:
            unique_sets.append({column.name})
    present = set(names)
    if any(unique and unique <= present for unique in unique_sets):
        return []
    return [c.name for c in table.primary_key.columns if c.name not in present]


class Paginator:
    """Runs one kind of pagination; its query keys are taken out of the filters."""

    keys: tuple[str, ...] = ()

    def __init__(self, default_limit: int = DEFAULT_LIMIT, max_limit: int = MAX_LIMIT) -> None:
        if not 1 <= default_limit <= max_limit:
            raise ValueError("need 1 <= default_limit <= max_limit")
        self.default_limit = default_limit
        self.max_limit = max_limit

    def limit(self, params: Mapping[str, Any]) -> int:
        limit = params.get("limit")
        if limit is None:
            return self.default_limit
        return max(1, min(int(limit), self.max_limit))

    async def page(
        self,
        db: CrudDB,
        table: sa.Table,
        statement: sa.Select[Any],
        params: Mapping[str, Any],
        url: URL,
        *,
        conn: Connection | None = None,
    ) -> Page:
        """The rows of the page ``params`` asks for (no pagination: the first rows)."""
        order = [c.asc() for c in table.primary_key.columns]
        rows = await db.fetch(statement.order_by(*order).limit(self.limit(params)), conn=conn)
        return Page(rows)


class OrderedPaginator(Paginator):
    """A paginator over declared ``order_by`` fields (``-name`` for descending)."""

    kind = "pagination"

    def __init__(
        self,
        order_by: Sequence[str],
        default_limit: int = DEFAULT_LIMIT,
        max_limit: int = MAX_LIMIT,
    ) -> None:
        super().__init__(default_limit, max_limit)
        if not order_by:
            raise ValueError(f"{self.kind} needs at least one order_by field")
        self.order_by = tuple(order_by)


class OffsetPaginator(OrderedPaginator):
    """``limit``/``offset``/``order_by``, ``X-Total-Count`` and first/prev/next/last links."""

    keys = ("limit", "offset", "order_by")
    kind = "offsetPagination"

    def choices(self) -> tuple[str, ...]:
        """Accepted ``order_by`` values: each declared field, ascending and descending."""
        names: list[str] = []
        for field in self.order_by:
            name, _ = _split(field)
            for choice in (name, f"-{name}"):
                if choice not in names:
                    names.append(choice)
        return tuple(names)

    def order_fields(self, table: sa.Table, order_by: Any) -> tuple[str, ...]:
        """The requested ordering (``-name`` descending) made total with the primary key."""
        requested = (
            order_by if isinstance(order_by, list | tuple) else [order_by or self.order_by[0]]
        )
        allowed = self.choices()
        for field in requested:
            if field not in allowed:
                raise InvalidFilter("order_by", f"cannot order by '{field}'")
            _column(table, _split(field)[0])
        names = [_split(field)[0] for field in requested]
        # a total order: pages neither repeat nor skip rows that tie
        return (*requested, *_tiebreaker(table, names))

    def ordering(self, table: sa.Table, order_by: Any) -> list[Any]:
        clauses = []
        for field in self.order_fields(table, order_by):
            name, desc = _split(field)
            column = _column(table, name)
            clauses.append(column.desc() if desc else column.asc())
        return clauses

    async def page(
        self,
        db: CrudDB,
        table: sa.Table,
        statement: sa.Select[Any],
        params: Mapping[str, Any],
        url: URL,
        *,
        conn: Connection | None = None,
    ) -> Page:
        limit = self.limit(params)
        offset = int(params.get("offset") or 0)
        ordered = statement.order_by(*self.ordering(table, params.get("order_by")))
        # the total rides along with the page (one round trip); past the end, count apart
        counted = ordered.add_columns(sa.func.count().over().label(TOTAL_COLUMN))
        async with db.connection(conn) as connection:
            # OFFSET is a bigint: the default INTEGER cast refused offsets past 2**31
            paged = counted.limit(limit).offset(sa.literal(offset, sa.BigInteger))
            records = await db.fetch(paged, conn=connection)
            if records:
                total = int(records[0][TOTAL_COLUMN])
            elif offset:
                total = await db.db_count_query(statement, conn=connection)
            else:
                total = 0
        rows: list[Row] = []
        for record in records:
            row = dict(record)
            del row[TOTAL_COLUMN]
            rows.append(row)
        return Page(rows, total, offset_links(url, total, limit, offset))


def offset_links(url: URL, total: int, limit: int, offset: int) -> dict[str, URL]:
    """first/prev/next/last pages around ``offset`` (pages stay aligned on it)."""

    def link(at: int) -> URL:
        return url.update_query(limit=limit, offset=at)

    links: dict[str, URL] = {}
    if offset > 0:
        links["first"] = link(0)
        links["prev"] = link(max(0, offset - limit))
    if offset + limit < total:
        links["next"] = link(offset + limit)
        links["last"] = link(offset + (total - offset - 1) // limit * limit)
    return links


# cursor pagination


def _cursor_value(value: Any) -> Any:
    if isinstance(value, enum.Enum):
        return value.name
    if isinstance(value, datetime.datetime | datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, datetime.timedelta):
        return value.total_seconds()
    return value


class _BadCursor(ValueError):
    pass


def _python_value(column: sa.Column[Any], value: Any) -> Any:
    """A cursor value back to the column's Python type; _BadCursor when it cannot be."""
    if value is None:
        if not column.nullable:
            raise _BadCursor
        return None
    type_ = column.type
    try:
        if isinstance(type_, sa.Enum):
            if type_.enum_class is not None:
                return type_.enum_class[value]
            if value not in type_.enums:
                raise _BadCursor
            return value
        if isinstance(type_, sa.Boolean):
            if not isinstance(value, bool):
                raise _BadCursor
            return value
        if isinstance(type_, sa.Integer):
            if isinstance(value, bool) or not isinstance(value, int):
                raise _BadCursor
            return value
        if isinstance(type_, sa.Float):
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise _BadCursor
            return float(value)
        if isinstance(type_, sa.Numeric):
            return decimal.Decimal(str(value))
        if isinstance(type_, sa.String):
            if not isinstance(value, str):
                raise _BadCursor
            return value
        if isinstance(type_, sa.DateTime):
            return datetime.datetime.fromisoformat(value)
        if isinstance(type_, sa.Date):
            return datetime.date.fromisoformat(value)
        if isinstance(type_, sa.Time):
            return datetime.time.fromisoformat(value)
        if isinstance(type_, sa.Interval):
            return datetime.timedelta(seconds=float(value))
        if isinstance(type_, sa.Uuid):
            return uuid.UUID(value)
    except (KeyError, TypeError, ValueError, decimal.InvalidOperation) as exc:
        raise _BadCursor from exc
    raise ImproperlyConfigured(f"cannot paginate by cursor on column {column.name}")


def _after(column: sa.Column[Any], param: Any, desc: bool, nulls_last: bool) -> Any:
    """Rows strictly after the cursor value ``param`` (a bind parameter, or None for
    NULL) in an order: asc/desc, NULLs last or first."""
    if param is None:
        return sa.false() if nulls_last else column.is_not(None)
    base = column < param if desc else column > param
    return sa.or_(base, column.is_(None)) if nulls_last and column.nullable else base


def _equal(column: sa.Column[Any], param: Any) -> Any:
    return column.is_(None) if param is None else column == param


class CursorPaginator(OrderedPaginator):
    """Keyset pagination: ``limit``, ``direction`` and an opaque ``cursor``.

    The order is the declared fields (``-name`` for descending) followed by the primary
    key unless they already include a unique column, so the order is total and a page
    starts strictly after the previous one's last row: no row repeats or goes missing
    while rows are added or removed. NULLs sort last.
    """

    keys = ("limit", "cursor", "direction")
    kind = "cursorPagination"

    def fields(self, table: sa.Table, direction: str) -> list[tuple[sa.Column[Any], bool]]:
        """(column, descending) of the full ordering, flipped for ``direction=desc``."""
        named = [_split(f) for f in self.order_by]
        named.extend((n, False) for n in _tiebreaker(table, [n for n, _ in named]))
        flip = direction == "desc"
        return [(_column(table, name), desc != flip) for name, desc in named]

    def encode(
        self, row: Row, order: list[tuple[sa.Column[Any], bool]], back: bool, key: str
    ) -> str:
        payload = {"k": key, "v": [_cursor_value(row[c.key]) for c, _ in order], "b": back}
        raw = json.dumps(payload, separators=(",", ":")).encode()
        return base64.urlsafe_b64encode(raw).decode().rstrip("=")

    def decode(
        self, cursor: str, order: list[tuple[sa.Column[Any], bool]], key: str
    ) -> tuple[list[Any], bool]:
        try:
            raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
            payload = json.loads(raw)
            if not isinstance(payload, dict) or payload.get("k") != key:
                raise _BadCursor
            values, back = payload["v"], payload["b"]
            if not isinstance(values, list) or len(values) != len(order):
                raise _BadCursor
            if not isinstance(back, bool):
                raise _BadCursor
            return [_python_value(c, v) for (c, _), v in zip(order, values, strict=True)], back
        except (_BadCursor, binascii.Error, ValueError, KeyError, TypeError) as exc:
            raise UnprocessableEntity(
                "Invalid cursor", errors=[{"field": "cursor", "message": "invalid cursor"}]
            ) from exc

    def _window(
        self, table: sa.Table, params: Mapping[str, Any]
    ) -> tuple[int, list[tuple[sa.Column[Any], bool]], str, str, list[Any] | None, bool]:
        """(limit, order, key, cursor, cursor values, walking back) of a request."""
        limit = self.limit(params)
        direction = params.get("direction") or "asc"
        order = self.fields(table, direction)
        # cursors of another ordering (or table) are refused, not misread
        key = f"{table.name}:{direction}:{','.join(self.order_by)}"
        cursor = params.get("cursor") or ""
        if not cursor:
            return limit, order, key, cursor, None, False
        values, back = self.decode(cursor, order, key)
        return limit, order, key, cursor, values, back

    @staticmethod
    def _keyset(order: list[tuple[sa.Column[Any], bool]], binds: list[Any], back: bool) -> Any:
        """Rows strictly after the cursor; ``binds`` holds a parameter per column (None
        for NULL). Walking back: the reversed order, NULLs first."""
        conditions = []
        for i, (column, desc) in enumerate(order):
            equal = [_equal(c, b) for (c, _), b in zip(order[:i], binds[:i], strict=True)]
            after = _after(column, binds[i], desc != back, nulls_last=not back)
            conditions.append(sa.and_(*equal, after))
        return sa.or_(*conditions)

    @staticmethod
    def _ordering(order: list[tuple[sa.Column[Any], bool]], back: bool) -> list[Any]:
        clauses = []
        for column, desc in order:
            clause = column.desc() if desc != back else column.asc()
            clauses.append(clause.nulls_first() if back else clause.nulls_last())
        return clauses

    def _page(
        self,
        rows: list[Row],
        limit: int,
        order: list[tuple[sa.Column[Any], bool]],
        key: str,
        cursor: str,
        back: bool,
        url: URL,
    ) -> Page:
        more = len(rows) > limit
        rows = list(rows[:limit])
        if back:
            rows.reverse()
        links: dict[str, URL] = {}
        if rows:
            has_next = bool(cursor) if back else more
            has_prev = more if back else bool(cursor)
            if has_next:
                links["next"] = url.update_query(cursor=self.encode(rows[-1], order, False, key))
            if has_prev:
                links["prev"] = url.update_query(cursor=self.encode(rows[0], order, True, key))
        return Page(rows, None, links)

    async def page(
        self,
        db: CrudDB,
        table: sa.Table,
        statement: sa.Select[Any],
        params: Mapping[str, Any],
        url: URL,
        *,
        conn: Connection | None = None,
    ) -> Page:
        limit, order, key, cursor, values, back = self._window(table, params)
        if values is not None:
            binds = [
                None if v is None else sa.bindparam(None, v, type_=c.type)
                for (c, _), v in zip(order, values, strict=True)
            ]
            statement = statement.where(self._keyset(order, binds, back))
        statement = statement.order_by(*self._ordering(order, back)).limit(limit + 1)
        rows = await db.fetch(statement, conn=conn)
        return self._page(rows, limit, order, key, cursor, back, url)

    async def page_of(
        self,
        db: CrudDB,
        table: sa.Table,
        filters: Mapping[str, Any] | None,
        search: tuple[Sequence[str], str] | None,
        params: Mapping[str, Any],
        url: URL,
        *,
        conn: Connection | None = None,
        consumer: Any = None,
    ) -> Page:
        """:meth:`page` of the rows matching ``filters`` and ``search``, with the SQL
        cached per shape (filters, search, direction, which cursor values are NULL)."""
        plan = db._plan(table, filters, consumer)
        if plan.custom:
            statement = db.get_query(table, table.select(), params=filters, consumer=consumer)
            if search and search[1]:
                statement = statement.where(search_condition(table, search[0], search[1]))
            return await self.page(db, table, statement, params, url, conn=conn)
        limit, order, key, cursor, values, back = self._window(table, params)
        search_fields = tuple(search[0]) if search and search[1] else ()
        nulls = None if values is None else tuple(v is None for v in values)
        shape = ("cursor", table, plan.shape, search_fields, key, nulls, back)
        compiled = db.compiler.get(shape)
        if compiled is None:
            statement = table.select().where(*db._where(table, plan.shape))
            if search_fields:
                pattern = sa.bindparam("search", type_=sa.String)
                statement = statement.where(search_condition(table, search_fields, pattern))
            if nulls is not None:
                binds = [
                    None if null else sa.bindparam(f"k{i}", type_=c.type)
                    for i, ((c, _), null) in enumerate(zip(order, nulls, strict=True))
                ]
                statement = statement.where(self._keyset(order, binds, back))
            statement = statement.order_by(*self._ordering(order, back))
            statement = statement.limit(sa.bindparam("limit", type_=sa.Integer))
            compiled = db.compiler.store(shape, statement)
        arguments = db._filter_args(plan.values)
        arguments["limit"] = limit + 1
        if search_fields and search:
            arguments["search"] = like_pattern(search[1])
        for i, value in enumerate(values or ()):
            if value is not None:
                arguments[f"k{i}"] = value
        rows = await db.fetch_compiled(compiled, compiled.arguments(arguments), conn=conn)
        return self._page(rows, limit, order, key, cursor, back, url)


# the dataclasses users inherit


def _order_by_doc(choices: Sequence[str]) -> str:
    return "Order by one of: " + ", ".join(f"`{c}`" for c in choices) + " (`-` descending)"


def _limit_spec(default_limit: int, max_limit: int) -> tuple[str, Any, Any]:
    """The ``limit`` field every pagination declares."""
    description = f"Number of items per page (at most {max_limit})"
    field = fields.integer_field(
        min_value=1, max_value=max_limit, default=default_limit, description=description
    )
    return ("limit", int, field)


def offsetPagination(
    *order_by_fields: str,
    default_limit: int = DEFAULT_LIMIT,
    max_limit: int = MAX_LIMIT,
) -> type:
    """A query-schema base for limit/offset pagination ordered by ``order_by_fields``.

    ``order_by`` accepts each declared field ascending or descending (``-name``); the
    first declared field is the default. Responses carry ``X-Total-Count`` and ``Link``.
    """
    paginator = OffsetPaginator(order_by_fields, default_limit, max_limit)
    choices = paginator.choices()
    order_type: Any = Literal[choices]
    specs: list[tuple[str, Any, Any]] = [
        _limit_spec(default_limit, max_limit),
        (
            "offset",
            int,
            # bounded: PostgreSQL's OFFSET is a bigint, a larger value was a 500
            fields.integer_field(
                min_value=0, max_value=2**63 - 1, default=0, description="Number of items to skip"
            ),
        ),
        (
            "order_by",
            order_type,
            fields.data_field(default=order_by_fields[0], description=_order_by_doc(choices)),
        ),
    ]
    return dataclasses.make_dataclass(
        "OffsetPagination",
        specs,
        namespace={
            PAGINATOR_ATTRIBUTE: paginator,
            HEADERS_ATTRIBUTE: {"Link": LINK_HEADER, "X-Total-Count": TOTAL_HEADER},
        },
    )


def cursorPagination(
    *order_by_fields: str,
    default_limit: int = DEFAULT_LIMIT,
    max_limit: int = MAX_LIMIT,
) -> type:
    """A query-schema base for keyset (cursor) pagination ordered by ``order_by_fields``.

    Pages are followed through the ``Link`` header's ``next``/``prev`` URLs, which carry
    an opaque ``cursor``; ``direction=desc`` reverses the order.
    """
    paginator = CursorPaginator(order_by_fields, default_limit, max_limit)
    direction_type: Any = Literal["asc", "desc"]
    specs: list[tuple[str, Any, Any]] = [
        _limit_spec(default_limit, max_limit),
        (
            "direction",
            direction_type,
            fields.data_field(
                default="asc",
                description="Order by " + ", ".join(order_by_fields) + " or the reverse",
            ),
        ),
        (
            "cursor",
            str,
            fields.str_field(
                default="", description="Where the page starts: from a Link header URL"
            ),
        ),
    ]
    return dataclasses.make_dataclass(
        "CursorPagination",
        specs,
        namespace={PAGINATOR_ATTRIBUTE: paginator, HEADERS_ATTRIBUTE: {"Link": LINK_HEADER}},
    )


def searchable(*search_fields: str) -> type:
    """A query-schema base adding ``search``: a case-insensitive substring match
    (ILIKE, ``%`` and ``_`` taken literally) over ``search_fields``."""
    if not search_fields:
        raise ValueError("searchable needs at least one field")
    description = "Case-insensitive text search in " + ", ".join(search_fields)
    return dataclasses.make_dataclass(
        "Searchable",
        [("search", str, fields.str_field(default="", description=description))],
        namespace={SEARCH_ATTRIBUTE: tuple(search_fields)},
    )


def paginator_of(schema: Any) -> Paginator | None:
    """The paginator a query schema inherits, if any."""
    found = getattr(schema, PAGINATOR_ATTRIBUTE, None)
    return found if isinstance(found, Paginator) else None


def search_fields_of(schema: Any) -> tuple[str, ...]:
    """The searchable fields a query schema inherits."""
    found = getattr(schema, SEARCH_ATTRIBUTE, None)
    return tuple(found) if found else ()


def like_pattern(text: str) -> str:
    """``%text%`` with the text's own ``%``, ``_`` and ``\\`` taken literally."""
    if "\x00" in text:  # PostgreSQL text cannot hold NUL: a 422, not a DataError (500)
        raise InvalidFilter("search", "NUL characters are not allowed")
    return f"%{escape_like(text)}%"


def search_condition(table: sa.Table, search_fields: Sequence[str], text: Any) -> Any:
    """``col1 ILIKE '%text%' OR col2 ILIKE ...`` with the text taken literally
    (``text`` may also be a bind parameter holding a :func:`like_pattern`)."""
    pattern = like_pattern(text) if isinstance(text, str) else text
    columns = [_column(table, name) for name in search_fields]
    return sa.or_(
        *(
            (c if isinstance(c.type, sa.String) else sa.cast(c, sa.Text)).ilike(
                pattern, escape="\\"
            )
            for c in columns
        )
    )
