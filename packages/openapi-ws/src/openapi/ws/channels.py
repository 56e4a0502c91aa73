"""Which local sockets subscribe to which channel and event patterns."""

from __future__ import annotations

from collections.abc import Collection, Iterator
from typing import TYPE_CHECKING

from .patterns import ANY_EVENT, EventPattern, compile_pattern

if TYPE_CHECKING:
    from .connection import Connection


class Channel:
    """The subscriptions of one channel, indexed for fast delivery.

    Subscribers of ``"*"`` and of exact event names are found by lookup; only glob
    patterns such as ``"task.*"`` are matched one by one.
    """

    __slots__ = ("name", "everyone", "exact", "globs")

    def __init__(self, name: str) -> None:
        self.name = name
        self.everyone: set[Connection] = set()
        self.exact: dict[str, set[Connection]] = {}
        self.globs: dict[str, tuple[EventPattern, set[Connection]]] = {}

    def __bool__(self) -> bool:
        return bool(self.everyone or self.exact or self.globs)

    def add(self, pattern: str, connection: Connection) -> None:
        if pattern == ANY_EVENT:
            self.everyone.add(connection)
        elif "*" in pattern:
            entry = self.globs.get(pattern)
            if entry is None:
                entry = self.globs[pattern] = (compile_pattern(pattern), set())
            entry[1].add(connection)
        else:
            self.exact.setdefault(pattern, set()).add(connection)

    def discard(self, pattern: str, connection: Connection) -> None:
        if pattern == ANY_EVENT:
            self.everyone.discard(connection)
        elif "*" in pattern:
            entry = self.globs.get(pattern)
            if entry is not None:
                entry[1].discard(connection)
                if not entry[1]:
                    del self.globs[pattern]
        else:
            subscribers = self.exact.get(pattern)
            if subscribers is not None:
                subscribers.discard(connection)
                if not subscribers:
                    del self.exact[pattern]

    def targets(self, event: str) -> Collection[Connection]:
        """Every socket with at least one pattern matching ``event``, each once."""
        groups = [self.everyone] if self.everyone else []
        exact = self.exact.get(event)
        if exact:
            groups.append(exact)
        for pattern, subscribers in self.globs.values():
            if pattern.match(event):
                groups.append(subscribers)
        if len(groups) == 1:
            return groups[0]
        return set().union(*groups)

    def info(self) -> dict[str, int]:
        """Number of subscribed sockets by event pattern."""
        info: dict[str, int] = {}
        if self.everyone:
            info[ANY_EVENT] = len(self.everyone)
        for event, subscribers in self.exact.items():
            info[event] = len(subscribers)
        for pattern, (_, subscribers) in self.globs.items():
            info[pattern] = len(subscribers)
        return info


class Channels:
    """The channels with at least one subscriber in this process."""

    def __init__(self) -> None:
        self._channels: dict[str, Channel] = {}

    def __len__(self) -> int:
        return len(self._channels)

    def __contains__(self, name: object) -> bool:
        return name in self._channels

    def __iter__(self) -> Iterator[Channel]:
        return iter(self._channels.values())

    def get(self, name: str) -> Channel | None:
        return self._channels.get(name)

    def add(self, name: str, pattern: str, connection: Connection) -> None:
        channel = self._channels.get(name)
        if channel is None:
            channel = self._channels[name] = Channel(name)
        channel.add(pattern, connection)

    def discard(self, name: str, pattern: str, connection: Connection) -> None:
        channel = self._channels.get(name)
        if channel is not None:
            channel.discard(pattern, connection)
            if not channel:
                del self._channels[name]

    def targets(self, name: str, event: str) -> Collection[Connection]:
        channel = self._channels.get(name)
        return channel.targets(event) if channel is not None else ()

    def clear(self) -> None:
        self._channels.clear()

    def info(self) -> dict[str, dict[str, int]]:
        return {channel.name: channel.info() for channel in self}
