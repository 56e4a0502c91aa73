"""Responses with a JSON body, built with the least work per request."""

from __future__ import annotations

from collections.abc import Mapping

from aiohttp import web
from multidict import CIMultiDict

from .middleware import JSON_CONTENT_TYPE

__all__ = ["json_body_response"]


def json_body_response(
    body: bytes, status: int = 200, headers: Mapping[str, str] | None = None
) -> web.Response:
    """A response of JSON ``body`` bytes, with the headers aiohttp's ``content_type=``
    gives (``Content-Type: application/json`` after ``headers``), built without parsing
    a content type on every request."""
    if headers and any(name.lower() == "content-type" for name in headers):
        # both a Content-Type header and a JSON body: aiohttp's own answer (refused)
        return web.Response(
            body=body, status=status, headers=headers, content_type=JSON_CONTENT_TYPE
        )
    all_headers: CIMultiDict[str] = CIMultiDict(headers or ())
    all_headers["Content-Type"] = JSON_CONTENT_TYPE
    return web.Response(body=body, status=status, headers=all_headers)
