"""The example's websocket API as documented at /asyncapi: what the stream really sends
matches the document, and the document shares its schemas with the OpenAPI one."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import jsonschema
from aiohttp.test_utils import TestClient
from click.testing import CliRunner
from openapi.cli.plugins import load_plugin
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from tests.example.main import create_app
from tests.example.ws import TASKS, Stream

Client = TestClient[Any, Any]
ROOT = Path(__file__).resolve().parent.parent
ASYNCAPI_SCHEMA = ROOT / "packages/openapi-ws/tests/vendor/asyncapi-specs/3.0.0-without-id.json"
DOCUMENT_URI = "urn:example:asyncapi"


class Documented:
    """Validates websocket messages against the messages of the AsyncAPI document."""

    def __init__(self, document: dict[str, Any]) -> None:
        self.document = document
        self.registry = Registry().with_resource(
            DOCUMENT_URI, Resource.from_contents(document, default_specification=DRAFT202012)
        )

    def errors(self, channel: str, message: str, value: Any) -> list[str]:
        pointer = f"{DOCUMENT_URI}#/channels/{channel}/messages/{message}/payload"
        validator = jsonschema.Draft202012Validator(
            {"$ref": pointer},
            registry=self.registry,
            format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER,
        )
        return [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(value)]

    def which(self, channel: str, value: Any, candidates: list[str]) -> list[str]:
        """The candidate messages ``value`` is valid against."""
        return [name for name in candidates if not self.errors(channel, name, value)]


async def rpc(
    ws: Any, id: str, method: str, payload: Any, events: list[dict[str, Any]]
) -> dict[str, Any]:
    """The answer to a request; pub/sub messages arriving meanwhile go to ``events``."""
    await ws.send_json({"id": id, "method": method, "payload": payload})
    while True:
        message: dict[str, Any] = await asyncio.wait_for(ws.receive_json(), 10)
        if message.get("id") == id:
            return message
        events.append(message)


async def test_the_document_validates_and_shares_components(client: Client) -> None:
    response = await client.get("/asyncapi")
    assert response.status == 200
    document = await response.json()
    schema = json.loads(ASYNCAPI_SCHEMA.read_text())
    validator = jsonschema.validators.validator_for(schema)(schema)
    assert [e.message for e in validator.iter_errors(document)] == []
    openapi = await (await client.get("/spec")).json()
    assert document["info"]["title"] == openapi["info"]["title"] == "Tasks API"
    components = document["components"]["schemas"]
    shared = set(components) & set(openapi["components"]["schemas"])
    assert {"Task", "ValidationErrorBody", "FieldError"} <= shared
    for name in shared:
        assert components[name] == openapi["components"]["schemas"][name], name
    schemes = document["components"]["securitySchemes"]
    assert schemes["apiKey"] == {**schemes["apiKey"], "type": "httpApiKey", "in": "header"}
    assert schemes["streamKey"]["in"] == "query"
    # the stream takes either key: every operation of it says so
    stream = [op for name, op in document["operations"].items() if name.startswith("stream.")]
    assert stream and all(
        op["security"]
        == [
            {"$ref": "#/components/securitySchemes/apiKey"},
            {"$ref": "#/components/securitySchemes/streamKey"},
        ]
        for op in stream
    )


async def test_every_method_and_event_of_the_stream_is_documented(client: Client) -> None:
    documented = Documented(await (await client.get("/asyncapi")).json())
    channel = documented.document["channels"]["stream"]
    assert channel["address"] == "/stream"
    operations = documented.document["operations"]
    for name in Stream.rpc_methods:
        assert f"stream.{name}.request" in operations and f"stream.{name}.answer" in operations
    calls = [
        ("subscribe", {"channel": TASKS.name}),
        ("subscribe", {"channel": "chat", "event": "msg.*"}),
        ("publish", {"channel": "chat", "event": "msg.new", "data": {"n": 1}}),
        ("publish", {"event": "no channel"}),
        ("subscribe", {"channel": ""}),
        ("unsubscribe", {"channel": "chat"}),
    ]
    assert {method for method, _ in calls} == set(Stream.rpc_methods)
    async with client.ws_connect("/stream") as ws:
        answered = set()
        events: list[dict[str, Any]] = []
        for n, (method, payload) in enumerate(calls):
            answer = await rpc(ws, f"r{n}", method, payload, events)
            kind = "error" if "error" in answer else "result"
            answered.add(kind)
            request = {"id": f"r{n}", "method": method, "payload": payload}
            if kind == "result":
                assert documented.errors("stream", f"{method}.request", request) == []
            assert documented.errors("stream", f"{method}.{kind}", answer) == []
            other = "result" if kind == "error" else "error"
            assert documented.errors("stream", f"{method}.{other}", answer) != []
        assert answered == {"result", "error"}
        # what the chat publish delivered to this subscriber: an undeclared channel's event
        # (through PostgreSQL's NOTIFY it may come after the answers to the later calls)
        while not events:
            events.append(await asyncio.wait_for(ws.receive_json(), 10))
        [echo] = events
        assert echo == {"channel": "chat", "event": "msg.new", "data": {"n": 1}}
        assert documented.which("stream", echo, ["event", "tasks.created"]) == ["event"]
        await ws.send_str("{not json")
        garbage = await asyncio.wait_for(ws.receive_json(), 10)
        assert documented.errors("stream", "error", garbage) == []

        # every declared event, triggered over HTTP, arrives as documented
        created = await client.post(
            "/tasks",
            json={"title": "announce me", "severity": 2, "type": "todo", "story_points": 1.5},
        )
        assert created.status == 201, await created.text()
        task = await created.json()
        updated = await client.patch(f"/tasks/{task['id']}", json={"done": True})
        assert updated.status == 200
        seen = {}
        for _ in TASKS.event_specs:
            message = await asyncio.wait_for(ws.receive_json(), 10)
            assert message["channel"] == TASKS.name
            seen[message["event"]] = message
            name = f"{TASKS.name}.{message['event']}"
            assert documented.errors("stream", name, message) == []
    assert set(seen) == set(TASKS.event_specs) == {"created", "updated"}
    assert seen["created"]["data"] == task and seen["updated"]["data"]["done"] is True
    # a message the document does not allow is caught: the check can fail
    wrong = {**seen["created"], "data": {**task, "severity": 9}}
    assert documented.errors("stream", "tasks.created", wrong) != []


def test_openapi_cli_asyncapi_prints_it(example_db_url: str) -> None:
    command = load_plugin("asyncapi")
    assert command is not None, "openapi-ws registers `asyncapi` in the openapi.cli group"
    app = create_app()
    result = CliRunner().invoke(app, ["asyncapi"], env={"DATASTORE": example_db_url})
    assert result.exit_code == 0, (result.output, result.exception)
    document = json.loads(result.output)
    assert set(document["channels"]) == {"stream"}
    assert "stream.events.tasks" in document["operations"]
