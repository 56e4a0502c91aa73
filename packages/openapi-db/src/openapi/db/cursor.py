"""Cursor (keyset) pagination: pages that start strictly after the previous one's last row.

The ordering (declared fields, then the primary key unless they are already unique) is
compared column by column against the values an opaque cursor carries, so no row
repeats or goes missing while rows are added or removed. A cursor names its table,
direction and ordering: one of another list is refused (422), not misread.
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
from collections.abc import Sequence
from typing import Any, NamedTuple

import sqlalchemy as sa
from openapi.spec import UnprocessableEntity
from yarl import URL

from .compiler import Row
from .database import Connection
from .errors import ImproperlyConfigured
from .filters import beyond_column
from .listing import ListQuery, OrderedPaginator, Page, RowSource, Total, Window
from .ordering import OrderField, declared_column, total_order

__all__ = ["CursorPaginator", "KeysetWindow"]


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
            if beyond_column(column, value):  # no row of the column holds it: not ours
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
