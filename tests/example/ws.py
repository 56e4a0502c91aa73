"""The example's websocket endpoint: RPC with subscribe, unsubscribe and publish."""

from __future__ import annotations

from aiohttp import web
from openapi.ws import ChannelEvent, Publish, PubSubChannel, Subscribe, WsPath

from .models import Task

ws_routes = web.RouteTableDef()

TASKS = PubSubChannel(
    "tasks",
    events={
        "created": ChannelEvent(Task, "A task was created (POST /tasks)"),
        "updated": ChannelEvent(Task, "A task was changed (PATCH /tasks/{id})"),
    },
    description="Tasks created and changed over HTTP",
)


@ws_routes.view("/stream")
class Stream(WsPath, Subscribe, Publish):
    """Websocket RPC and pub/sub

    Subscribe to the `tasks` channel to hear about tasks created and changed over HTTP;
    publish and subscribe to any other channel between clients.
    ---
    summary: Websocket RPC, pub/sub
    private: true
    """

    # the key in a header, or in the query string for browsers (`/stream?api_key=...`)
    security = [{"apiKey": []}, {"streamKey": []}]
