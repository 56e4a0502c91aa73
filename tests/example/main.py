"""The example application factory: `openapi-cli --app tests.example.main:create_app serve`."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from aiohttp import web
from openapi.cli import OpenApiClient, rest
from openapi.db import get_db
from openapi.db.commands import db as db_command
from openapi.spec import ApiKey, Cors, secret_equals
from openapi.ws import LocalBroker, PostgresBroker, Sockets

from .endpoints import routes
from .tables import add_tables
from .ws import TASKS, ws_routes

API_KEY = web.AppKey("api_key", str)
API_KEY_HEADER = "X-Api-Key"
#: browsers cannot send headers on a websocket: the stream also takes the key in the query
API_KEY_QUERY = "api_key"
#: the principal of a request carrying the right key
CLIENT = "example-client"
#: comma separated origins whose pages may call the API (with credentials)
CORS_ORIGINS_ENV = "EXAMPLE_CORS_ORIGINS"


async def verify_api_key(request: web.Request, key: str) -> str | None:
    return CLIENT if secret_equals(key, request.app[API_KEY]) else None


def cors_origins() -> list[str]:
    return [o.strip() for o in os.environ.get(CORS_ORIGINS_ENV, "").split(",") if o.strip()]


def create_app(**options: Any) -> OpenApiClient:
    """The example's command line; ``options`` go to ``rest()`` (``health=True``...)."""
    return rest(
        openapi={
            "title": "Tasks API",
            "version": "1.0.0",
            "description": (
                "The aio-openapi example: tasks, events and a websocket stream. Every "
                "operation needs the API key; so does the websocket stream `/stream` (the "
                "`X-Api-Key` header, or `?api_key=` from a browser), documented at `/asyncapi`."
            ),
        },
        security={
            "apiKey": ApiKey(
                API_KEY_HEADER,
                verify=verify_api_key,
                description="The API key: `EXAMPLE_API_KEY` of the server, `secret` by default",
            ),
            "streamKey": ApiKey(
                API_KEY_QUERY,
                "query",
                verify=verify_api_key,
                description="The API key in the query string, for the websocket stream",
            ),
        },
        # every operation needs the header key; the stream takes either (see ws.py)
        default_security=[{"apiKey": []}],
        cors=Cors(origins=cors_origins(), credentials=True) if cors_origins() else None,
        setup_app=setup_app,
        commands=[db_command],
        **options,
    )


def setup_app(app: web.Application) -> None:
    app[API_KEY] = os.environ.get("EXAMPLE_API_KEY", "secret")
    app["migrations_dir"] = str(Path(__file__).parent / "migrations")
    db = get_db(app)
    if db is not None:
        add_tables(db.metadata)
    url = os.environ.get("DATASTORE")
    # pub/sub spans processes through PostgreSQL when there is one
    broker = PostgresBroker(url) if url else LocalBroker()
    app["web_sockets"] = Sockets(app, broker=broker, channels=[TASKS])
    app.router.add_routes(routes)
    app.router.add_routes(ws_routes)


if __name__ == "__main__":
    create_app().main()
