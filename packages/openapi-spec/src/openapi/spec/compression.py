"""``Compression``: response bodies above a size sent gzip- or brotli-encoded.

Only complete bodies (``web.Response``) are compressed: a stream (server-sent events, a
streamed list) is never held back to be compressed. Brotli is used when the client asks
for it and the optional ``brotli`` package (extra ``brotli``) is installed.
"""

from __future__ import annotations

import gzip
from dataclasses import dataclass, field
from types import ModuleType

from aiohttp import hdrs, web
from aiohttp.typedefs import Handler, Middleware

brotli: ModuleType | None
try:
    import brotli  # type: ignore[import-untyped, no-redef]
except ImportError:  # the optional extra: gzip alone
    brotli = None

#: media types never compressed: streams, and content compressed already
UNCOMPRESSED_TYPES = frozenset(
    (
        "text/event-stream",
        "application/gzip",
        "application/x-gzip",
        "application/zip",
        "application/zstd",
        "application/x-brotli",
        "application/pdf",
    )
)
UNCOMPRESSED_PREFIXES = ("image/", "video/", "audio/", "font/woff")


@dataclass(frozen=True)
class Compression:
    """Compress response bodies of at least ``threshold`` bytes; ``level`` is gzip's (1-9),
    brotli's quality is ``brotli_quality`` (0-11). ``brotli=False`` never uses brotli."""

    threshold: int = 1024
    level: int = 6
    brotli: bool = True
    brotli_quality: int = 4
    excluded_types: frozenset[str] = field(default=UNCOMPRESSED_TYPES)

    def middleware(self) -> Middleware:
        @web.middleware
        async def compress(request: web.Request, handler: Handler) -> web.StreamResponse:
            response = await handler(request)
            if isinstance(response, web.Response) and not response.prepared:
                self.encode(request, response)
            return response

        return compress

    def encode(self, request: web.Request, response: web.Response) -> None:
        """Compress ``response``'s body in place when it is worth it and the client accepts."""
        body = response.body
        if not isinstance(body, bytes) or len(body) < self.threshold:
            return
        if hdrs.CONTENT_ENCODING in response.headers or not self.compressible(response):
            return
        accepted = accepted_encodings(request.headers.get(hdrs.ACCEPT_ENCODING, ""))
        response.headers.add(hdrs.VARY, hdrs.ACCEPT_ENCODING)
        if self.brotli and brotli is not None and "br" in accepted:
            response.body = brotli.compress(body, quality=self.brotli_quality)
            response.headers[hdrs.CONTENT_ENCODING] = "br"
        elif "gzip" in accepted:
            response.body = gzip.compress(body, compresslevel=self.level, mtime=0)
            response.headers[hdrs.CONTENT_ENCODING] = "gzip"

    def compressible(self, response: web.Response) -> bool:
        content_type = response.content_type
        return content_type not in self.excluded_types and not content_type.startswith(
            UNCOMPRESSED_PREFIXES
        )


def accepted_encodings(header: str) -> frozenset[str]:
    """The codings an ``Accept-Encoding`` header accepts (``q=0`` refuses one)."""
    accepted = set()
    for item in header.split(","):
        name, _, params = item.strip().partition(";")
        quality = params.strip().removeprefix("q=").strip() if params else "1"
        try:
            if float(quality) <= 0:
                continue
        except ValueError:
            continue
        if name.strip():
            accepted.add(name.strip().lower())
    if "*" in accepted:
        accepted |= {"gzip", "br"}
    return frozenset(accepted)


def compression_of(value: Compression | bool | int) -> Compression | None:
    """``True``: the defaults; an int: that threshold; a :class:`Compression` as it is."""
    if isinstance(value, Compression):
        return value
    if value is True:
        return Compression()
    if value is False:
        return None
    return Compression(threshold=int(value))
