"""The websocket application of the tests: built in-process or served by a subprocess.

``python ws_app_server.py --port PORT --dsn URL`` serves it on 127.0.0.1 with a
PostgresBroker and prints ``READY`` once it accepts connections.
"""

from __future__ import annotations

import argparse
import asyncio
from dataclasses import dataclass
from typing import Any

from aiohttp import web
from openapi.ws import (
    Broker,
    PostgresBroker,
    Publish,
    RpcError,
    Sockets,
    Subscribe,
    WsPath,
    ws_rpc,
)


@dataclass
class Echo:
    message: str
    times: int = 1


@dataclass
class Notify:
    channel: str
    event: str
    data: Any = None


class Stream(WsPath, Subscribe, Publish):
    @ws_rpc(body_schema=Echo, response_schema=Echo)
    async def ws_rpc_echo(self, payload: dict[str, Any]) -> dict[str, Any]:
        times = payload.get("times", 1)
        return {"message": payload["message"] * times, "times": times, "hidden": "dropped"}

    async def ws_rpc_raw(self, payload: Any) -> Any:
        return payload

    async def ws_rpc_server_info(self, payload: Any) -> Any:
        return self.sockets.server_info()

    async def ws_rpc_refuse(self, payload: Any) -> Any:
        raise RpcError("Refused", [{"field": "reason", "message": "because"}])

    async def ws_rpc_crash(self, payload: Any) -> Any:
        raise RuntimeError("boom")

    async def ws_rpc_unserializable(self, payload: Any) -> Any:
        return object()

    async def ws_rpc_sleep(self, payload: Any) -> Any:
        await asyncio.sleep(float(payload.get("seconds", 0)))
        return "slept"

    @ws_rpc()
    async def ping(self, payload: Any) -> str:
        """A decorated method without the ws_rpc_ prefix answers by its own name."""
        return "pong"

    async def ws_rpc_subscribe(self, payload: dict[str, Any]) -> dict[str, Any]:
        """Overridden without the decorator: the payload schema is kept."""
        assert isinstance(payload.get("channel"), str)
        return await super().ws_rpc_subscribe(payload)

    @ws_rpc(body_schema=Notify)
    async def ws_rpc_notify(self, payload: dict[str, Any]) -> str:
        """Server-side publish, as an application does."""
        await self.sockets.publish(payload["channel"], payload["event"], payload.get("data"))
        return "sent"


def create_app(broker: Broker | None = None, **options: Any) -> web.Application:
    app = web.Application()
    app["web_sockets"] = Sockets(app, broker, **options)
    app.router.add_view("/stream", Stream)
    return app


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--dsn", required=True)
    parser.add_argument("--application-name", default="openapi-ws-broker")
    args = parser.parse_args()
    broker = PostgresBroker(
        args.dsn, application_name=args.application_name, min_backoff=0.05, max_backoff=0.5
    )
    app = create_app(broker)
    web.run_app(
        app,
        host="127.0.0.1",
        port=args.port,
        print=lambda *_: print("READY", flush=True),
        access_log=None,
    )


if __name__ == "__main__":
    main()
