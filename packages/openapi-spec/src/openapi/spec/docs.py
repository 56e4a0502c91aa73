"""The offline docs page: Swagger UI 5 assets from the swagger-ui-py package, no CDN."""

from __future__ import annotations

import html
import importlib.util
import json
import posixpath
from pathlib import Path

from aiohttp import web

from .middleware import json_error

# the files of swagger-ui-py's static folder the page needs
ASSETS = frozenset(
    ("swagger-ui.css", "swagger-ui-bundle.js", "favicon-32x32.png", "favicon-16x16.png")
)
MISSING_MESSAGE = "The docs page needs Swagger UI: install aio-openapi-spec[docs]"


def swagger_ui_static() -> Path | None:
    """The static folder of the installed swagger-ui-py package, or None when missing.

    The package is located, never imported (its import pulls in jinja2, unused here).
    """
    try:
        spec = importlib.util.find_spec("swagger_ui")
    except (ImportError, ValueError):
        return None
    if spec is None or not spec.submodule_search_locations:
        return None
    for location in spec.submodule_search_locations:
        static = Path(location) / "static"
        if all((static / name).is_file() for name in ASSETS):
            return static
    return None


class DocsPage:
    """Serves the Swagger UI page at ``path`` and its assets under ``path/static/``."""

    def __init__(self, path: str, spec_path: str, title: str, static_dir: Path | None) -> None:
        # "/docs/" and "/docs" are one page; "/" serves it at the root
        self.path = path.rstrip("/") or "/"
        self.static_prefix = self.path.rstrip("/") + "/static"
        self.spec_path = spec_path
        self.title = title
        self.static_dir = static_dir
        self._html: bytes | None = None

    def install(self, app: web.Application) -> None:
        app.router.add_get(self.path, self.page, name="openapi_docs")
        app.router.add_get(self.static_prefix + "/{name}", self.asset, name="openapi_docs_static")

    def _relative(self, target: str) -> str:
        # relative links keep working when a proxy mounts the app under a prefix
        return posixpath.relpath(target, posixpath.dirname(self.path))

    def html(self) -> bytes:
        if self._html is None:
            static = self._relative(self.static_prefix)
            title = html.escape(self.title)
            config = json.dumps(
                {
                    "url": self._relative(self.spec_path),
                    "dom_id": "#swagger-ui",
                    "deepLinking": True,
                    # no badge from the online validator: the page works offline
                    "validatorUrl": None,
                }
            )
            self._html = f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<link rel="stylesheet" href="{static}/swagger-ui.css">
<link rel="icon" type="image/png" href="{static}/favicon-32x32.png" sizes="32x32">
</head>
<body>
<div id="swagger-ui"></div>
<script src="{static}/swagger-ui-bundle.js"></script>
<script>
window.ui = SwaggerUIBundle(Object.assign({config}, {{
  presets: [SwaggerUIBundle.presets.apis], layout: "BaseLayout",
  requestInterceptor: storeCookieKeys
}}));
// a browser drops the Cookie header a script sets: "Try it out" with an API key in a
// cookie stores it as a cookie of this origin instead, which fetch then sends
function storeCookieKeys(request) {{
  var cookie = request.headers && request.headers.Cookie;
  if (cookie) {{
    cookie.split(";").forEach(function (pair) {{
      document.cookie = pair.trim() + "; path=/; SameSite=Strict";
    }});
    delete request.headers.Cookie;
  }}
  return request;
}}
</script>
</body>
</html>
""".encode()
        return self._html

    async def page(self, request: web.Request) -> web.StreamResponse:
        if self.static_dir is None:
            return json_error(501, MISSING_MESSAGE)
        return web.Response(body=self.html(), content_type="text/html", charset="utf-8")

    async def asset(self, request: web.Request) -> web.StreamResponse:
        name = request.match_info["name"]
        if self.static_dir is None:
            return json_error(501, MISSING_MESSAGE)
        if name not in ASSETS:
            return json_error(404, "Not Found")
        return web.FileResponse(
            self.static_dir / name, headers={"Cache-Control": "public, max-age=86400"}
        )
