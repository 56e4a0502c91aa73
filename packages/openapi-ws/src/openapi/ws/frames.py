"""Websocket text frames built once and written as is to every subscriber."""

from __future__ import annotations

import struct

_FIN_TEXT = 0x81
_HEADER_16 = struct.Struct("!BBH")
_HEADER_64 = struct.Struct("!BBQ")


def text_frame(payload: bytes) -> bytes:
    """An unmasked, uncompressed, final text frame carrying ``payload`` (RFC 6455 5.2).

    A server never masks, so the same bytes are valid on every connection that did
    not negotiate compression: a message fanned out to many sockets is framed once.
    """
    size = len(payload)
    if size < 126:
        return bytes((_FIN_TEXT, size)) + payload
    if size < 65536:
        return _HEADER_16.pack(_FIN_TEXT, 126, size) + payload
    return _HEADER_64.pack(_FIN_TEXT, 127, size) + payload
