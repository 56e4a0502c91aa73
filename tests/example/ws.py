"""The example's websocket endpoint: RPC with subscribe, unsubscribe and publish."""

from __future__ import annotations

from aiohttp import web
from openapi.ws import Publish, Subscribe, WsPath

ws_routes = web.RouteTableDef()


@ws_routes.view("/stream")
class Stream(WsPath, Subscribe, Publish):
    """
    ---
    summary: Websocket RPC, pub/sub
    private: true
    """

    # the key in a header, or in the query string for browsers (`/stream?api_key=...`)
    security = [{"apiKey": []}, {"streamKey": []}]
