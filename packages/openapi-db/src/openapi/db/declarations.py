"""What a SqlApiPath declares about its table, checked when the application starts.

An ``order_by``, search or filter field that is not a column of the view's table stops
the application with one message naming the view, the method and the field, instead of
a 422 or a 500 for every request that uses it. So does a path variable the view has no
``path_schema`` for: only validated path variables filter rows, so without one a
``DELETE /projects/{pid}/tasks`` would act on the tasks of every project.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator

import sqlalchemy as sa
from openapi.spec.declarations import path_variables, view_operations

from .listing import OrderedPaginator, paginator_of
from .search import SEARCH_KEY, search_fields_of

__all__ = ["path_errors", "table_errors"]


def path_errors(view: type, path: str) -> Iterator[str]:
    """The variables of ``path`` that would not filter rows: ``view`` has no path schema.

    Path variables reach the CRUD methods' filters only once validated by ``path_schema``
    (which also documents their type); without it the variable would be silently ignored
    and a collection DELETE or PATCH act across every value of it.
    """
    if getattr(view, "path_schema", None) is not None:
        return  # openapi.spec checks that it has a field per variable
    variables = path_variables(path)
    if variables:
        names = ", ".join(f"{{{name}}}" for name in variables)
        yield (
            f"{view.__name__}: path {path} has variables ({names}) but the view has no "
            f"path_schema; declare one (a dataclass with a field per variable) so they "
            f"filter the rows, else its methods would act on the rows of every "
            f"{variables[0]}"
        )


def table_errors(view: type, table: sa.Table) -> Iterator[str]:
    """The fields of ``view``'s query schemas that name no column of ``table``."""
    for method, operation in view_operations(view):
        schema = operation.query_schema
        if not (isinstance(schema, type) and dataclasses.is_dataclass(schema)):
            continue  # openapi.spec's checks name that mistake
        where = f"{view.__name__}.{method}: query_schema {schema.__name__}"
        paginator = paginator_of(schema)
        ordering = paginator.declared_order if isinstance(paginator, OrderedPaginator) else ()
        for name in dict.fromkeys(field.name for field in ordering):
            if name not in table.c:
                yield f"{where}: order_by field {name!r} is not a column of table {table.name!r}"
        search_fields = search_fields_of(schema)
        for name in search_fields:
            if name not in table.c:
                yield f"{where}: search field {name!r} is not a column of table {table.name!r}"
        reserved = {*(paginator.keys if paginator else ()), *(SEARCH_KEY for _ in search_fields)}
        for field in dataclasses.fields(schema):
            name = field.name
            if name in reserved or name in table.c or hasattr(view, f"filter_{name}"):
                continue
            yield (
                f"{where}: filter field {name!r} is not a column of table {table.name!r} "
                f"(nor has the view a filter_{name} method)"
            )
