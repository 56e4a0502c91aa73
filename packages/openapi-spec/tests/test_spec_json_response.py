"""json_body_response: the headers aiohttp's content_type= gives, with less work."""

from __future__ import annotations

import pytest
from aiohttp import web
from openapi.spec import json_body_response


def test_the_headers_match_aiohttps_content_type() -> None:
    extra = {"X-Total-Count": "3", "Link": '</tasks?offset=2>; rel="next"'}
    ours = json_body_response(b"[]", 200, extra)
    theirs = web.Response(body=b"[]", status=200, headers=extra, content_type="application/json")
    assert list(ours.headers.items()) == list(theirs.headers.items())
    assert (ours.content_type, ours.charset, ours.body) == ("application/json", None, b"[]")
    assert json_body_response(b"{}", 201).status == 201


def test_a_content_type_header_is_refused_as_aiohttp_does() -> None:
    with pytest.raises(ValueError):
        json_body_response(b"[]", 200, {"content-type": "text/plain"})
