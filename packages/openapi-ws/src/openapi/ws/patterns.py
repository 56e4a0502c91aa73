"""Event patterns: an event name where ``*`` matches any run of characters."""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache

ANY_EVENT = "*"


class EventPattern:
    """A compiled event pattern.

    ``*`` matches any sequence of characters (including none); every other character
    matches itself. ``"*"`` matches every event, ``"task.*"`` matches ``"task.created"``.
    Matching takes linear time whatever the pattern (no regular expression, so a
    client cannot make the server backtrack with ``"*a*a*a*...*b"``).
    """

    __slots__ = ("pattern", "is_glob", "_match")

    def __init__(self, pattern: str) -> None:
        self.pattern = pattern
        self.is_glob = "*" in pattern
        self._match: Callable[[str], bool]
        if pattern == ANY_EVENT:
            self._match = _always
        elif self.is_glob:
            self._match = _glob_matcher(pattern.split("*"))
        else:
            self._match = pattern.__eq__

    def match(self, event: str) -> bool:
        """True when ``event`` matches this pattern."""
        return self._match(event)

    def __repr__(self) -> str:
        return f"EventPattern({self.pattern!r})"


def _always(event: str) -> bool:
    return True


def _glob_matcher(parts: list[str]) -> Callable[[str], bool]:
    # parts between stars: the first is a prefix, the last a suffix, and the others
    # must appear in order in between; the leftmost occurrence of each is always the
    # best choice, so one scan decides
    first, last = parts[0], parts[-1]
    middle = tuple(part for part in parts[1:-1] if part)
    fixed = len(first) + len(last)

    def match(event: str) -> bool:
        if len(event) < fixed or not event.startswith(first) or not event.endswith(last):
            return False
        position, end = len(first), len(event) - len(last)
        for part in middle:
            found = event.find(part, position, end)
            if found < 0:
                return False
            position = found + len(part)
        return True

    return match


@lru_cache(maxsize=1024)
def compile_pattern(pattern: str) -> EventPattern:
    """Compile ``pattern`` once; repeated subscriptions share the compiled object."""
    return EventPattern(pattern)
