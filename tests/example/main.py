"""The example application factory: `openapi-cli --app tests.example.main:create_app serve`."""

from __future__ import annotations

import hmac
import os
from pathlib import Path

from aiohttp import web
from aiohttp.typedefs import Handler
from openapi.cli import OpenApiClient, rest
from openapi.db import get_db
from openapi.db.commands import db as db_command
from openapi.spec import ApiError
from openapi.ws import LocalBroker, PostgresBroker, Sockets

from .endpoints import routes
from .tables import add_tables
from .ws import ws_routes

API_KEY = web.AppKey("api_key", str)
API_KEY_HEADER = "X-Api-Key"
API_KEY_SCHEME = {
    "type": "apiKey",
    "name": API_KEY_HEADER,
    "in": "header",
    "description": "The API key: `EXAMPLE_API_KEY` of the server, `secret` by default",
}
# the documents and the websocket stream stay open; every documented operation needs the key
OPEN_PATHS = ("/spec", "/docs", "/stream")


@web.middleware
async def require_api_key(request: web.Request, handler: Handler) -> web.StreamResponse:
    if not request.path.startswith(OPEN_PATHS):
        expected = request.app[API_KEY]
        given = request.headers.get(API_KEY_HEADER, "")
        if not hmac.compare_digest(given.encode(), expected.encode()):
            raise ApiError("Missing or invalid API key", status=401)
    return await handler(request)


def create_app() -> OpenApiClient:
    return rest(
        openapi={
            "title": "Tasks API",
            "version": "1.0.0",
            "description": "The aio-openapi example: tasks, events and a websocket stream",
        },
        security={"apiKey": API_KEY_SCHEME},
        setup_app=setup_app,
        commands=[db_command],
    )


def setup_app(app: web.Application) -> None:
    app[API_KEY] = os.environ.get("EXAMPLE_API_KEY", "secret")
    app.middlewares.append(require_api_key)
    app["migrations_dir"] = str(Path(__file__).parent / "migrations")
    db = get_db(app)
    if db is not None:
        add_tables(db.metadata)
    url = os.environ.get("DATASTORE")
    # pub/sub spans processes through PostgreSQL when there is one
    broker = PostgresBroker(url) if url else LocalBroker()
    app["web_sockets"] = Sockets(app, broker=broker)
    app.router.add_routes(routes)
    app.router.add_routes(ws_routes)


if __name__ == "__main__":
    create_app().main()
