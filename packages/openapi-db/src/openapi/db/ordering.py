"""Orderings: ``order_by`` values (``"-created"``, ``("title", "id")``) parsed in one place.

A field is a column name, ``-`` in front for descending. :func:`parse_order_by` turns
any accepted ``order_by`` into :class:`OrderField` values; :func:`order_clauses` turns
those into SQLAlchemy clauses of a table, :func:`total_order` completes an ordering with
the primary key so that rows which tie still come in one fixed order.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from typing import Any, NamedTuple

import sqlalchemy as sa

from .errors import ImproperlyConfigured, InvalidFilter

__all__ = [
    "OrderBy",
    "OrderField",
    "declared_column",
    "order_clauses",
    "parse_order_by",
    "total_order",
]

#: what ``order_by=`` accepts: a field, a sequence of fields, or nothing
OrderBy = str | Sequence[str] | None


class OrderField(NamedTuple):
    """One column of an ordering: ``"-name"`` is ``OrderField("name", descending=True)``."""

    name: str
    descending: bool = False

    @classmethod
    def parse(cls, text: str) -> OrderField:
        return cls(text[1:], True) if text.startswith("-") else cls(text)

    def __str__(self) -> str:
        return f"-{self.name}" if self.descending else self.name


@functools.lru_cache(maxsize=1024)
def _parse(fields: tuple[str, ...]) -> tuple[OrderField, ...]:
    return tuple(OrderField.parse(text) for text in fields)


def parse_order_by(order_by: OrderBy) -> tuple[OrderField, ...]:
    """``"-created"`` or ``["-created", "id"]`` -> the fields, in order (parsed once)."""
    if not order_by:
        return ()
    if isinstance(order_by, str):
        return _parse((order_by,))
    return _parse(tuple(order_by))


def order_clauses(table: sa.Table, fields: Sequence[OrderField]) -> list[Any]:
    """``[-created, id]`` -> ``[created DESC, id ASC]``; an unknown column is a 422."""
    clauses = []
    for field in fields:
        column = table.c.get(field.name)
        if column is None:
            raise InvalidFilter("order_by", f"cannot order by '{field.name}'")
        clauses.append(column.desc() if field.descending else column.asc())
    return clauses


def declared_column(table: sa.Table, name: str) -> sa.Column[Any]:
    """The column an application declared by name (for ordering or search); a missing
    one is the application's mistake, not the client's."""
    column = table.c.get(name)
    if column is None:
        raise ImproperlyConfigured(f"table {table.name} has no column {name!r}")
    return column


def total_order(table: sa.Table, fields: Sequence[OrderField]) -> tuple[OrderField, ...]:
    """``fields`` followed by the primary-key columns they lack, unless a unique column
    set among them already makes the order total (pages then neither repeat nor skip
    rows that tie)."""
    present = {field.name for field in fields}
    unique_sets = [{c.name for c in table.primary_key.columns}]
    for constraint in table.constraints:
        if isinstance(constraint, sa.UniqueConstraint):
            unique_sets.append({c.name for c in constraint.columns})
    unique_sets.extend({column.name} for column in table.columns if column.unique)
    if any(unique and unique <= present for unique in unique_sets):
        return tuple(fields)
    extra = (OrderField(c.name) for c in table.primary_key.columns if c.name not in present)
    return (*fields, *extra)
