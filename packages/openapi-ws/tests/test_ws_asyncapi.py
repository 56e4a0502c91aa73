"""The AsyncAPI 3.0 document of the websocket endpoints, checked against the official schema."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

import jsonschema
import pytest
import yaml
from aiohttp import web
from click.testing import CliRunner
from openapi.ws import (
    AsyncApiError,
    AsyncApiRenderer,
    ChannelDeclarationError,
    ChannelEvent,
    PubSubChannel,
    Sockets,
    Subscribe,
    WsPath,
)
from openapi.ws.asyncapi_http import COMPONENT_VERSION, accepts_gzip, prefers_yaml
from openapi.ws.commands import asyncapi

SCHEMA = Path(__file__).parent / "vendor" / "asyncapi-specs" / "3.0.0-without-id.json"


@dataclass
class Note:
    """A note"""

    text: str
    pinned: bool = False


NOTES = PubSubChannel(
    "notes",
    events={"added": Note, "removed": ChannelEvent(int, "The id of a removed note")},
    description="Notes of the board",
)


def check_asyncapi(document: dict[str, Any]) -> None:
    schema = json.loads(SCHEMA.read_text())
    validator = jsonschema.validators.validator_for(schema)(schema)
    errors = [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(document)]
    assert errors == []


def test_vendored_schema_refuses_a_wrong_document(ws_app: ModuleType) -> None:
    document = ws_app.create_app()["web_sockets"].asyncapi.document()
    broken = {**document, "operations": {"x": {"action": "fly", "channel": {"$ref": "#/x"}}}}
    with pytest.raises(AssertionError):
        check_asyncapi(broken)


def test_document_of_the_test_app(ws_app: ModuleType) -> None:
    app = ws_app.create_app(channels=[NOTES])
    document = app["web_sockets"].asyncapi.document()
    check_asyncapi(document)
    assert document["asyncapi"] == "3.0.0"
    channel = document["channels"]["stream"]
    assert channel["address"] == "/stream"
    messages = channel["messages"]
    operations = document["operations"]
    # every RPC method: a request the server receives, answered by a result or an error
    for name in ws_app.Stream.rpc_methods:
        request = operations[f"stream.{name}.request"]
        answer = operations[f"stream.{name}.answer"]
        assert request["action"] == "receive" and answer["action"] == "send"
        assert request["messages"] == [{"$ref": f"#/channels/stream/messages/{name}.request"}]
        assert answer["messages"] == request["reply"]["messages"]
        assert [m["$ref"].rsplit("/", 1)[1] for m in answer["messages"]] == [
            f"{name}.result",
            f"{name}.error",
        ]
        assert messages[f"{name}.request"]["payload"]["properties"]["method"] == {"const": name}
    assert set(ws_app.Stream.rpc_methods) >= {"subscribe", "unsubscribe", "publish", "echo"}
    # schemas from openapi.data, as components
    echo = messages["echo.request"]["payload"]["properties"]["payload"]
    assert echo == {"$ref": "#/components/schemas/Echo"}
    assert messages["echo.result"]["payload"]["properties"]["result"] == echo
    schemas = document["components"]["schemas"]
    assert schemas["Echo"]["required"] == ["message"]
    subscribe = messages["subscribe.request"]["payload"]["properties"]["payload"]
    assert subscribe == {"$ref": "#/components/schemas/SubscribeSchema"}
    subscribed = messages["subscribe.result"]["payload"]["properties"]["result"]
    assert subscribed == {"$ref": "#/components/schemas/SubscribedSchema"}
    error = messages["echo.error"]["payload"]
    assert error["required"] == ["id", "method", "error"]
    assert error["properties"]["error"] == {"$ref": "#/components/schemas/ValidationErrorBody"}
    assert schemas["ValidationErrorBody"]["properties"]["errors"]["items"] == {
        "$ref": "#/components/schemas/FieldError"
    }
    # docstrings: summaries
    assert operations["stream.ping.request"]["summary"].startswith("A decorated method")
    # the declared pub/sub channel and its events
    events = operations["stream.events.notes"]
    assert events["action"] == "send" and events["description"] == "Notes of the board"
    assert [m["$ref"] for m in events["messages"]] == [
        "#/channels/stream/messages/notes.added",
        "#/channels/stream/messages/notes.removed",
    ]
    added = messages["notes.added"]["payload"]
    assert added["properties"] == {
        "channel": {"const": "notes"},
        "event": {"const": "added"},
        "data": {"$ref": "#/components/schemas/Note"},
    }
    assert messages["notes.removed"]["summary"] == "The id of a removed note"
    assert messages["notes.removed"]["payload"]["properties"]["data"] == {"type": "integer"}
    assert "stream.events" in operations and "event" in messages


def test_a_view_without_subscribe_has_no_events() -> None:
    class Calls(WsPath):
        """Calls only"""

        async def ws_rpc_add(self, payload: Any) -> Any:
            return sum(payload)

    app = web.Application()
    Sockets(app, channels=[NOTES])
    app.router.add_view("/calls/{room}", Calls)
    document = AsyncApiRenderer(app, {"notes": NOTES}, base_path="/api/").document()
    check_asyncapi(document)
    channel = document["channels"]["api_calls_room"]
    assert channel["address"] == "/api/calls/{room}"
    assert channel["summary"] == "Calls only"
    assert set(channel["parameters"]) == {"room"}
    assert set(document["operations"]) == {
        "api_calls_room.add.request",
        "api_calls_room.add.answer",
        "api_calls_room.error",
    }
    assert "Note" not in document["components"]["schemas"]


def test_security_schemes_of_http_become_asyncapi_schemes() -> None:
    schemes = {
        "key": {"type": "apiKey", "name": "X-Key", "in": "header", "description": "A key"},
        "bearer": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"},
        "oauth": {
            "type": "oauth2",
            "flows": {
                "clientCredentials": {
                    "tokenUrl": "https://auth.example.com/token",
                    "scopes": {"read": "Read things"},
                }
            },
        },
        "oidc": {
            "type": "openIdConnect",
            "openIdConnectUrl": "https://auth.example.com/.well-known/openid-configuration",
        },
    }
    app = web.Application()
    document = AsyncApiRenderer(app, {}, security=schemes).document()
    check_asyncapi(document)
    converted = document["components"]["securitySchemes"]
    assert converted["key"] == {
        "type": "httpApiKey",
        "name": "X-Key",
        "in": "header",
        "description": "A key",
    }
    assert converted["oauth"]["flows"]["clientCredentials"]["availableScopes"] == {
        "read": "Read things"
    }
    with pytest.raises(AsyncApiError, match="'odd'"):
        AsyncApiRenderer(app, {}, security={"odd": {"type": "mutualTLS"}}).document()


def test_operations_of_a_protected_endpoint_list_its_schemes() -> None:
    class Locked(WsPath, Subscribe):
        security = [{"key": []}, {"key": [], "token": []}]

    class Open(WsPath):
        security: list[dict[str, list[str]]] = []

        async def ws_rpc_hello(self, payload: Any) -> str:
            return "hi"

    class Default(WsPath):
        async def ws_rpc_hello(self, payload: Any) -> str:
            return "hi"

    app = web.Application()
    app.router.add_view("/locked", Locked)
    app.router.add_view("/open", Open)
    app.router.add_view("/default", Default)
    schemes = {
        "key": {"type": "apiKey", "name": "X-Key", "in": "header"},
        "token": {"type": "http", "scheme": "bearer"},
    }
    document = AsyncApiRenderer(app, {"notes": NOTES}, security=schemes).document()
    check_asyncapi(document)
    operations = document["operations"]
    locked = [op for name, op in operations.items() if name.startswith("locked.")]
    assert {"locked.subscribe.request", "locked.events.notes", "locked.error"} <= set(operations)
    for operation in locked:
        assert operation["security"] == [
            {"$ref": "#/components/securitySchemes/key"},
            {"$ref": "#/components/securitySchemes/token"},
        ]
    # public, and no default requirement without an OpenAPI document
    others = [op for name, op in operations.items() if not name.startswith("locked.")]
    assert others and not [op for op in others if "security" in op]


@pytest.mark.parametrize(
    ("accept", "yaml_wanted"),
    [
        ("application/yaml", True),
        ("text/yaml, application/json;q=0.5", True),
        ("application/json, application/yaml;q=0.1", False),
        ("*/*", False),
        ("application/yaml;q=0", False),
        ("", False),
    ],
)
def test_accept_header_choice(accept: str, yaml_wanted: bool) -> None:
    assert prefers_yaml(accept) is yaml_wanted


def test_declaration_mistakes() -> None:
    with pytest.raises(ChannelDeclarationError, match="needs a name"):
        PubSubChannel("", events={"a": int})
    with pytest.raises(ChannelDeclarationError, match="declares no events"):
        PubSubChannel("x", events={})
    with pytest.raises(ChannelDeclarationError, match="declared twice"):
        Sockets(web.Application(), channels=[NOTES, PubSubChannel("notes", events={"a": int})])
    sockets = Sockets(web.Application(), channels=[NOTES])
    with pytest.raises(ChannelDeclarationError, match="declared twice"):
        sockets.declare(NOTES)
    sockets.declare(PubSubChannel("other", events={"a": int}))
    assert list(sockets.pubsub_channels) == ["notes", "other"]


async def test_an_undocumentable_payload_stops_the_app_at_startup(aiohttp_client: Any) -> None:
    class Stream(WsPath, Subscribe):
        pass

    app = web.Application()
    Sockets(app, channels=[PubSubChannel("odd", events={"e": complex})])
    app.router.add_view("/stream", Stream)
    with pytest.raises(AsyncApiError, match=r"Stream \(/stream\): .*complex"):
        await aiohttp_client(app)


async def test_served_as_json_and_yaml(aiohttp_client: Any, ws_app: ModuleType) -> None:
    client = await aiohttp_client(ws_app.create_app(asyncapi_info={"title": "Board"}))
    response = await client.get("/asyncapi")
    assert response.status == 200 and response.content_type == "application/json"
    document = await response.json()
    assert document["info"] == {"title": "Board", "version": "0.1.0"}
    for request in (
        client.get("/asyncapi", params={"format": "yaml"}),
        client.get("/asyncapi", headers={"Accept": "application/yaml"}),
    ):
        response = await request
        assert response.status == 200 and response.content_type == "application/yaml"
        assert yaml.safe_load(await response.text()) == document
    response = await client.get("/asyncapi", params={"format": "json"})
    assert await response.json() == document
    for params, field in (({"format": "xml"}, "format"), ({"pretty": "1"}, "pretty")):
        response = await client.get("/asyncapi", params=params)
        assert response.status == 422
        body = await response.json()
        assert body["message"] == "Invalid query" and body["errors"][0]["field"] == field


async def test_docs_page_and_assets(aiohttp_client: Any, ws_app: ModuleType) -> None:
    client = await aiohttp_client(ws_app.create_app())
    response = await client.get("/asyncapi/docs")
    assert response.status == 200 and response.content_type == "text/html"
    page = await response.text()
    assert '{"schema": {"url": "../asyncapi"}' in page
    js, css = (f"asyncapi-component-{COMPONENT_VERSION}.{kind}" for kind in ("js", "css"))
    assert f'src="docs/static/{js}"' in page and f'href="docs/static/{css}"' in page
    for name, kind in ((js, "javascript"), (css, "text/css")):
        url = f"/asyncapi/docs/static/{name}"
        # sent gzipped as stored (the client decompresses), or plain to a client refusing gzip
        zipped = await client.get(url, headers={"Accept-Encoding": "gzip, deflate"})
        assert zipped.status == 200 and kind in zipped.content_type
        assert zipped.headers["Content-Encoding"] == "gzip"
        assert "max-age=31536000" in zipped.headers["Cache-Control"]
        plain = await client.get(url, headers={"Accept-Encoding": "gzip;q=0, identity"})
        assert plain.status == 200 and "Content-Encoding" not in plain.headers
        assert await plain.read() == await zipped.read()
    assert b"AsyncApiStandalone" in await (await client.get(f"/asyncapi/docs/static/{js}")).read()
    for name in ("secret.py", "asyncapi-component.js.gz", "../asyncapi_http.py"):
        response = await client.get(f"/asyncapi/docs/static/{name}")
        assert response.status == 404


def test_accepts_gzip() -> None:
    assert accepts_gzip("gzip") and accepts_gzip("deflate, gzip;q=0.5") and accepts_gzip("*")
    assert not accepts_gzip("") and not accepts_gzip("identity")
    assert not accepts_gzip("gzip;q=0") and not accepts_gzip("*, gzip;q=0")
    assert not accepts_gzip("gzip;q=nope")


async def test_paths_can_move_or_go(aiohttp_client: Any, ws_app: ModuleType) -> None:
    client = await aiohttp_client(
        ws_app.create_app(asyncapi_path="/ws/doc", asyncapi_docs_path="/ws/doc/page/")
    )
    page = await (await client.get("/ws/doc/page")).text()
    assert '{"schema": {"url": "../doc"}' in page
    assert (await client.get("/ws/doc")).status == 200
    assert (await client.get("/asyncapi")).status == 404
    app = ws_app.create_app(asyncapi_path=None)
    assert not [r for r in app.router.routes() if r.resource and "asyncapi" in r.resource.canonical]


def test_command_prints_the_document(ws_app: ModuleType, tmp_path: Path) -> None:
    app = ws_app.create_app()
    document = app["web_sockets"].asyncapi.document()
    result = CliRunner().invoke(asyncapi, [], obj={"app": app})
    assert result.exit_code == 0, result.output
    assert json.loads(result.output) == document
    target = tmp_path / "asyncapi.yaml"
    result = CliRunner().invoke(asyncapi, ["-o", str(target)], obj=app)
    assert result.exit_code == 0, result.output
    assert yaml.safe_load(target.read_text()) == document
    result = CliRunner().invoke(asyncapi, [], obj=web.Application())
    assert result.exit_code == 1 and "has no websockets" in result.output
