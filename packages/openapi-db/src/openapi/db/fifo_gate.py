"""First come, first served access to the pool's connections."""

from __future__ import annotations

import asyncio
import contextlib
from collections import deque

__all__ = ["FifoGate"]


class FifoGate:
    """``size`` slots handed out in arrival order.

    asyncpg's pool lets a request that arrives just as a connection is released take it
    ahead of requests already waiting, so under load a few requests wait very long (p99 far
    above p50). In front of the pool, this gate hands each released slot to the oldest
    waiter instead.
    """

    def __init__(self, size: int) -> None:
        self._free = size
        self._waiters: deque[asyncio.Future[None]] = deque()

    @property
    def waiting(self) -> int:
        """How many acquirers wait for a slot."""
        return len(self._waiters)

    def try_take(self) -> bool:
        """Take a slot without waiting, if one is free and nobody is queued before us."""
        if self._free and not self._waiters:
            self._free -= 1
            return True
        return False

    async def take(self) -> None:
        """Wait for a slot, behind every earlier waiter."""
        if self.try_take():
            return
        waiter: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiters.append(waiter)
        try:
            await waiter
        except BaseException:
            if waiter.done() and not waiter.cancelled():
                # handed a slot just as we gave up (timeout, cancel): pass it on
                self.release()
            else:
                # gave up while queued: leave the queue (rare, so O(n) is fine here);
                # a release may already have popped and skipped it
                with contextlib.suppress(ValueError):
                    self._waiters.remove(waiter)
            raise

    def release(self) -> None:
        """Give a slot back: to the oldest waiter still waiting, else to the free count."""
        while self._waiters:
            waiter = self._waiters.popleft()
            if not waiter.done():
                waiter.set_result(None)
                return
        self._free += 1
