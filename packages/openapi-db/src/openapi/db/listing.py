"""Listing rows: what a list selects, which window of it a statement reads, and the
contract every paginator implements.

A :class:`Selection` is the rows of a table matching filters and search (or of any
select of the table). A :class:`Window` orders and bounds them and says whether the
total is counted. :meth:`CrudDB.select_page <openapi.db.CrudDB.select_page>` reads a
window of a selection, with its SQL compiled once per shape. A :class:`Paginator` turns
a parsed list request (:class:`ListQuery`) into a :class:`Page`; offset, cursor and no
pagination each implement :meth:`Paginator.page`, so a view never asks which one it has.
"""

from __future__ import annotations

import dataclasses
import enum
from abc import ABC, abstractmethod
from collections.abc import Hashable, Mapping, Sequence
from typing import Any, ClassVar, NamedTuple, Protocol

import sqlalchemy as sa
from yarl import URL

from .compiler import Row
from .database import Connection
from .filters import FilterConsumer, Filters
from .ordering import OrderField, order_clauses, parse_order_by
from .search import Search

__all__ = [
    "DEFAULT_LIMIT",
    "MAX_LIMIT",
    "ListQuery",
    "OffsetWindow",
    "OrderedPaginator",
    "Page",
    "Paginator",
    "RowSource",
    "Selection",
    "Total",
    "Window",
    "count_statement",
    "paginator_of",
]

DEFAULT_LIMIT = 50
MAX_LIMIT = 100

#: the class attribute of a query schema naming the paginator that runs it
PAGINATOR_ATTRIBUTE = "__openapi_paginator__"


class Total(enum.Enum):
    """How the rows of a selection are counted, all pages together: not at all, every
    one (a full scan of the matching rows), or at most a cap (offset pagination's
    ``total="capped"``: an exact total below the cap, none above it)."""

    NONE = "none"
    EXACT = "exact"
    CAPPED = "capped"


def count_statement(statement: sa.Select[Any]) -> sa.Select[Any]:
    """``SELECT count(*)`` of the rows a select returns."""
    return sa.select(sa.func.count()).select_from(statement.order_by(None).subquery())


@dataclasses.dataclass(slots=True)
class Selection:
    """The rows of :attr:`table` matching :attr:`filters` and :attr:`search`.

    ``consumer`` overrides filters with its ``filter_<name>(op, value)`` methods; a
    ``statement`` (any select of the table) replaces ``table.select()``.
    """

    table: sa.Table
    filters: Filters | None = None
    search: Search | None = None
    consumer: FilterConsumer = None
    statement: sa.Select[Any] | None = None

    def select(self, conditions: list[Any]) -> sa.Select[Any]:
        """The selected rows, with ``conditions`` (the filters and search) applied."""
        statement = self.table.select() if self.statement is None else self.statement
        return statement.where(*conditions) if conditions else statement

    def count(self, conditions: list[Any]) -> sa.Select[Any]:
        """How many rows :meth:`select` returns."""
        if self.statement is None:
            return sa.select(sa.func.count()).select_from(self.table).where(*conditions)
        return count_statement(self.select(conditions))

    def count_at_most(self, conditions: list[Any], at_most: int) -> sa.Select[Any]:
        """How many rows :meth:`select` returns, counting no more than ``at_most`` (the
        parameter ``count_limit``): the scan stops there (an index-only scan when the
        filters' columns are indexed)."""
        limit = sa.bindparam("count_limit", at_most, type_=sa.Integer)
        if self.statement is None:
            rows: sa.Select[Any] = sa.select(sa.literal_column("1")).select_from(self.table)
            return count_statement(rows.where(*conditions).limit(limit))
        return count_statement(self.select(conditions).limit(limit))


class Window(ABC):
    """Which rows of a selection a statement reads, in which order, and how it counts
    them all (:attr:`total`).

    :meth:`apply` names its parameters and binds their values; :attr:`shape` is all it
    adds to the statement but those values (part of the cache key), :meth:`arguments`
    the values by name.
    """

    __slots__ = ()

    total: Total
    """counted with the rows: past the last page (:attr:`skips_rows`), apart"""

    #: with :attr:`Total.CAPPED`, the count stops past this many rows
    total_cap: int = 0

    @property
    @abstractmethod
    def shape(self) -> Hashable: ...

    @property
    def skips_rows(self) -> bool:
        """Whether rows before the window are left out."""
        return False

    @abstractmethod
    def apply(self, table: sa.Table, statement: sa.Select[Any]) -> sa.Select[Any]: ...

    @abstractmethod
    def arguments(self) -> dict[str, Any]: ...


class OffsetShape(NamedTuple):
    order: tuple[OrderField, ...]
    limited: bool
    skips_rows: bool


@dataclasses.dataclass(slots=True)
class OffsetWindow(Window):
    """``ORDER BY order LIMIT limit OFFSET offset`` (no limit when None)."""

    order: tuple[OrderField, ...]
    limit: int | None = None
    offset: int = 0
    total: Total = Total.NONE
    total_cap: int = 0

    @property
    def shape(self) -> OffsetShape:
        return OffsetShape(self.order, self.limit is not None, bool(self.offset))

    @property
    def skips_rows(self) -> bool:
        return bool(self.offset)

    def apply(self, table: sa.Table, statement: sa.Select[Any]) -> sa.Select[Any]:
        statement = statement.order_by(*order_clauses(table, self.order))
        if self.limit is not None:
            statement = statement.limit(sa.bindparam("limit", self.limit, type_=sa.Integer))
        if self.offset:
            # OFFSET is a bigint: the default INTEGER cast refused offsets past 2**31
            statement = statement.offset(sa.bindparam("offset", self.offset, type_=sa.BigInteger))
        return statement

    def arguments(self) -> dict[str, Any]:
        arguments: dict[str, Any] = {}
        if self.limit is not None:
            arguments["limit"] = self.limit
        if self.offset:
            arguments["offset"] = self.offset
        return arguments


@dataclasses.dataclass(slots=True)
class Page:
    """Rows of one page, the total (when counted) and links to other pages."""

    rows: list[Row]
    total: int | None = None
    links: dict[str, URL] = dataclasses.field(default_factory=dict)


@dataclasses.dataclass(slots=True)
class ListQuery:
    """A parsed list request: the rows it selects, the paginator's own query values
    (``limit``, ``offset``, ``cursor``...) and the URL that links to other pages start from."""

    selection: Selection
    params: Mapping[str, Any] = dataclasses.field(default_factory=dict)
    url: URL = URL("/")


class RowSource(Protocol):
    """Where pages are read from (a :class:`~openapi.db.CrudDB`)."""

    async def select_page(
        self, selection: Selection, window: Window, *, conn: Connection | None = None
    ) -> Page: ...

    async def count_selected(
        self, selection: Selection, *, at_most: int | None = None, conn: Connection | None = None
    ) -> int: ...


class Paginator(ABC):
    """One kind of pagination: its query keys (taken out of the filters) and how a
    list request becomes a page."""

    keys: ClassVar[tuple[str, ...]] = ()

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

    @abstractmethod
    async def page(
        self, rows: RowSource, query: ListQuery, *, conn: Connection | None = None
    ) -> Page:
        """The page ``query`` asks for, read from ``rows``."""


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


def paginator_of(schema: Any) -> Paginator | None:
    """The paginator a query schema (or an instance of one) inherits, if any."""
    found = getattr(schema, PAGINATOR_ATTRIBUTE, None)
    return found if isinstance(found, Paginator) else None
