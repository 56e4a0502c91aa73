"""/asyncapi beside /spec under rest()'s base_path: served there, addresses include it."""

from __future__ import annotations

from typing import Any

from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from openapi.cli import rest
from openapi.ws import Sockets, WsPath
from openapi.ws.asyncapi_http import COMPONENT_JS


class Calls(WsPath):
    """Calls"""

    async def ws_rpc_add(self, payload: Any) -> Any:
        return sum(payload)


def setup_app(app: web.Application) -> None:
    app["web_sockets"] = Sockets(app)
    app.router.add_view("/calls", Calls)


async def test_served_under_base_path() -> None:
    client = rest(
        openapi={"title": "Calc", "version": "2.0.0"}, base_path="/api", setup_app=setup_app
    )
    async with TestClient(TestServer(client.get_serve_app(), host="127.0.0.1")) as http:
        response = await http.get("/api/asyncapi")
        assert response.status == 200
        document = await response.json()
        assert document["info"] == {"title": "Calc", "version": "2.0.0"}
        assert document["channels"]["api_calls"]["address"] == "/api/calls"
        assert (await http.get("/api/spec")).status == 200
        assert (await http.get("/asyncapi")).status == 404
        page = await (await http.get("/api/asyncapi/docs")).text()
        assert '{"url": "../asyncapi"}' in page  # relative: /api/asyncapi
        assert 'src="docs/static/asyncapi-component-' in page
        assert (await http.get(f"/api/asyncapi/docs/static/{COMPONENT_JS}")).status == 200
        async with http.ws_connect("/api/calls") as ws:
            await ws.send_json({"id": 1, "method": "add", "payload": [1, 2]})
            assert (await ws.receive_json())["result"] == 3
    # the document a command prints (the app built, not mounted) gives the same addresses
    built = client.get_app()["web_sockets"].asyncapi.document()
    assert built["channels"] == document["channels"]
