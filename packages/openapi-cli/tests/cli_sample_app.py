"""Small applications the openapi-cli tests serve (imported as ``cli_sample_app``)."""

from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import AsyncIterator

import click
from aiohttp import web
from openapi.cli import OpenApiClient, rest
from openapi.spec import ApiPath, op, setup

logger = logging.getLogger("cli_sample_app")


async def pid(request: web.Request) -> web.Response:
    return web.json_response({"pid": os.getpid()})


async def slow(request: web.Request) -> web.Response:
    logger.warning("slow request started")
    await asyncio.sleep(float(request.query.get("seconds", "1")))
    return web.json_response({"slow": "done"})


async def boom(request: web.Request) -> web.Response:
    raise RuntimeError(f"boom {request.match_info['name']}")


async def teapot(request: web.Request) -> web.Response:
    raise web.HTTPBadRequest(text="bad request from the sample app")


SOCKETS = web.AppKey("sockets", set[web.WebSocketResponse])


async def websocket(request: web.Request) -> web.WebSocketResponse:
    ws = web.WebSocketResponse()
    await ws.prepare(request)
    request.app[SOCKETS].add(ws)
    try:
        await ws.send_str("hello")
        async for _ in ws:
            pass
    finally:
        request.app[SOCKETS].discard(ws)
    return ws


async def close_websockets(app: web.Application) -> None:
    # what openapi.ws does: websockets close when the server shuts down
    for ws in list(app[SOCKETS]):
        await ws.close(code=1001, message=b"server shutdown")


class ItemView(web.View):
    async def get(self) -> web.Response:
        return web.json_response({"id": self.request.match_info["id"]})

    async def delete(self) -> web.Response:
        return web.Response(status=204)


async def on_shutdown(app: web.Application) -> None:
    logger.warning("sample app on_shutdown")


async def on_cleanup(app: web.Application) -> None:
    logger.warning("sample app on_cleanup")


def add_routes(app: web.Application) -> None:
    app.router.add_get("/pid", pid)
    app.router.add_get("/slow", slow)
    app.router.add_get("/boom/{name}", boom)
    app.router.add_get("/bad", teapot)
    app.router.add_view("/items/{id}", ItemView)
    app.router.add_get("/ws", websocket)
    app[SOCKETS] = set()
    app.on_shutdown.append(close_websockets)
    app.on_shutdown.append(on_shutdown)
    app.on_cleanup.append(on_cleanup)


def plain_app() -> web.Application:
    """A plain aiohttp application, no OpenAPI."""
    app = web.Application()
    add_routes(app)
    return app


def failing_app() -> web.Application:
    """An application whose start-up fails (a database that cannot be reached)."""

    async def pool(app: web.Application) -> AsyncIterator[None]:
        logger.warning("sample pool opened")
        yield
        logger.warning("sample pool closed")

    async def fail(app: web.Application) -> None:
        raise ConnectionRefusedError("the database is not there")

    app = plain_app()
    app.cleanup_ctx.append(pool)
    app.on_startup.append(fail)
    return app


#: an application instance, not a factory
app_instance = plain_app()
not_an_app = 42


async def async_factory() -> web.Application:
    return plain_app()


@click.command("hello")
@click.pass_context
def hello(ctx: click.Context) -> None:
    """Say hello with the client's title."""
    click.echo(f"Hello from {ctx.obj.version_info()[0]}!")


# --- an OpenAPI application built with rest() ------------------------------------------


class ThingsPath(ApiPath):
    """
    ---
    summary: Things
    tags:
        - name: Thing
          description: Things of the sample application
    """

    async def get(self) -> web.Response:
        """
        ---
        summary: List things
        operationId: listThings
        responses:
            200:
                description: The things
        """
        return self.json_response([{"name": "one"}])

    async def post(self) -> web.Response:
        """
        ---
        summary: Create a thing
        responses:
            201:
                description: Created
        """
        return self.json_response({"name": "new"}, status=201)


class CrashPath(ApiPath):
    """
    ---
    summary: Crashes
    tags:
        - name: Thing
    """

    @op()
    async def get(self) -> web.Response:
        """
        ---
        summary: Always a server error
        operationId: crash
        responses:
            200:
                description: Never
        """
        raise RuntimeError(f"crash {self.request.match_info['name']}")


def setup_openapi_app(app: web.Application) -> None:
    add_routes(app)
    app.router.add_view("/things", ThingsPath)
    app.router.add_view("/crash/{name}", CrashPath)


def create_cli(**kwargs: object) -> OpenApiClient:
    """The sample application's command line, as an application's main module writes it."""
    options: dict[str, object] = {
        "openapi": {"title": "Sample", "version": "1.2.3", "description": "A sample"},
        "setup_app": setup_openapi_app,
        "commands": [hello],
    }
    options.update(kwargs)
    return rest(**options)  # type: ignore[arg-type]


def documented_app() -> web.Application:
    """An aiohttp application set up with openapi.spec directly, without rest()."""
    app = web.Application()
    setup(app, title="Documented", version="9.9")
    setup_openapi_app(app)
    return app


def create_cli_v1() -> OpenApiClient:
    return create_cli(base_path="/v1")


def web_v1() -> web.Application:
    """A factory returning the application rest() builds rather than the group."""
    return create_cli_v1().web()


cli = create_cli()


if __name__ == "__main__":
    create_cli().main()


#: the sample with what an operator needs: probes, metrics and request ids
production_cli = create_cli(health=True, metrics=True, request_id=True)
