"""Framing of broker messages into PostgreSQL NOTIFY payloads (under 8000 bytes each).

A message travels as one payload ``"m" + body`` when it fits, otherwise as chunks
``"c<message id>:<index>:<count>:" + piece``, sent in one statement (one transaction)
and joined again by :class:`ChunkAssembler` on the listening side. The body is
``["<channel>", "<event>"]`` as JSON, a newline, then the frame sent to subscribers.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

NOTIFY_LIMIT = 7999
"""PostgreSQL refuses NOTIFY payloads of 8000 bytes or more."""

WHOLE = "m"
CHUNK = "c"
_HEADER_ROOM = 64


def encode_payloads(body: str, message_id: str, limit: int = NOTIFY_LIMIT) -> list[str]:
    """The NOTIFY payloads carrying ``body``, each at most ``limit`` bytes in UTF-8."""
    data = body.encode()
    if len(data) + 1 <= limit:
        return [WHOLE + body]
    room = limit - _HEADER_ROOM
    pieces: list[str] = []
    start = 0
    while start < len(data):
        end = min(start + room, len(data))
        # never cut a multi-byte character: back off to its first byte
        while end < len(data) and (data[end] & 0xC0) == 0x80:
            end -= 1
        pieces.append(data[start:end].decode())
        start = end
    count = len(pieces)
    return [f"{CHUNK}{message_id}:{i}:{count}:{piece}" for i, piece in enumerate(pieces)]


@dataclass
class _Partial:
    count: int
    created: float
    parts: dict[int, str] = field(default_factory=dict)
    size: int = 0


class ChunkAssembler:
    """Joins chunked payloads back into bodies.

    Incomplete messages (a chunk lost when the connection dropped) are forgotten after
    ``max_age`` seconds, or sooner when more than ``max_pending`` characters wait.
    """

    def __init__(self, *, max_age: float = 60.0, max_pending: int = 64 * 1024 * 1024) -> None:
        self.max_age = max_age
        self.max_pending = max_pending
        self._partials: dict[str, _Partial] = {}
        self._pending = 0

    def __len__(self) -> int:
        return len(self._partials)

    def clear(self) -> None:
        self._partials.clear()
        self._pending = 0

    def add(self, payload: str) -> str | None:
        """Take one chunk payload; the whole body once its last chunk arrived, else None.

        Raises ValueError for a payload that is not a chunk.
        """
        message_id, index_text, count_text, piece = payload[1:].split(":", 3)
        index, count = int(index_text), int(count_text)
        if not 0 <= index < count:
            raise ValueError("chunk index out of range")
        now = time.monotonic()
        partial = self._partials.get(message_id)
        if partial is None:
            self._expire(now)
            partial = self._partials[message_id] = _Partial(count, now)
        if index in partial.parts or partial.count != count:
            raise ValueError("duplicate or inconsistent chunk")
        partial.parts[index] = piece
        partial.size += len(piece)
        self._pending += len(piece)
        if len(partial.parts) < count:
            self._shrink()
            return None
        del self._partials[message_id]
        self._pending -= partial.size
        return "".join(partial.parts[i] for i in range(count))

    def _expire(self, now: float) -> None:
        # dicts keep insertion order: the oldest partial messages come first
        for message_id, partial in tuple(self._partials.items()):
            if now - partial.created < self.max_age:
                break
            self._drop(message_id)

    def _shrink(self) -> None:
        while self._pending > self.max_pending and self._partials:
            self._drop(next(iter(self._partials)))

    def _drop(self, message_id: str) -> None:
        partial = self._partials.pop(message_id)
        self._pending -= partial.size
