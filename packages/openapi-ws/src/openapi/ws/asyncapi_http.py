"""``GET /asyncapi`` (JSON, or YAML on request) and its offline docs page."""

from __future__ import annotations

import html
import json
import posixpath
from pathlib import Path
from typing import Any

from aiohttp import web
from openapi.data.json import dumps

from .asyncapi import AsyncApiRenderer

try:  # YAML is an option (extra "yaml"): JSON needs nothing more
    import yaml
except ImportError:  # pragma: no cover - the test environment installs it
    yaml = None  # type: ignore[assignment]

PAGE_DIR = Path(__file__).parent / "asyncapi_page"
PAGE_ASSETS = frozenset(("asyncapi.js", "asyncapi.css"))
YAML_TYPES = ("application/yaml", "application/x-yaml", "text/yaml", "text/x-yaml")
YAML_CONTENT_TYPE = "application/yaml"
FORMATS = ("json", "yaml")
NO_YAML_MESSAGE = "YAML needs PyYAML: install aio-openapi-ws[yaml]"


class AsyncApiRoutes:
    """Serves the AsyncAPI document at ``path`` and its docs page at ``docs_path``.

    ``?format=yaml`` or an ``Accept`` header naming YAML (``application/yaml``) gets YAML;
    otherwise JSON. Page assets are under ``docs_path/static/``.
    """

    def __init__(self, renderer: AsyncApiRenderer, path: str, docs_path: str | None) -> None:
        self.renderer = renderer
        self.path = path
        self.docs_path = None if docs_path is None else (docs_path.rstrip("/") or "/")
        self._yaml: bytes | None = None
        self._html: bytes | None = None

    def install(self, app: web.Application) -> None:
        app.router.add_get(self.path, self.handle, name="asyncapi")
        if self.docs_path is not None:
            app.router.add_get(self.docs_path, self.page, name="asyncapi_docs")
            app.router.add_get(
                self.docs_path.rstrip("/") + "/static/{name}",
                self.asset,
                name="asyncapi_docs_static",
            )

    # the document

    def wants_yaml(self, request: web.Request) -> bool | None:
        """True for YAML, False for JSON, None for a format that does not exist."""
        fmt = request.query.get("format")
        if fmt is not None:
            return None if fmt not in FORMATS else fmt == "yaml"
        return prefers_yaml(request.headers.get("Accept", ""))

    def yaml_bytes(self) -> bytes:
        if self._yaml is None:
            # through JSON: YAML gets plain lists, dicts and scalars only
            document = json.loads(self.renderer.json_bytes())
            self._yaml = yaml.safe_dump(document, sort_keys=False, allow_unicode=True).encode()
        return self._yaml

    async def handle(self, request: web.Request) -> web.StreamResponse:
        unknown = sorted(set(request.query) - {"format"})
        if unknown:
            return error_response(
                422, "Invalid query", [{"field": key, "message": "unknown"} for key in unknown]
            )
        as_yaml = self.wants_yaml(request)
        if as_yaml is None:
            return error_response(
                422, "Invalid query", [{"field": "format", "message": "json or yaml"}]
            )
        if as_yaml:
            if yaml is None:
                return error_response(501, NO_YAML_MESSAGE)
            return web.Response(
                body=self.yaml_bytes(), content_type=YAML_CONTENT_TYPE, charset="utf-8"
            )
        return web.Response(body=self.renderer.json_bytes(), content_type="application/json")

    # the docs page: a small page of our own, no CDN, no framework

    def html(self) -> bytes:
        if self._html is None:
            assert self.docs_path is not None
            title = html.escape(f"{self.renderer.info()['title']} - websocket API")
            static = relative_url(self.docs_path, self.docs_path.rstrip("/") + "/static")
            document = html.escape(relative_url(self.docs_path, self.path))
            self._html = f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="{static}/asyncapi.css">
</head>
<body>
<main id="asyncapi" data-document="{document}"><p class="loading">Loading…</p></main>
<script src="{static}/asyncapi.js"></script>
</body>
</html>
""".encode()
        return self._html

    async def page(self, request: web.Request) -> web.StreamResponse:
        return web.Response(body=self.html(), content_type="text/html", charset="utf-8")

    async def asset(self, request: web.Request) -> web.StreamResponse:
        name = request.match_info["name"]
        if name not in PAGE_ASSETS:
            return error_response(404, "Not Found")
        return web.FileResponse(PAGE_DIR / name, headers={"Cache-Control": "public, max-age=3600"})


def prefers_yaml(accept: str) -> bool:
    """Whether an ``Accept`` header ranks a YAML type above JSON (RFC 9110 quality values)."""
    yaml_q = json_q = 0.0
    for item in accept.split(","):
        kind, *params = (part.strip() for part in item.split(";"))
        q = 1.0
        for param in params:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        kind = kind.lower()
        if kind in YAML_TYPES:
            yaml_q = max(yaml_q, q)
        elif kind in ("application/json", "application/*", "*/*"):
            json_q = max(json_q, q)
    return yaml_q > 0 and yaml_q > json_q


def relative_url(page: str, target: str) -> str:
    """``target`` relative to ``page``, so the page works when a proxy mounts it deeper."""
    directory = posixpath.relpath(posixpath.dirname(target), posixpath.dirname(page))
    return posixpath.join(directory, posixpath.basename(target))


def error_response(
    status: int, message: str, errors: list[dict[str, Any]] | None = None
) -> web.Response:
    return web.json_response(
        {"message": message, "errors": list(errors or ())}, status=status, dumps=dumps
    )
