"""``UploadFile``: a file sent in a ``multipart/form-data`` body, kept on disk past a size.

The request reader (openapi-spec) writes each file part into a spooled temporary file as
it arrives, so an upload is never held whole in memory; the view reads it back in chunks.
"""

from __future__ import annotations

import tempfile
from collections.abc import AsyncIterator
from typing import IO

__all__ = ["SPOOL_MAX_SIZE", "UploadFile", "safe_filename"]

#: bytes of an upload kept in memory before it rolls over to a temporary file on disk
SPOOL_MAX_SIZE = 1024 * 1024
_CHUNK = 64 * 1024


class UploadFile:
    """One uploaded file: ``filename`` (its last path part, without control characters),
    ``content_type``, ``size`` in bytes and ``file``, a spooled temporary file at offset 0.

    Declare a body field as ``UploadFile`` (or ``list[UploadFile]``); the file is closed,
    and its temporary file removed, when the request is done.
    """

    __slots__ = ("content_type", "file", "filename", "size")

    def __init__(
        self,
        filename: str,
        content_type: str = "application/octet-stream",
        size: int = 0,
        file: IO[bytes] | None = None,
    ) -> None:
        self.filename = filename
        self.content_type = content_type
        self.size = size
        self.file: IO[bytes] = file if file is not None else spooled_file()

    def __repr__(self) -> str:
        return f"UploadFile({self.filename!r}, {self.content_type!r}, size={self.size})"

    def read(self, size: int = -1) -> bytes:
        """Up to ``size`` bytes from the current position (all that is left by default)."""
        return self.file.read(size)

    def seek(self, offset: int) -> None:
        self.file.seek(offset)

    async def chunks(self, size: int = _CHUNK) -> AsyncIterator[bytes]:
        """The content from the start, in chunks of at most ``size`` bytes."""
        self.file.seek(0)
        while chunk := self.file.read(size):
            yield chunk

    def close(self) -> None:
        """Close the file; a temporary file on disk is removed."""
        self.file.close()

    @property
    def closed(self) -> bool:
        return self.file.closed


def spooled_file(max_size: int = SPOOL_MAX_SIZE) -> IO[bytes]:
    """A temporary file kept in memory up to ``max_size`` bytes, on disk beyond."""
    return tempfile.SpooledTemporaryFile(max_size=max_size, mode="w+b")


def safe_filename(name: str) -> str:
    """The last part of a client's file name, without control characters (NUL...): a
    name that could climb out of a folder or cut a C string never reaches the view."""
    last = name.replace("\\", "/").rsplit("/", 1)[-1]
    cleaned = "".join(ch for ch in last if ch.isprintable())
    return "" if cleaned in (".", "..") else cleaned
