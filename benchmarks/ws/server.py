"""One server process of the fan-out benchmark: ``python server.py --port P --dsn URL``."""

from __future__ import annotations

import argparse

from aiohttp import web
from openapi.ws import PostgresBroker, Publish, Sockets, Subscribe, WsPath


class Stream(WsPath, Subscribe, Publish):
    pass


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--dsn", required=True)
    args = parser.parse_args()
    app = web.Application()
    Sockets(app, PostgresBroker(args.dsn), heartbeat=None, max_send_buffer=64 * 1024 * 1024)
    app.router.add_view("/stream", Stream)
    web.run_app(
        app,
        host="127.0.0.1",
        port=args.port,
        print=lambda *_: print("READY", flush=True),
        access_log=None,
    )


if __name__ == "__main__":
    main()
