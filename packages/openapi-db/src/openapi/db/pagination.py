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
implements :meth:`~openapi.db.listing.Paginator.page` over a window of the selected rows:
:class:`Unpaginated` and :class:`OffsetPaginator` here, :class:`CursorPaginator` in
:mod:`openapi.db.cursor`.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from typing import Any, Literal

import sqlalchemy as sa
from aiohttp import web
from openapi.data import fields
from openapi.data.dump import dump
from openapi.data.json import dump_bytes, dumps_bytes
from openapi.spec import RESPONSE_HEADERS_ATTRIBUTE, json_body_response
from yarl import URL

from .cursor import CursorPaginator
from .database import Connection
from .errors import InvalidFilter
from .listing import (
    DEFAULT_LIMIT,
    MAX_LIMIT,
    PAGINATOR_ATTRIBUTE,
    ListQuery,
    OffsetWindow,
    OrderedPaginator,
    Page,
    Paginator,
    RowSource,
    Total,
    paginator_of,
)
from .ordering import OrderField, declared_column, parse_order_by, total_order
from .search import escape_like, search_fields_of, searchable

__all__ = [
    "DEFAULT_LIMIT",
    "DEFAULT_TOTAL_CAP",
    "MAX_LIMIT",
    "CursorPaginator",
    "OffsetPaginator",
    "Page",
    "PaginatedData",
    "Paginator",
    "Total",
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
#: offset pagination counts at most this many matching rows by default
DEFAULT_TOTAL_CAP = 10_000
#: orderings an offset paginator remembers (only valid ones are: choices x tables)
_MAX_ORDERS = 256


def _total_header(total: Total, total_cap: int) -> dict[str, Any]:
    if total is Total.EXACT:
        return TOTAL_HEADER
    return {
        **TOTAL_HEADER,
        "description": "Number of items matching the query, all pages together; absent "
        f"when more than {total_cap} match (the Link header's next page says whether "
        "there are more)",
    }


class PaginatedData:
    """What ``SqlApiPath.get_list()`` returns: ``.json_response()`` answers the page.

    ``data`` is the page's items, JSON-ready; ``links`` the other pages' URLs by
    relation; ``total`` the number of matching items, when counted. Made from rows and
    the schema to dump them with (:meth:`of_rows`), the rows are dumped when ``data`` is
    first read, and :meth:`json_response` writes them as JSON in one pass.
    """

    __slots__ = ("_data", "_rows", "_schema", "links", "total")

    def __init__(
        self,
        data: list[Any],
        links: dict[str, URL] | None = None,
        total: int | None = None,
    ) -> None:
        self._data: list[Any] | None = data
        self._rows: list[Any] = []
        self._schema: Any = None
        self.links: dict[str, URL] = links if links is not None else {}
        self.total = total

    @classmethod
    def of_rows(
        cls, rows: list[Any], schema: Any, links: dict[str, URL], total: int | None
    ) -> PaginatedData:
        """The page of ``rows``, dumped with ``schema`` (a ``list[X]``) when needed."""
        page = cls([], links, total)
        page._data, page._rows, page._schema = None, rows, schema
        return page

    @property
    def data(self) -> list[Any]:
        """The page's items, JSON-ready."""
        if self._data is None:
            self._data = dump(self._schema, self._rows)
        return self._data

    @data.setter
    def data(self, value: list[Any]) -> None:
        self._data = value

    def __repr__(self) -> str:
        return f"PaginatedData({self.data!r}, {self.links!r}, {self.total!r})"

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, PaginatedData):
            return NotImplemented
        return (self.data, self.links, self.total) == (other.data, other.links, other.total)

    __hash__ = None  # type: ignore[assignment]

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
        if self._data is None:
            # never read as data: dumped and written in one pass
            body = dump_bytes(self._schema, self._rows)
        else:
            body = dumps_bytes(self._data)
        return json_body_response(body, status, all_headers)


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
        # a few valid orderings per table (one text value each): worked out once
        cacheable = isinstance(order_by, str | None)
        key = (table, order_by)
        found = self._orders.get(key) if cacheable else None
        if found is not None:
            return found
        requested = parse_order_by(order_by or self.order_by[0])
        allowed = self.choices()
        for field in requested:
            if str(field) not in allowed:
                raise InvalidFilter("order_by", f"cannot order by '{field}'")
            declared_column(table, field.name)
        found = total_order(table, requested)
        if cacheable and len(self._orders) < _MAX_ORDERS:
            self._orders[key] = found
        return found

    def __init__(
        self,
        order_by: Sequence[str],
        default_limit: int = DEFAULT_LIMIT,
        max_limit: int = MAX_LIMIT,
        total: Total | str = Total.CAPPED,
        total_cap: int = DEFAULT_TOTAL_CAP,
    ) -> None:
        super().__init__(order_by, default_limit, max_limit)
        self._orders: dict[tuple[sa.Table, str | None], tuple[OrderField, ...]] = {}
        self.total = Total(total)
        if total_cap < 1:
            raise ValueError("total_cap must be at least 1")
        self.total_cap = total_cap

    async def page(
        self, rows: RowSource, query: ListQuery, *, conn: Connection | None = None
    ) -> Page:
        params = query.params
        limit = self.limit(params)
        offset = int(params.get("offset") or 0)
        order = self.order_fields(query.selection.table, params.get("order_by"))
        if self.total is Total.EXACT:
            window = OffsetWindow(order, limit, offset, Total.EXACT)
            page = await rows.select_page(query.selection, window, conn=conn)
            total = page.total or 0
            return Page(page.rows, page.total, offset_links(query.url, total, limit, offset))
        # one row past the page says whether a next page exists
        window = OffsetWindow(order, limit + 1, offset, self.total, self.total_cap)
        page = await rows.select_page(query.selection, window, conn=conn)
        more = len(page.rows) > limit
        found = page.rows[:limit]
        # capped: counted with the page, at most one past the cap
        if page.total is not None and page.total <= self.total_cap:
            return Page(found, page.total, offset_links(query.url, page.total, limit, offset))
        return Page(found, None, open_links(query.url, limit, offset, more))


def open_links(url: URL, limit: int, offset: int, more: bool) -> dict[str, URL]:
    """first/prev/next pages around ``offset`` when the total is not known (no last)."""
    links: dict[str, URL] = {}
    if offset > 0:
        links["first"] = url.update_query(limit=limit, offset=0)
        links["prev"] = url.update_query(limit=limit, offset=max(0, offset - limit))
    if more:
        links["next"] = url.update_query(limit=limit, offset=offset + limit)
    return links


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
    total: Literal["capped", "exact", "none"] = "capped",
    total_cap: int = DEFAULT_TOTAL_CAP,
) -> type:
    """A query-schema base for limit/offset pagination ordered by ``order_by_fields``.

    ``order_by`` accepts each declared field ascending or descending (``-name``); the
    first declared field is the default. Responses carry ``Link`` (first/prev/next/last)
    and ``X-Total-Count``, as ``total`` says:

    - ``"capped"`` (the default): at most ``total_cap`` matching rows are counted. Up to
      the cap the total and the ``last`` link are exact; past it ``X-Total-Count`` and
      ``last`` are absent, and ``next`` is there while more rows follow. A list on a big
      table costs a page and at most ``total_cap`` index entries, not a full scan.
    - ``"exact"``: every matching row is counted, on each page.
    - ``"none"``: no count; ``next`` while more rows follow.
    """
    paginator = OffsetPaginator(
        order_by_fields, default_limit, max_limit, total=total, total_cap=total_cap
    )
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
            RESPONSE_HEADERS_ATTRIBUTE: _offset_headers(paginator),
        },
    )


def _offset_headers(paginator: OffsetPaginator) -> dict[str, Any]:
    if paginator.total is Total.NONE:
        return {"Link": LINK_HEADER}
    total_header = _total_header(paginator.total, paginator.total_cap)
    return {"Link": LINK_HEADER, "X-Total-Count": total_header}


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
