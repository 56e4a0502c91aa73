"""Errors raised by the websocket layer."""

from __future__ import annotations

from typing import Any


class RpcError(Exception):
    """Raise from an RPC method to answer the client with an error message.

    The client receives ``{"id", "method", "error": {"message", "errors"}}`` and the
    connection stays open.
    """

    def __init__(self, message: str, errors: list[dict[str, Any]] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.errors: list[dict[str, Any]] = list(errors or ())


class CannotPublish(RpcError):
    """A message could not be published (broker unreachable, message not serializable)."""

    def __init__(self, message: str = "Cannot publish", errors: list[dict[str, Any]] | None = None):
        super().__init__(message, errors)


class BrokerUnavailable(CannotPublish):
    """The broker cannot reach its backend right now; it keeps trying to reconnect."""

    def __init__(self, message: str = "Message broker unavailable") -> None:
        super().__init__(message)
