"""The route template of a request (``/tasks/{id}``, never ``/tasks/7``): a bounded label."""

from __future__ import annotations

from aiohttp import web

#: the template of requests that matched no route (404, 405)
UNMATCHED_ROUTE = "<unmatched>"


def route_template(request: web.Request) -> str:
    """The path template of the route serving ``request``, with any mount prefix."""
    resource = request.match_info.route.resource
    if resource is None:
        return UNMATCHED_ROUTE
    return resource.canonical
