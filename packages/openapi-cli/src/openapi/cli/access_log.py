"""The access log: one record per answered request, with its route, status and duration."""

from __future__ import annotations

import logging

from aiohttp.abc import AbstractAccessLogger
from aiohttp.web import BaseRequest, Request, StreamResponse
from openapi.spec.request_id import REQUEST_ID_HEADER
from openapi.spec.route_template import route_template


class AccessLogger(AbstractAccessLogger):
    """``client "METHOD /path HTTP/1.1" status size duration "user agent"``.

    The record carries ``route`` (the route template), ``status``, ``duration`` (seconds)
    and ``request_id`` as attributes, which the JSON log format writes as members.
    """

    def log(self, request: BaseRequest, response: StreamResponse, time: float) -> None:
        route = route_template(request) if isinstance(request, Request) else None
        self.logger.info(
            '%s "%s %s HTTP/%d.%d" %d %d %.6fs "%s"',
            request.remote or "-",
            request.method,
            request.path_qs,
            request.version.major,
            request.version.minor,
            response.status,
            response.body_length,
            time,
            request.headers.get("User-Agent", "-"),
            extra={
                "route": route,
                "status": response.status,
                "duration": round(time, 6),
                "request_id": response.headers.get(REQUEST_ID_HEADER),
            },
        )

    @property
    def enabled(self) -> bool:
        return self.logger.isEnabledFor(logging.INFO)
