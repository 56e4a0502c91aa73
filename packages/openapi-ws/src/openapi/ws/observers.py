"""What the websocket manager tells metrics and tracing (openapi.spec's implement these).

They are offered under the application key ``"openapi.observers"`` and attached when the
application starts; with none, nothing is reported.
"""

from __future__ import annotations

from contextlib import AbstractContextManager
from typing import Protocol, runtime_checkable

__all__ = ["OBSERVERS", "READY_CHECKS", "RpcTracer", "SocketsObserver"]

#: the application key of the observers offered by metrics and tracing; openapi.spec
#: owns it (``openapi.spec.observers.OBSERVERS``) but openapi.ws does not depend on it
OBSERVERS = "openapi.observers"
#: the application key of the readiness checks (``openapi.spec.readiness.READY_CHECKS``)
READY_CHECKS = "openapi.ready_checks"


@runtime_checkable
class SocketsObserver(Protocol):
    """Told of connections, subscriptions, messages and broker reconnections."""

    def ws_connected(self) -> None: ...

    def ws_disconnected(self) -> None: ...

    def ws_subscriptions_changed(self, delta: int) -> None: ...

    def ws_message_received(self) -> None: ...

    def ws_message_sent(self, count: int) -> None: ...

    def ws_broker_reconnected(self) -> None: ...


@runtime_checkable
class RpcTracer(Protocol):
    """Wraps every websocket RPC call (a tracing span)."""

    def ws_rpc(self, method: str) -> AbstractContextManager[object]: ...
