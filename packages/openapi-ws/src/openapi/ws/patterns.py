"""Event patterns: an event name where ``*`` matches any run of characters."""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache

ANY_EVENT = "*"


class EventPattern:
    """A compiled event pattern.

    ``*`` matches any sequence of characters (including none); every other character
    matches itself. ``"*"`` matches every event, ``"task.*"`` matches ``"task.created"``.
    """

    __slots__ = ("pattern", "is_glob", "_match")

    def __init__(self, pattern: str) -> None:
        self.pattern = pattern
        self.is_glob = "*" in pattern
        self._match: Callable[[str], object]
        if pattern == ANY_EVENT:
            self._match = _always
        elif self.is_glob:
            regex = ".*".join(re.escape(part) for part in pattern.split("*"))
            self._match = re.compile(regex, re.DOTALL).fullmatch
        else:
            self._match = pattern.__eq__

    def match(self, event: str) -> bool:
        """True when ``event`` matches this pattern."""
        return bool(self._match(event))

    def __repr__(self) -> str:
        return f"EventPattern({self.pattern!r})"


def _always(event: str) -> bool:
    return True


@lru_cache(maxsize=1024)
def compile_pattern(pattern: str) -> EventPattern:
    """Compile ``pattern`` once; repeated subscriptions share the compiled object."""
    return EventPattern(pattern)
