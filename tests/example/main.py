"""The example application factory: `openapi-cli --app tests.example.main:create_app serve`."""

from __future__ import annotations

import os
from pathlib import Path

from aiohttp import web
from openapi.cli import OpenApiClient, rest
from openapi.db import get_db
from openapi.db.commands import db as db_command
from openapi.ws import LocalBroker, PostgresBroker, Sockets

from .endpoints import routes
from .tables import add_tables
from .ws import ws_routes

API_KEY_SCHEME = {
    "type": "apiKey",
    "name": "X-Api-Key",
    "in": "header",
    "description": "An API key; the example accepts any value",
}


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
