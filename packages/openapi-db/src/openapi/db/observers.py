"""What the database tells metrics and tracing (openapi.spec's implement these)."""

from __future__ import annotations

from contextlib import AbstractContextManager
from typing import Protocol, runtime_checkable

__all__ = ["PoolObserver", "StatementTracer"]


@runtime_checkable
class PoolObserver(Protocol):
    """Told the pool's state after every acquire and release, and each wait for one."""

    def db_pool_state(self, size: int, in_use: int, waiting: int) -> None: ...

    def db_acquired(self, seconds: float) -> None: ...


@runtime_checkable
class StatementTracer(Protocol):
    """Wraps every SQL statement the database runs (a tracing span)."""

    def db_statement(self, sql: str) -> AbstractContextManager[object]: ...
