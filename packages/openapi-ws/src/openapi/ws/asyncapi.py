"""``AsyncApiRenderer``: the AsyncAPI 3.0 document of an application's websockets, built once.

The document describes the server (AsyncAPI's point of view): it *receives* requests
and *sends* results, errors and pub/sub events. Schemas come from openapi.data's JSON
Schema writer with the same component names as the OpenAPI document of openapi.spec.
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any, TypeGuard

from aiohttp import web
from openapi.data.app_keys import OPENAPI_SPEC_KEY
from openapi.data.error_schemas import Error, ValidationErrorBody
from openapi.data.json import dumps
from openapi.data.json_schema import SchemaRegistry

from .pubsub import Publish, Subscribe
from .pubsub_channels import PubSubChannel
from .rpc import RpcEndpoint, RpcMethod

ASYNCAPI_VERSION = "3.0.0"
JSON_CONTENT_TYPE = "application/json"
INFO_KEYS = ("title", "version", "description", "termsOfService", "contact", "license")
_TEMPLATE_VARIABLE = re.compile(r"{([^}:]+)(?::[^}]*)?}")
_NOT_AN_ID = re.compile(r"[^\w.\-]+")

Json = dict[str, Any]

#: the id of an answer: the request's, a string or an integer
ANSWER_ID: Json = {"type": ["string", "integer"]}


class AsyncApiError(Exception):
    """The websocket declarations cannot be documented (raised when the app starts)."""


@dataclass(frozen=True)
class WsRoute:
    """A websocket endpoint of the application: its address and view class."""

    address: str
    view: type[RpcEndpoint]


class AsyncApiRenderer:
    """Builds the AsyncAPI 3.0 document of the websocket endpoints of ``app``, once.

    Every route served by a :class:`WsPath` (an :class:`RpcEndpoint`) is a channel; ``channels`` are
    the declared pub/sub channels. Title, version and security schemes default to
    those of the application's OpenAPI document (``app["openapi_spec"]``) when there
    is one; ``base_path`` prefixes every address.
    """

    def __init__(
        self,
        app: web.Application,
        channels: Mapping[str, PubSubChannel],
        *,
        info: Mapping[str, Any] | None = None,
        base_path: str | None = None,
        security: Mapping[str, Mapping[str, Any]] | None = None,
    ) -> None:
        self.app = app
        self.channels = channels
        self._info = info
        self._base_path = base_path
        self._security = security
        self._document: Json | None = None
        self._json: bytes | None = None

    # what the OpenAPI document says, when openapi.spec made one: its public format,
    # read from the document rather than from the renderer's internals

    def openapi_document(self) -> Mapping[str, Any]:
        renderer = self.app.get(OPENAPI_SPEC_KEY)
        document = renderer.document() if hasattr(renderer, "document") else None
        return document if isinstance(document, Mapping) else {}

    def info(self) -> Json:
        spec_info = self.openapi_document().get("info") or {}
        merged = {**spec_info, **(self._info or {})}
        info: Json = {key: merged[key] for key in INFO_KEYS if merged.get(key)}
        info.setdefault("title", "Websocket API")
        info.setdefault("version", "0.1.0")
        return info

    def base_path(self) -> str:
        if self._base_path is not None:
            return self._base_path.rstrip("/")
        return str(getattr(self.app.get(OPENAPI_SPEC_KEY), "base_path", "") or "").rstrip("/")

    def security_schemes(self) -> Mapping[str, Mapping[str, Any]]:
        """OpenAPI Security Scheme Objects by name."""
        if self._security is not None:
            return self._security
        components = self.openapi_document().get("components") or {}
        schemes: Mapping[str, Mapping[str, Any]] = components.get("securitySchemes") or {}
        return schemes

    def routes(self) -> Iterator[WsRoute]:
        seen: set[tuple[str, type[RpcEndpoint]]] = set()
        base = self.base_path()
        for route in self.app.router.routes():
            view = route.handler
            if route.resource is None or not is_endpoint(view):
                continue
            path = route.resource.canonical
            if base and not (path == base or path.startswith(base + "/")):
                path = base + path
            if (path, view) not in seen:
                seen.add((path, view))
                yield WsRoute(path, view)

    # the document

    def document(self) -> Json:
        """The AsyncAPI document (built on the first call, then cached)."""
        if self._document is None:
            self._document = _DocumentBuilder(self).build()
        return self._document

    def json_bytes(self) -> bytes:
        """The document as JSON bytes (cached)."""
        if self._json is None:
            self._json = dumps(self.document()).encode()
        return self._json


class _DocumentBuilder:
    """One build of the document: the schema registry and the ids given out."""

    def __init__(self, renderer: AsyncApiRenderer) -> None:
        self.renderer = renderer
        self.registry = SchemaRegistry()
        # in openapi.spec's order, so both documents give application classes one name
        self.registry.schema_of(Error)
        self.error_ref = self.registry.schema_of(ValidationErrorBody)
        self.channel_ids: set[str] = set()
        self.schemes = {
            name: security_scheme(name, scheme)
            for name, scheme in self.renderer.security_schemes().items()
        }

    def build(self) -> Json:
        channels: Json = {}
        operations: Json = {}
        for route in self.renderer.routes():
            channel_id = self.channel_id(route.address)
            try:
                channels[channel_id] = self.channel(route)
                operations.update(self.operations(channel_id, route))
            except (TypeError, ValueError) as exc:
                raise AsyncApiError(f"{route.view.__name__} ({route.address}): {exc}") from None
        doc: Json = {
            "asyncapi": ASYNCAPI_VERSION,
            "info": self.renderer.info(),
            "defaultContentType": JSON_CONTENT_TYPE,
            "channels": channels,
            "operations": operations,
        }
        components: Json = {"schemas": dict(sorted(self.registry.definitions.items()))}
        if self.schemes:
            components["securitySchemes"] = dict(sorted(self.schemes.items()))
        doc["components"] = components
        return doc

    def channel_id(self, address: str) -> str:
        wanted = _NOT_AN_ID.sub("_", address.strip("/")).strip("_") or "root"
        candidate, n = wanted, 1
        while candidate in self.channel_ids:
            n += 1
            candidate = f"{wanted}_{n}"
        self.channel_ids.add(candidate)
        return candidate

    # channels: the endpoint, and every message that crosses it

    def channel(self, route: WsRoute) -> Json:
        view = route.view
        channel: Json = {"address": route.address, "title": view.__name__}
        summary, description = docstring_text(view)
        if summary:
            channel["summary"] = summary
        if description:
            channel["description"] = description
        messages: Json = {}
        for method in sorted_methods(view):
            messages.update(self.rpc_messages(method))
        messages["error"] = self.message(
            "error",
            "Protocol error",
            "The answer to a request that is not a valid RPC request: malformed JSON, no "
            "object, no id or method (`id` and `method` are null when unusable)",
            envelope(
                {"id": {"type": ["string", "integer", "null"]}},
                {"method": {"type": ["string", "null"]}},
                {"error": self.error_ref},
            ),
        )
        if issubclass(view, Subscribe):
            for pubsub in self.renderer.channels.values():
                for event, spec in pubsub.event_specs.items():
                    messages[event_message_id(pubsub, event)] = self.message(
                        event_message_id(pubsub, event),
                        f"{pubsub.name} {event}",
                        spec.description or f"The event {event!r} of the channel {pubsub.name!r}",
                        envelope(
                            {"channel": {"const": pubsub.name}},
                            {"event": {"const": event}},
                            {"data": self.registry.schema_of(spec.payload)},
                        ),
                    )
            messages["event"] = self.message(
                "event",
                "Event",
                "An event of any channel the socket subscribed to"
                + (", as another client published it" if issubclass(view, Publish) else ""),
                envelope(
                    {"channel": {"type": "string"}},
                    {"event": {"type": "string"}},
                    {"data": {}},
                ),
            )
        channel["messages"] = messages
        parameters = {
            name: {"description": f"The path variable `{name}`"}
            for name in _TEMPLATE_VARIABLE.findall(route.address)
        }
        if parameters:
            channel["parameters"] = parameters
        return channel

    def rpc_messages(self, method: RpcMethod) -> Json:
        name = method.name
        summary, _ = docstring_text(method.handler)
        request = {
            "type": "object",
            "required": ["id", "method"],
            "properties": {
                "id": {
                    "type": ["string", "integer"],
                    "description": "Chosen by the client, repeated in the answer",
                },
                "method": {"const": name},
                "payload": self.schema(method.spec.body_schema),
            },
        }
        return {
            f"{name}.request": self.message(
                f"{name}.request", f"{name} request", summary or f"Call {name}", request
            ),
            f"{name}.result": self.answer(
                name, "result", f"The result of {name}", self.schema(method.spec.response_schema)
            ),
            f"{name}.error": self.answer(
                name,
                "error",
                f"{name} failed: invalid payload or an error of the method",
                self.error_ref,
            ),
        }

    def answer(self, name: str, kind: str, summary: str, body: Json) -> Json:
        """The server's answer to ``name``: ``{"id", "method", kind: body}``."""
        return self.message(
            f"{name}.{kind}",
            f"{name} {kind}",
            summary,
            envelope({"id": ANSWER_ID}, {"method": {"const": name}}, {kind: body}),
        )

    def message(self, name: str, title: str, summary: str, payload: Json) -> Json:
        return {
            "name": name,
            "title": title,
            "summary": summary,
            "contentType": JSON_CONTENT_TYPE,
            "payload": payload,
        }

    def schema(self, tp: Any) -> Json:
        return {} if tp is None else self.registry.schema_of(tp)

    # operations: what the server receives and sends on each channel

    def operations(self, channel_id: str, route: WsRoute) -> Json:
        view = route.view
        channel_ref = {"$ref": f"#/channels/{pointer(channel_id)}"}

        def refs(*names: str) -> list[Json]:
            return [
                {"$ref": f"#/channels/{pointer(channel_id)}/messages/{pointer(n)}"} for n in names
            ]

        operations: Json = {}
        for method in sorted_methods(view):
            name = method.name
            summary, description = docstring_text(method.handler)
            request: Json = {
                "action": "receive",
                "channel": channel_ref,
                "title": f"{name} request",
                "summary": summary or f"Call {name}",
            }
            if description:
                request["description"] = description
            request["messages"] = refs(f"{name}.request")
            request["reply"] = {
                "channel": channel_ref,
                "messages": refs(f"{name}.result", f"{name}.error"),
            }
            answer: Json = {
                "action": "send",
                "channel": channel_ref,
                "title": f"{name} answer",
                "summary": f"The result of {name}, or its error",
                "messages": refs(f"{name}.result", f"{name}.error"),
            }
            operations[f"{channel_id}.{name}.request"] = request
            operations[f"{channel_id}.{name}.answer"] = answer
        operations[f"{channel_id}.error"] = {
            "action": "send",
            "channel": channel_ref,
            "title": "Protocol error",
            "summary": "Answers a request that is not a valid RPC request",
            "messages": refs("error"),
        }
        if issubclass(view, Subscribe):
            for pubsub in self.renderer.channels.values():
                events: Json = {
                    "action": "send",
                    "channel": channel_ref,
                    "title": f"{pubsub.name} events",
                    "summary": f"Events of the channel {pubsub.name!r}, to its subscribers",
                }
                if pubsub.description:
                    events["description"] = pubsub.description
                events["messages"] = refs(
                    *(event_message_id(pubsub, event) for event in pubsub.event_specs)
                )
                events["tags"] = [{"name": "pub/sub"}]
                operations[f"{channel_id}.events.{pubsub.name}"] = events
            operations[f"{channel_id}.events"] = {
                "action": "send",
                "channel": channel_ref,
                "title": "Events",
                "summary": "Events of the channels the socket subscribed to",
                "messages": refs("event"),
                "tags": [{"name": "pub/sub"}],
            }
        security = self.security(view)
        if security:  # every message crosses the handshake the requirement guards
            for operation in operations.values():
                operation["security"] = security
        return operations

    def security(self, view: type[RpcEndpoint]) -> list[Json]:
        """The schemes of the view's handshake requirement, as references.

        The requirement is ``WsPath.security``, else the application's default (the
        OpenAPI document's ``security``), as the handshake check reads it. An empty
        requirement, or one with an empty alternative, is public: nothing to list.
        """
        requirement = getattr(view, "security", None)
        if requirement is None:
            requirement = self.renderer.openapi_document().get("security")
        if not requirement or not all(requirement):
            return []
        names = dict.fromkeys(name for alternative in requirement for name in alternative)
        return [
            {"$ref": f"#/components/securitySchemes/{pointer(name)}"}
            for name in names
            if name in self.schemes
        ]


def security_scheme(name: str, scheme: Mapping[str, Any]) -> Json:
    """An OpenAPI 3.1 security scheme as an AsyncAPI 3.0 one."""
    kind = scheme.get("type")
    converted: Json
    if kind == "apiKey":
        converted = {"type": "httpApiKey", "name": scheme.get("name"), "in": scheme.get("in")}
    elif kind == "http":
        converted = {"type": "http", "scheme": scheme.get("scheme")}
        if scheme.get("bearerFormat"):
            converted["bearerFormat"] = scheme["bearerFormat"]
    elif kind == "oauth2":
        flows = {}
        for flow_name, flow in (scheme.get("flows") or {}).items():
            flow = dict(flow)
            flow["availableScopes"] = flow.pop("scopes", {})
            flows[flow_name] = flow
        converted = {"type": "oauth2", "flows": flows}
    elif kind == "openIdConnect":
        converted = {"type": "openIdConnect", "openIdConnectUrl": scheme.get("openIdConnectUrl")}
    else:
        raise AsyncApiError(f"security scheme {name!r}: cannot document type {kind!r}")
    if scheme.get("description"):
        converted["description"] = scheme["description"]
    return converted


def envelope(*fields: Json) -> Json:
    """An object schema with exactly these properties, all required."""
    properties: Json = {}
    for field in fields:
        properties.update(field)
    return {
        "type": "object",
        "required": list(properties),
        "properties": properties,
        "additionalProperties": False,
    }


def event_message_id(channel: PubSubChannel, event: str) -> str:
    return f"{channel.name}.{event}"


def pointer(key: str) -> str:
    """``key`` as a JSON Pointer reference token (RFC 6901)."""
    return key.replace("~", "~0").replace("/", "~1")


def docstring_text(obj: Any) -> tuple[str, str]:
    """(summary, description) from a docstring: its first line and the rest, up to any
    ``---`` line (where openapi.spec's YAML begins)."""
    # the object's own docstring: a view without one must not show WsPath's
    doc = inspect.cleandoc(getattr(obj, "__doc__", None) or "")
    lines = []
    for line in doc.splitlines():
        if line.strip() == "---":
            break
        lines.append(line)
    summary, _, description = "\n".join(lines).strip().partition("\n")
    return summary.strip(), description.strip()


def is_endpoint(handler: Any) -> TypeGuard[type[RpcEndpoint]]:
    return isinstance(handler, type) and issubclass(handler, RpcEndpoint)


def sorted_methods(view: type[RpcEndpoint]) -> list[RpcMethod]:
    return [view.rpc_methods[name] for name in sorted(view.rpc_methods)]
