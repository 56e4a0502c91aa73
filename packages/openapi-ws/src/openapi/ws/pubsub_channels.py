"""Declared pub/sub channels: which events a channel carries and the payload of each.

Declarations document the stream (the AsyncAPI document); they never restrict what
``Sockets.publish`` sends.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any


class ChannelDeclarationError(ValueError):
    """A pub/sub channel declaration is wrong (raised when the application is set up)."""


@dataclass(frozen=True)
class ChannelEvent:
    """One event of a channel: the type of its ``data`` (any openapi.data schema)."""

    payload: Any
    description: str = ""


@dataclass(frozen=True)
class PubSubChannel:
    """A pub/sub channel and the events it carries::

        TASKS = PubSubChannel(
            "tasks",
            events={"created": Task, "updated": ChannelEvent(Task, "A task changed")},
            description="Tasks created and changed over HTTP",
        )
        Sockets(app, channels=[TASKS])

    Subscribers receive ``{"channel": "tasks", "event": "created", "data": <Task>}``.
    An event maps to its payload type, or to a :class:`ChannelEvent` to describe it too.
    """

    name: str
    events: Mapping[str, Any]
    description: str = ""
    event_specs: Mapping[str, ChannelEvent] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not self.name:
            raise ChannelDeclarationError(f"a pub/sub channel needs a name, got {self.name!r}")
        if not self.events:
            raise ChannelDeclarationError(f"pub/sub channel {self.name!r} declares no events")
        specs: dict[str, ChannelEvent] = {}
        for event, spec in self.events.items():
            if not isinstance(event, str):
                raise ChannelDeclarationError(
                    f"pub/sub channel {self.name!r}: event names are strings, got {event!r}"
                )
            specs[event] = spec if isinstance(spec, ChannelEvent) else ChannelEvent(spec)
        object.__setattr__(self, "event_specs", specs)


def channel_table(channels: Iterable[PubSubChannel]) -> dict[str, PubSubChannel]:
    """The declared channels by name; a name declared twice is a declaration error."""
    table: dict[str, PubSubChannel] = {}
    for channel in channels:
        if not isinstance(channel, PubSubChannel):
            raise ChannelDeclarationError(f"expected a PubSubChannel, got {channel!r}")
        if channel.name in table:
            raise ChannelDeclarationError(f"pub/sub channel {channel.name!r} declared twice")
        table[channel.name] = channel
    return table
