"""First come, first served access to the pool's connections."""

from __future__ import annotations

import asyncio
import contextlib
import math
from collections import deque

__all__ = ["FifoGate"]


class _Waiter:
    __slots__ = ("deadline", "future")

    def __init__(self, deadline: float, future: asyncio.Future[None]) -> None:
        self.deadline = deadline
        self.future = future


class FifoGate:
    """``size`` slots handed out in arrival order.

    asyncpg's pool lets a request that arrives just as a connection is released take it
    ahead of requests already waiting, so under load a few requests wait very long (p99 far
    above p50). In front of the pool, this gate hands each released slot to the oldest
    waiter instead.

    A waiter gives up after its ``timeout``. One timer serves the whole queue, set for the
    earliest deadline: a timer per waiter (``asyncio.timeout``) costs every request under
    load a timer handle and a cancellation.
    """

    def __init__(self, size: int) -> None:
        self._free = size
        self._waiters: deque[_Waiter] = deque()
        self._timer: asyncio.TimerHandle | None = None
        self._timer_loop: asyncio.AbstractEventLoop | None = None

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

    async def take(self, timeout: float | None = None) -> None:
        """Wait for a slot, behind every earlier waiter; TimeoutError after ``timeout``
        seconds in the queue."""
        if self.try_take():
            return
        loop = asyncio.get_running_loop()
        waiter = _Waiter(
            math.inf if timeout is None else loop.time() + timeout, loop.create_future()
        )
        self._waiters.append(waiter)
        if waiter.deadline != math.inf and (
            self._timer is None
            or self._timer_loop is not loop
            or waiter.deadline < self._timer.when()
        ):
            self._arm(loop, waiter.deadline)
        try:
            await waiter.future
        except BaseException:
            if waiter.future.done() and not waiter.future.cancelled():
                if waiter.future.exception() is None:
                    # handed a slot just as we gave up (cancelled): pass it on
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
            waiter = self._waiters.popleft().future
            if not waiter.done():
                waiter.set_result(None)
                return
        self._free += 1

    def _arm(self, loop: asyncio.AbstractEventLoop, when: float) -> None:
        if self._timer is not None:
            self._timer.cancel()
        self._timer = loop.call_at(when, self._expire, loop)
        self._timer_loop = loop

    def _expire(self, loop: asyncio.AbstractEventLoop) -> None:
        """Time out every waiter past its deadline; set the timer for the next one."""
        self._timer = None
        now = loop.time()
        kept: deque[_Waiter] = deque()
        next_deadline = math.inf
        for waiter in self._waiters:
            if waiter.future.done():
                continue
            if waiter.deadline <= now:
                waiter.future.set_exception(TimeoutError())
            else:
                kept.append(waiter)
                next_deadline = min(next_deadline, waiter.deadline)
        self._waiters = kept
        if next_deadline != math.inf:
            self._arm(loop, next_deadline)
