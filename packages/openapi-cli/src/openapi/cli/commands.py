"""The built-in commands: ``serve``, ``spec`` and ``routes``.

Declared with click alone: ``openapi-cli --help`` lists them without importing aiohttp or
openapi.spec. Each command imports the machinery it runs when it runs.
"""

from __future__ import annotations

import json
import logging
import os
import socket
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Protocol, runtime_checkable

import click

from .event_loops import LOOP_CHOICES, LoopUnavailableError, resolve_loop
from .log_records import FORMATTERS
from .logs import set_log_format
from .reloader import is_reloader_child, run_with_reloader

if TYPE_CHECKING:
    from aiohttp import web

logger = logging.getLogger("openapi.cli")

#: prometheus-client's multiprocess directory: set for --workers N when not given
PROMETHEUS_MULTIPROC_DIR = "PROMETHEUS_MULTIPROC_DIR"


@runtime_checkable
class ApplicationGroup(Protocol):
    """What a command needs of the group running it: :class:`~openapi.cli.OpenApiClient`
    (the group module imports these commands, so they know it by its shape)."""

    base_path: str

    def get_app(self) -> web.Application: ...

    def get_serve_app(self) -> web.Application: ...


def get_client(ctx: click.Context) -> ApplicationGroup:
    """The :class:`~openapi.cli.OpenApiClient` running this command (``ctx.obj``)."""
    node: click.Context | None = ctx
    while node is not None:
        if isinstance(node.obj, ApplicationGroup):
            return node.obj
        node = node.parent
    raise click.UsageError("this command runs inside an OpenApiClient (rest()) group")


@click.command("serve")
@click.option(
    "--host",
    default="127.0.0.1",
    envvar="MICRO_SERVICE_HOST",
    show_default=True,
    help="Interface to listen on: 127.0.0.1 is this machine only; 0.0.0.0 is every "
    "interface, as a container needs (env MICRO_SERVICE_HOST).",
)
@click.option(
    "-p",
    "--port",
    default=8080,
    type=click.IntRange(0, 65535),
    envvar="MICRO_SERVICE_PORT",
    show_default=True,
    help="Port to listen on, 0 for any free port (env MICRO_SERVICE_PORT).",
)
@click.option(
    "-w",
    "--workers",
    default=1,
    type=click.IntRange(min=1),
    envvar="WEB_CONCURRENCY",
    show_default=True,
    help="Worker processes sharing the port with SO_REUSEPORT (env WEB_CONCURRENCY).",
)
@click.option(
    "--reload/--no-reload",
    default=False,
    help="Restart the server when a source file changes (development only).",
)
@click.option(
    "--shutdown-timeout",
    default=30.0,
    type=click.FloatRange(min=0),
    show_default=True,
    help="Seconds in-flight requests get to finish after SIGTERM/SIGINT.",
)
@click.option(
    "--drain-delay",
    default=0.0,
    type=click.FloatRange(min=0),
    show_default=True,
    envvar="DRAIN_DELAY",
    help="Seconds /health/ready answers 503 while requests are still served, after "
    "SIGTERM and before the listener closes (env DRAIN_DELAY).",
)
@click.option(
    "--loop",
    type=click.Choice(LOOP_CHOICES),
    default="auto",
    envvar="EVENT_LOOP",
    show_default=True,
    help="Event loop: uvloop, asyncio, or auto (uvloop when installed, the fast extra "
    "installs it) (env EVENT_LOOP).",
)
@click.option(
    "--access-log/--no-access-log",
    default=True,
    help="Log every request at INFO: route, status, duration, request id.",
)
@click.option(
    "--log-format",
    type=click.Choice(sorted(FORMATTERS)),
    default=None,
    help="Log records as text lines or one JSON object per line (env LOG_FORMAT, default text).",
)
@click.pass_context
def serve(
    ctx: click.Context,
    host: str,
    port: int,
    workers: int,
    reload: bool,
    shutdown_timeout: float,
    drain_delay: float,
    loop: str,
    access_log: bool,
    log_format: str | None,
) -> None:
    """Serve the application until SIGTERM or SIGINT, then shut down gracefully."""
    # deferred to the command that runs them: --help imports no aiohttp nor openapi.spec
    from openapi.spec import ConfigurationError, InvalidSpecError
    from openapi.spec.request_id import current_request_id

    from .server import bind_sockets, serve_workers
    from .server import serve as serve_app

    set_log_format(log_format, current_request_id)
    client = get_client(ctx)
    if reload and not is_reloader_child():
        ctx.exit(run_with_reloader())
    if workers > 1 and not hasattr(socket, "SO_REUSEPORT"):
        raise click.UsageError("--workers needs SO_REUSEPORT, which this system lacks")
    try:
        loop = resolve_loop(loop)
    except LoopUnavailableError as exc:
        raise click.UsageError(str(exc)) from exc
    try:
        sockets = bind_sockets(host, port, workers)
    except OSError as exc:
        raise click.ClickException(f"cannot listen on {host}:{port}: {exc}") from exc

    def run(sock: socket.socket, supervisor: int | None = None) -> None:
        try:
            serve_app(
                client.get_serve_app,
                sock,
                shutdown_timeout=shutdown_timeout,
                access_log=access_log,
                parent_pid=supervisor,
                drain_delay=drain_delay,
                loop=loop,
            )
        except (InvalidSpecError, ConfigurationError) as exc:
            # a declaration or configuration mistake: its message says everything, a
            # traceback would not
            logger.error("the application cannot start: %s", exc)
            raise SystemExit(1) from None
        except Exception:
            logger.exception("the server stopped on an error")
            raise SystemExit(1) from None

    if workers == 1:
        with sockets[0]:
            run(sockets[0])
        return
    if os.environ.get(PROMETHEUS_MULTIPROC_DIR):
        code = serve_workers(run, sockets, shutdown_timeout=shutdown_timeout + drain_delay)
    else:
        # every worker writes its metrics here; one scrape sums them (no effect without
        # metrics)
        with tempfile.TemporaryDirectory(prefix="openapi-metrics-") as directory:
            os.environ[PROMETHEUS_MULTIPROC_DIR] = directory
            try:
                code = serve_workers(run, sockets, shutdown_timeout=shutdown_timeout + drain_delay)
            finally:
                del os.environ[PROMETHEUS_MULTIPROC_DIR]
    ctx.exit(code)


@click.command("spec")
@click.option(
    "-f",
    "--format",
    "fmt",
    type=click.Choice(["json", "yaml"]),
    default=None,
    help="Output format (default: from the --output suffix, else json).",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, writable=True, path_type=Path),
    default=None,
    help="Write to this file instead of stdout.",
)
@click.pass_context
def spec(ctx: click.Context, fmt: str | None, output: Path | None) -> None:
    """Print the OpenAPI document, as JSON or YAML."""
    # deferred to the command that runs them: --help imports no PyYAML nor openapi.spec
    import yaml

    from .document import openapi_document

    document = openapi_document(get_client(ctx).get_app())
    if fmt is None:
        suffix = output.suffix.lower() if output else ""
        fmt = "yaml" if suffix in (".yaml", ".yml") else "json"
    if fmt == "yaml":
        text = yaml.safe_dump(document, sort_keys=False, allow_unicode=True)
    else:
        text = json.dumps(document, indent=2, ensure_ascii=False) + "\n"
    if output is None:
        click.echo(text, nl=False)
    else:
        output.write_text(text, encoding="utf-8")
        logger.info("OpenAPI document written to %s", output)


@click.command("routes")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON list instead of a table.")
@click.pass_context
def routes(ctx: click.Context, as_json: bool) -> None:
    """List the routes: path, method and operationId."""
    # deferred to the command that runs them: --help imports no aiohttp nor openapi.spec
    from openapi.spec import SPEC_APP_KEY

    from .document import openapi_document
    from .routes import format_table, route_rows

    client = get_client(ctx)
    app = client.get_app()
    document = openapi_document(app) if app.get(SPEC_APP_KEY) is not None else None
    rows = route_rows(app, document, client.base_path)
    if as_json:
        data = [
            {"path": r.path, "method": r.method, "operationId": r.operation_id, "name": r.name}
            for r in rows
        ]
        click.echo(json.dumps(data, indent=2))
    else:
        click.echo(format_table(rows))
