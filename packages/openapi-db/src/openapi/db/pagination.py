"""Pagination for list endpoints, declared on the query schema.

``offsetPagination(...)`` and ``cursorPagination(...)`` return dataclasses to inherit
from in a query schema (``searchable(...)``, from :mod:`openapi.db.search`, adds
search)::

    @dataclass
    class TaskQuery(offsetPagination("title", "-created"), searchable("title")):
        done: bool | None = fields.bool_field()

The dataclass carries its fields (``limit``, ``offset``, ``order_by``...), the
response headers it documents and the paginator that runs it, which
:class:`~openapi.db.path.SqlApiPath` finds on the query schema. Each paginator
implements :meth:`~openapi.db.listing.Paginator.page` over a window of the selected rows.
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
from typing import Any, Literal, NamedTuple

import sqlalchemy as sa
from aiohttp import web
from openapi.data import fields
from openapi.data.json import dumps
from openapi.spec import UnprocessableEntity
from openapi.spec.renderer import RESPONSE_HEADERS_ATTRIBUTE
from yarl import URL

from .compiler import Row
from .database import Connection
from .errors import ImproperlyConfigured, InvalidFilter
from .listing import (
    DEFAULT_LIMIT,
    MAX_LIMIT,
    PAGINATOR_ATTRIBUTE,
    ListQuery,
    OffsetWindow,
    Page,
    Paginator,
    RowSource,
    Total,
    Window,
    paginator_of,
)
from .ordering import OrderField, declared_column, parse_order_by, total_order
from .search import escape_like, search_fields_of, searchable

__all__ = [
    "DEFAULT_LIMIT",
    "MAX_LIMIT",
    "CursorPaginator",
    "OffsetPaginator",
    "Page",
    "PaginatedData",
    "Paginator",
    "Unpaginated",
    "cursorPagination",
    "escape_like",
    "offsetPagination",
    "paginator_of",
    "search_fields_of",
    "searchable",
]

LINK_HEADER = {
    "description": "Links to other pages (RFC 8288): first, prev, next, last",
    "schema": {"type": "string"},
}
TOTAL_HEADER = {
    "description": "Number of items matching the query, all pages together",
    "schema": {"type": "integer", "minimum": 0},
}


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


def _primary_key_order(table: sa.Table) -> tuple[OrderField, ...]:
    return tuple(OrderField(c.key) for c in table.primary_key.columns)


class Unpaginated(Paginator):
    """No pagination: the first ``default_limit`` rows in primary-key order."""

    async def page(
        self, rows: RowSource, query: ListQuery, *, conn: Connection | None = None
    ) -> Page:
        selection = query.selection
        window = OffsetWindow(_primary_key_order(selection.table), self.limit(query.params))
        return await rows.select_page(selection, window, conn=conn)


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
        self.declared_order = parse_order_by(self.order_by)


class OffsetPaginator(OrderedPaginator):
    """``limit``/``offset``/``order_by``, ``X-Total-Count`` and first/prev/next/last links."""

    keys = ("limit", "offset", "order_by")
    kind = "offsetPagination"

    def choices(self) -> tuple[str, ...]:
        """Accepted ``order_by`` values: each declared field, ascending and descending."""
        names: list[str] = []
        for field in self.declared_order:
            for choice in (field.name, f"-{field.name}"):
                if choice not in names:
                    names.append(choice)
        return tuple(names)

    def order_fields(self, table: sa.Table, order_by: Any) -> tuple[OrderField, ...]:
        """The requested ordering (``-name`` descending) made total with the primary key."""
        requested = parse_order_by(order_by or self.order_by[0])
        allowed = self.choices()
        for field in requested:
            if str(field) not in allowed:
                raise InvalidFilter("order_by", f"cannot order by '{field}'")
            declared_column(table, field.name)
        return total_order(table, requested)

    async def page(
        self, rows: RowSource, query: ListQuery, *, conn: Connection | None = None
    ) -> Page:
        params = query.params
        limit = self.limit(params)
        offset = int(params.get("offset") or 0)
        order = self.order_fields(query.selection.table, params.get("order_by"))
        window = OffsetWindow(order, limit, offset, Total.EXACT)
        page = await rows.select_page(query.selection, window, conn=conn)
        total = page.total or 0
        return Page(page.rows, page.total, offset_links(query.url, total, limit, offset))


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


class KeysetShape(NamedTuple):
    order: tuple[OrderField, ...]
    nulls: tuple[bool, ...] | None
    back: bool


@dataclasses.dataclass(slots=True)
class KeysetWindow(Window):
    """The ``limit`` rows strictly after a cursor's ``values`` in ``order`` (walking back:
    before them, in the reversed order). NULLs sort last."""

    order: tuple[OrderField, ...]
    values: tuple[Any, ...] | None
    back: bool
    limit: int
    total: Total = Total.NONE

    @property
    def shape(self) -> KeysetShape:
        nulls = None if self.values is None else tuple(v is None for v in self.values)
        return KeysetShape(self.order, nulls, self.back)

    def apply(self, table: sa.Table, statement: sa.Select[Any]) -> sa.Select[Any]:
        columns = [declared_column(table, field.name) for field in self.order]
        if self.values is not None:
            binds = [
                None if value is None else sa.bindparam(f"k{i}", value, type_=column.type)
                for i, (column, value) in enumerate(zip(columns, self.values, strict=True))
            ]
            statement = statement.where(self._keyset(columns, binds))
        clauses = []
        for column, field in zip(columns, self.order, strict=True):
            clause = column.desc() if field.descending != self.back else column.asc()
            clauses.append(clause.nulls_first() if self.back else clause.nulls_last())
        limit = sa.bindparam("limit", self.limit, type_=sa.Integer)
        return statement.order_by(*clauses).limit(limit)

    def _keyset(self, columns: list[sa.Column[Any]], binds: list[Any]) -> Any:
        """Rows strictly after the cursor; ``binds`` holds a parameter per column (None
        for NULL). Walking back: the reversed order, NULLs first."""
        conditions = []
        for i, (column, field) in enumerate(zip(columns, self.order, strict=True)):
            equal = [_equal(c, b) for c, b in zip(columns[:i], binds[:i], strict=True)]
            desc = field.descending != self.back
            after = _after(column, binds[i], desc, nulls_last=not self.back)
            conditions.append(sa.and_(*equal, after))
        return sa.or_(*conditions)

    def arguments(self) -> dict[str, Any]:
        arguments: dict[str, Any] = {"limit": self.limit}
        for i, value in enumerate(self.values or ()):
            if value is not None:
                arguments[f"k{i}"] = value
        return arguments


class CursorPaginator(OrderedPaginator):
    """Keyset pagination: ``limit``, ``direction`` and an opaque ``cursor``.

    The order is the declared fields (``-name`` for descending) followed by the primary
    key unless they already include a unique column, so the order is total and a page
    starts strictly after the previous one's last row: no row repeats or goes missing
    while rows are added or removed. NULLs sort last.
    """

    keys = ("limit", "cursor", "direction")
    kind = "cursorPagination"

    def fields(self, table: sa.Table, direction: str) -> tuple[OrderField, ...]:
        """The full ordering, flipped for ``direction=desc``."""
        order = total_order(table, self.declared_order)
        for field in order:
            declared_column(table, field.name)
        if direction != "desc":
            return order
        return tuple(OrderField(f.name, not f.descending) for f in order)

    def encode(self, row: Row, order: Sequence[OrderField], back: bool, key: str) -> str:
        payload = {"k": key, "v": [_cursor_value(row[f.name]) for f in order], "b": back}
        raw = json.dumps(payload, separators=(",", ":")).encode()
        return base64.urlsafe_b64encode(raw).decode().rstrip("=")

    def decode(
        self, cursor: str, columns: Sequence[sa.Column[Any]], key: str
    ) -> tuple[tuple[Any, ...], bool]:
        try:
            raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
            payload = json.loads(raw)
            if not isinstance(payload, dict) or payload.get("k") != key:
                raise _BadCursor
            values, back = payload["v"], payload["b"]
            if not isinstance(values, list) or len(values) != len(columns):
                raise _BadCursor
            if not isinstance(back, bool):
                raise _BadCursor
            return tuple(_python_value(c, v) for c, v in zip(columns, values, strict=True)), back
        except (_BadCursor, binascii.Error, ValueError, KeyError, TypeError) as exc:
            raise UnprocessableEntity(
                "Invalid cursor", errors=[{"field": "cursor", "message": "invalid cursor"}]
            ) from exc

    async def page(
        self, rows: RowSource, query: ListQuery, *, conn: Connection | None = None
    ) -> Page:
        params, table = query.params, query.selection.table
        limit = self.limit(params)
        direction = params.get("direction") or "asc"
        order = self.fields(table, direction)
        # cursors of another ordering (or table) are refused, not misread
        key = f"{table.name}:{direction}:{','.join(self.order_by)}"
        cursor = params.get("cursor") or ""
        values: tuple[Any, ...] | None = None
        back = False
        if cursor:
            columns = [declared_column(table, field.name) for field in order]
            values, back = self.decode(cursor, columns, key)
        # one row more than the page tells whether another page follows
        window = KeysetWindow(order, values, back, limit + 1)
        found = (await rows.select_page(query.selection, window, conn=conn)).rows
        more = len(found) > limit
        found = list(found[:limit])
        if back:
            found.reverse()
        links: dict[str, URL] = {}
        if found:
            has_next = bool(cursor) if back else more
            has_prev = more if back else bool(cursor)
            if has_next:
                next_cursor = self.encode(found[-1], order, False, key)
                links["next"] = query.url.update_query(cursor=next_cursor)
            if has_prev:
                prev_cursor = self.encode(found[0], order, True, key)
                links["prev"] = query.url.update_query(cursor=prev_cursor)
        return Page(found, None, links)


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
            RESPONSE_HEADERS_ATTRIBUTE: {"Link": LINK_HEADER, "X-Total-Count": TOTAL_HEADER},
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
        namespace={
            PAGINATOR_ATTRIBUTE: paginator,
            RESPONSE_HEADERS_ATTRIBUTE: {"Link": LINK_HEADER},
        },
    )
