"""RPC methods of a websocket view, declared with :class:`ws_rpc`."""

from __future__ import annotations

import dataclasses
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any, ClassVar, TypeVar

from openapi.data.dump import dump
from openapi.data.validate import validate

from .errors import RpcError

RPC_PREFIX = "ws_rpc_"

Handler = Callable[[Any, Any], Awaitable[Any]]
_F = TypeVar("_F", bound=Callable[..., Awaitable[Any]])


@dataclass(frozen=True)
class ws_rpc:
    """Declare a websocket RPC method and its schemas.

    The method ``ws_rpc_<name>`` (or any decorated method, named by its own name)
    answers requests ``{"id": ..., "method": "<name>", "payload": ...}``. The payload is
    validated with ``body_schema`` (an openapi.data schema, usually a dataclass) and the
    method receives the validated data; its return value is dumped with
    ``response_schema``::

        class Stream(WsPath):
            @ws_rpc(body_schema=Echo, response_schema=Echo)
            async def ws_rpc_echo(self, payload: dict) -> dict:
                return payload
    """

    body_schema: Any = None
    response_schema: Any = None

    def __call__(self, method: _F) -> _F:
        method.__ws_rpc__ = self  # type: ignore[attr-defined]
        return method


@dataclass(frozen=True)
class RpcMethod:
    """An RPC method of a view class, resolved once when the class is defined."""

    name: str
    handler: Handler
    spec: ws_rpc

    async def __call__(self, view: Any, payload: Any) -> Any:
        body_schema = self.spec.body_schema
        if body_schema is not None:
            if dataclasses.is_dataclass(body_schema) and not isinstance(payload, dict):
                raise RpcError(
                    "Invalid payload", [{"field": "payload", "message": "expected an object"}]
                )
            validated = validate(body_schema, payload)
            if validated.errors:
                raise RpcError("Invalid payload", validated.errors)
            payload = validated.data
        result = await self.handler(view, payload)
        if self.spec.response_schema is not None:
            result = dump(self.spec.response_schema, result)
        return result


class RpcEndpoint:
    """A class answering RPC methods: :class:`WsPath` is one.

    Its :attr:`rpc_methods` are collected once, when the class is defined.
    """

    rpc_methods: ClassVar[Mapping[str, RpcMethod]] = {}
    """The RPC methods of the class, by protocol name (built when the class is defined)."""

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls.rpc_methods = collect_rpc_methods(cls)


def rpc_name(attribute: str) -> str:
    """The protocol name of the method ``attribute``: ``ws_rpc_echo`` answers ``echo``."""
    return attribute[len(RPC_PREFIX) :] if attribute.startswith(RPC_PREFIX) else attribute


def collect_rpc_methods(cls: type) -> Mapping[str, RpcMethod]:
    """The RPC methods of ``cls`` and its bases: decorated ones and ``ws_rpc_*`` ones."""
    methods: dict[str, RpcMethod] = {}
    for attribute in dir(cls):
        value = getattr(cls, attribute, None)
        if not callable(value):
            continue
        spec = _inherited_spec(cls, attribute)
        if spec is None:
            if not attribute.startswith(RPC_PREFIX):
                continue
            spec = ws_rpc()
        name = rpc_name(attribute)
        if name:
            methods[name] = RpcMethod(name, value, spec)
    return methods


def _inherited_spec(cls: type, attribute: str) -> ws_rpc | None:
    """The ``ws_rpc`` of ``attribute``, from an overridden base method if need be.

    Overriding a declared method without repeating the decorator keeps its schemas.
    """
    for base in cls.__mro__:
        spec = getattr(base.__dict__.get(attribute), "__ws_rpc__", None)
        if isinstance(spec, ws_rpc):
            return spec
    return None
