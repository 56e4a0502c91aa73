"""Search: a case-insensitive substring match over declared columns.

``searchable("title", "body")`` is a query-schema base adding a ``search`` field; a
request's text becomes a :class:`Search`, and :func:`search_condition` the SQL
``title ILIKE '%text%' OR body ILIKE ...`` with ``%``, ``_`` and ``\\`` taken literally.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from openapi.data import fields

from .errors import InvalidFilter
from .filters import NUL_MESSAGE
from .ordering import declared_column

__all__ = [
    "Search",
    "escape_like",
    "like_pattern",
    "search_condition",
    "search_fields_of",
    "searchable",
]

SEARCH_ATTRIBUTE = "__openapi_search_fields__"
#: the query key of a searchable() schema
SEARCH_KEY = "search"


@dataclasses.dataclass(frozen=True, slots=True)
class Search:
    """The text a request searches for and the columns it is looked for in."""

    fields: tuple[str, ...]
    text: str


def searchable(*search_fields: str) -> type:
    """A query-schema base adding ``search``: a case-insensitive substring match
    (ILIKE, ``%`` and ``_`` taken literally) over ``search_fields``."""
    if not search_fields:
        raise ValueError("searchable needs at least one field")
    description = "Case-insensitive text search in " + ", ".join(search_fields)
    return dataclasses.make_dataclass(
        "Searchable",
        [(SEARCH_KEY, str, fields.str_field(default="", description=description))],
        namespace={SEARCH_ATTRIBUTE: tuple(search_fields)},
    )


def search_fields_of(schema: Any) -> tuple[str, ...]:
    """The searchable fields a query schema inherits."""
    found = getattr(schema, SEARCH_ATTRIBUTE, None)
    return tuple(found) if found else ()


def escape_like(text: str) -> str:
    """``text`` matched literally inside a LIKE pattern (escape character ``\\``)."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def like_pattern(text: str) -> str:
    """``%text%`` with the text's own ``%``, ``_`` and ``\\`` taken literally."""
    if "\x00" in text:  # PostgreSQL text cannot hold NUL: a 422, not a DataError (500)
        raise InvalidFilter("search", NUL_MESSAGE)
    return f"%{escape_like(text)}%"


def search_condition(table: sa.Table, search_fields: Sequence[str], text: Any) -> Any:
    """``col1 ILIKE '%text%' OR col2 ILIKE ...`` with the text taken literally
    (``text`` may also be a bind parameter holding a :func:`like_pattern`)."""
    pattern = like_pattern(text) if isinstance(text, str) else text
    columns = [declared_column(table, name) for name in search_fields]
    return sa.or_(
        *(
            (c if isinstance(c.type, sa.String) else sa.cast(c, sa.Text)).ilike(
                pattern, escape="\\"
            )
            for c in columns
        )
    )
