"""The route table of an application: path, method and operationId of each route."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any, NamedTuple

from aiohttp import hdrs, web

#: the methods a class-based view may define, in the order the table lists them
VIEW_METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")


class RouteRow(NamedTuple):
    path: str
    method: str
    operation_id: str | None
    name: str | None


def route_rows(
    app: web.Application, document: Mapping[str, Any] | None = None, prefix: str = ""
) -> list[RouteRow]:
    """One row per path and method of ``app`` (sub-applications included).

    ``document`` (the OpenAPI document) gives the operationIds. ``prefix`` is where ``app``
    is mounted (``base_path``). aiohttp's automatic HEAD companion of a GET route is left out.
    """
    paths = (document or {}).get("paths") or {}
    rows = []
    for path, method, name in _routes(app):
        operation = (paths.get(path) or {}).get(method.lower()) or {}
        operation_id = operation.get("operationId") if isinstance(operation, dict) else None
        rows.append(RouteRow(prefix + path, method, operation_id, name))
    order = {m: i for i, m in enumerate(VIEW_METHODS)}
    return sorted(set(rows), key=lambda r: (r.path, order.get(r.method, len(order)), r.method))


def _routes(app: web.Application) -> Iterator[tuple[str, str, str | None]]:
    for resource in app.router.resources():
        if isinstance(resource, web.PrefixedSubAppResource):
            yield from _routes(resource._app)
            continue
        path = resource.canonical
        get_handlers = {r.handler for r in resource if r.method == hdrs.METH_GET}
        for route in resource:
            handler = route.handler
            if route.method == hdrs.METH_HEAD and handler in get_handlers:
                continue
            if isinstance(handler, type) and issubclass(handler, web.View):
                for method in VIEW_METHODS:
                    if route.method in (hdrs.METH_ANY, method) and hasattr(handler, method.lower()):
                        yield path, method, resource.name
                continue
            yield path, route.method, resource.name


def format_table(rows: list[RouteRow]) -> str:
    """Rows as aligned text columns: PATH, METHOD, OPERATION ID (``-`` when none)."""
    table = [("PATH", "METHOD", "OPERATION ID")]
    table += [(r.path, r.method, r.operation_id or "-") for r in rows]
    widths = [max(len(line[i]) for line in table) for i in range(2)]
    return "\n".join(
        f"{path:<{widths[0]}}  {method:<{widths[1]}}  {op}".rstrip() for path, method, op in table
    )
