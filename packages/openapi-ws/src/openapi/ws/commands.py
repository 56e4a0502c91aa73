"""The ``asyncapi`` command: print the AsyncAPI document of the application's websockets.

Registered in the ``openapi.cli`` entry-point group (extra ``cli``), so
``openapi-cli --app M:F asyncapi`` finds it without openapi-cli importing openapi.ws;
also usable as ``rest(commands=[asyncapi])``. The application comes from the click
context object: an object with ``get_app()`` (openapi.cli's client), an aiohttp
``Application``, or a dict holding one at ``"app"``. Declared with click alone, so that
``openapi-cli --help`` lists it without importing aiohttp.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

__all__ = ["asyncapi"]


def application(ctx: click.Context) -> Any:
    """The application of the running command line."""
    obj = ctx.find_root().obj if ctx.obj is None else ctx.obj
    if obj is None:
        raise click.UsageError("no application: run asyncapi through the app's CLI")
    if hasattr(obj, "get_app"):
        return obj.get_app()
    if isinstance(obj, dict) and "app" in obj:
        return obj["app"]
    return obj


@click.command("asyncapi")
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
def asyncapi(ctx: click.Context, fmt: str | None, output: Path | None) -> None:
    """Print the AsyncAPI 3.0 document of the websocket API, as JSON or YAML."""
    # deferred to the command that runs them: --help imports no aiohttp nor PyYAML
    import yaml

    from .asyncapi import AsyncApiError
    from .sockets import SOCKETS_KEY, Sockets

    app = application(ctx)
    sockets = app.get(SOCKETS_KEY) if hasattr(app, "get") else None
    if not isinstance(sockets, Sockets):
        raise click.ClickException(
            f'the application has no websockets (app["{SOCKETS_KEY}"] = Sockets(app))'
        )
    try:
        # through JSON: what /asyncapi serves, as plain lists, dicts and scalars
        document = json.loads(sockets.asyncapi.json_bytes())
    except AsyncApiError as exc:
        raise click.ClickException(f"invalid AsyncAPI document: {exc}") from exc
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
