"""What a view declares, checked when the application starts.

A mistake (a schema openapi.data cannot handle, a body that is not a dataclass or a list,
a path variable the path schema lacks) stops the application with one message naming the
view, the method and the field, instead of a 500 for the first unlucky request.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterator
from typing import Any

from aiohttp.hdrs import METH_ALL
from openapi.data.json_schema import SchemaRegistry
from openapi.data.validate import validate

from .operation import Operation, operation_of

_TEMPLATE_VARIABLE = re.compile(r"{([^}:]+)(?::[^}]*)?}")
# JSON Schema types of a body json_data() reads
_CONTAINERS = ("object", "array")


def path_variables(path: str) -> list[str]:
    """The variables of a route path: ``/tasks/{id}`` -> ``["id"]``."""
    return _TEMPLATE_VARIABLE.findall(path)


def view_operations(view: type) -> Iterator[tuple[str, Operation]]:
    """``(method, operation)`` for each method of ``view`` decorated with ``@op``."""
    for method in sorted(METH_ALL):
        operation = operation_of(getattr(view, method.lower(), None))
        if operation is not None:
            yield method.lower(), operation


def view_errors(view: type, path: str) -> Iterator[str]:
    """The mistakes in what ``view`` declares for ``path``, one message each."""
    name = view.__name__
    path_schema = getattr(view, "path_schema", None)
    if path_schema is not None:
        problem = _object_problem(path_schema)
        if problem:
            yield f"{name}: path_schema {problem}"
        else:
            declared = {field.name for field in dataclasses.fields(path_schema)}
            for variable in path_variables(path):
                if variable not in declared:
                    yield (
                        f"{name}: path variable {{{variable}}} of {path} has no field in "
                        f"path_schema {path_schema.__name__}"
                    )
    for method, operation in view_operations(view):
        for attribute, problem_of in _CHECKS.items():
            schema = getattr(operation, attribute)
            problem = problem_of(schema) if schema is not None else None
            if problem:
                yield f"{name}.{method}: {attribute} {problem}"


def _unsupported(schema: Any) -> str | None:
    """openapi.data's message when it cannot load or document ``schema``."""
    return _json_schema(schema)[1]


def _json_schema(schema: Any) -> tuple[dict[str, Any], str | None]:
    """``schema``'s JSON Schema, or openapi.data's message when it cannot handle it."""
    try:
        validate(schema, {})
        return SchemaRegistry().schema_of(schema), None
    except (TypeError, ValueError) as exc:
        return {}, f"{_name(schema)}: {exc}"


def _object_problem(schema: Any) -> str | None:
    if not (isinstance(schema, type) and dataclasses.is_dataclass(schema)):
        return f"{_name(schema)} is not a dataclass"
    return _unsupported(schema)


def _body_problem(schema: Any) -> str | None:
    json_schema, problem = _json_schema(schema)
    if problem:
        return problem
    # json_data() reads an object or an array: a body of any other type cannot be sent
    if "$ref" not in json_schema and json_schema.get("type") not in _CONTAINERS:
        return f"{_name(schema)} is not a dataclass or a list of one"
    return None


def _response_problem(schema: Any) -> str | None:
    if isinstance(schema, list):  # [Task] became list[Task]: this is [] or [A, B]
        return f"{_name(schema)} is not a dataclass or a list of one"
    return _unsupported(schema)


def _name(schema: Any) -> str:
    if isinstance(schema, list):
        return f"[{', '.join(_name(item) for item in schema)}]"
    origin, args = getattr(schema, "__origin__", None), getattr(schema, "__args__", None)
    if isinstance(origin, type) and args:
        return f"{origin.__name__}[{', '.join(_name(arg) for arg in args)}]"
    return schema.__name__ if isinstance(schema, type) else repr(schema)


_CHECKS = {
    "body_schema": _body_problem,
    "query_schema": _object_problem,
    "response_schema": _response_problem,
}
