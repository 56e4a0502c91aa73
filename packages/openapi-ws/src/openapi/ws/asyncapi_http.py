"""``GET /asyncapi`` (JSON, or YAML on request) and its offline docs page."""

from __future__ import annotations

import gzip
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
# the AsyncAPI web component (@asyncapi/react-component), vendored gzipped: see PAGE_DIR/README.md
COMPONENT_VERSION = "3.2.1"
COMPONENT_JS = f"asyncapi-component-{COMPONENT_VERSION}.js"
COMPONENT_CSS = f"asyncapi-component-{COMPONENT_VERSION}.css"
# URL name -> (file in PAGE_DIR, content type); versioned names, so cached for a year
PAGE_ASSETS = {
    COMPONENT_JS: ("asyncapi-component.js.gz", "application/javascript"),
    COMPONENT_CSS: ("asyncapi-component.css.gz", "text/css"),
}
ASSET_CACHE = "public, max-age=31536000, immutable"
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
        self._assets: dict[str, bytes] = {}

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

    # the docs page: the official AsyncAPI web component, served from the package

    def html(self) -> bytes:
        if self._html is None:
            assert self.docs_path is not None
            title = html.escape(f"{self.renderer.info()['title']} - websocket API")
            static = relative_url(self.docs_path, self.docs_path.rstrip("/") + "/static")
            document = relative_url(self.docs_path, self.path)
            # the props the component renders: json in a script, "</" escaped
            props = json.dumps(
                {"schema": {"url": document}, "config": {"show": {"sidebar": True}}}
            ).replace("</", "<\\/")
            self._html = f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="{static}/{COMPONENT_CSS}">
</head>
<body>
<div id="asyncapi"></div>
<script src="{static}/{COMPONENT_JS}"></script>
<script>AsyncApiStandalone.render({props}, document.getElementById("asyncapi"));</script>
</body>
</html>
""".encode()
        return self._html

    async def page(self, request: web.Request) -> web.StreamResponse:
        return web.Response(body=self.html(), content_type="text/html", charset="utf-8")

    async def asset(self, request: web.Request) -> web.StreamResponse:
        """A vendored asset, gzipped as stored; decompressed for a client refusing gzip."""
        name = request.match_info["name"]
        if name not in PAGE_ASSETS:
            return error_response(404, "Not Found")
        filename, content_type = PAGE_ASSETS[name]
        if filename not in self._assets:
            self._assets[filename] = (PAGE_DIR / filename).read_bytes()
        body = self._assets[filename]
        headers = {"Cache-Control": ASSET_CACHE, "Vary": "Accept-Encoding"}
        if accepts_gzip(request.headers.get("Accept-Encoding", "")):
            headers["Content-Encoding"] = "gzip"
        else:
            body = gzip.decompress(body)
        return web.Response(body=body, content_type=content_type, headers=headers)


def accepts_gzip(accept_encoding: str) -> bool:
    """Whether an ``Accept-Encoding`` header allows gzip (``gzip`` or ``*``, q above 0)."""
    allowed: dict[str, bool] = {}
    for item in accept_encoding.split(","):
        coding, *params = (part.strip() for part in item.split(";"))
        q = 1.0
        for param in params:
            key, _, value = param.partition("=")
            if key.strip().lower() == "q":
                q = quality(value)
        allowed[coding.lower()] = q > 0
    return allowed.get("gzip", allowed.get("x-gzip", allowed.get("*", False)))


def quality(value: str) -> float:
    """An RFC 9110 quality value; a malformed one counts as 0."""
    try:
        return float(value)
    except ValueError:
        return 0.0


def prefers_yaml(accept: str) -> bool:
    """Whether an ``Accept`` header ranks a YAML type above JSON (RFC 9110 quality values)."""
    yaml_q = json_q = 0.0
    for item in accept.split(","):
        kind, *params = (part.strip() for part in item.split(";"))
        q = 1.0
        for param in params:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                q = quality(value)
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
