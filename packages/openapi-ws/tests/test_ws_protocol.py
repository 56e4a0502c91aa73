"""The RPC protocol over real websockets (aiohttp test server and client)."""

from __future__ import annotations

from types import ModuleType
from typing import Any

import aiohttp
import pytest
from aiohttp import WSCloseCode
from openapi.ws import Sockets


@pytest.fixture
async def client(aiohttp_client: Any, ws_app: ModuleType) -> Any:
    return await aiohttp_client(ws_app.create_app(max_message_size=4096))


@pytest.fixture
async def ws(client: Any, ws_connect: Any) -> Any:
    return await ws_connect(client.make_url("/stream"))


async def test_plain_http_get_is_a_json_400(client: Any) -> None:
    response = await client.get("/stream")
    assert response.status == 400
    assert await response.json() == {
        "message": "Expected a websocket upgrade request",
        "errors": [],
    }


async def test_echo_validated_and_dumped(ws: Any) -> None:
    answer = await ws.rpc("echo", {"message": "ab", "times": 2})
    assert answer == {"id": "r1", "method": "echo", "result": {"message": "abab", "times": 2}}


async def test_integer_id_echoed(ws: Any) -> None:
    await ws.send({"id": 7, "method": "raw", "payload": [1, 2]})
    assert await ws.receive() == {"id": 7, "method": "raw", "result": [1, 2]}


async def test_missing_payload_is_an_empty_object(ws: Any) -> None:
    assert await ws.result("raw") == {}


async def test_invalid_payload(ws: Any) -> None:
    answer = await ws.rpc("echo", {"times": "x"})
    assert answer["id"] == "r1"
    assert answer["method"] == "echo"
    error = answer["error"]
    assert error["message"] == "Invalid payload"
    fields = {e["field"] for e in error["errors"]}
    assert fields == {"message", "times"}
    # the connection stays open
    assert await ws.result("echo", {"message": "ok"}) == {"message": "ok", "times": 1}


async def test_payload_not_an_object(ws: Any) -> None:
    answer = await ws.rpc("echo", [1, 2])
    assert answer["error"]["message"] == "Invalid payload"
    assert answer["error"]["errors"] == [{"field": "payload", "message": "expected an object"}]


async def test_malformed_json(ws: Any) -> None:
    await ws.ws.send_str("{not json")
    answer = await ws.receive()
    assert answer["id"] is None
    assert answer["method"] is None
    assert answer["error"]["message"].startswith("Malformed JSON")
    assert answer["error"]["errors"] == []
    assert await ws.result("raw", {"a": 1}) == {"a": 1}


async def test_deeply_nested_json(ws: Any) -> None:
    await ws.ws.send_str("[" * 2000 + "]" * 2000)
    answer = await ws.receive()
    assert answer["error"]["message"].startswith("Malformed JSON")
    payload: Any = 1
    for _ in range(200):
        payload = [payload]
    # nesting the parser accepts goes through
    assert await ws.result("raw", payload) == payload


@pytest.mark.parametrize(
    ("message", "kind"),
    [([1], "an array"), ("hi", "a string"), (3, "a number"), (None, "null"), (True, "a boolean")],
)
async def test_not_an_object(ws: Any, message: Any, kind: str) -> None:
    await ws.send(message)
    answer = await ws.receive()
    assert answer == {
        "id": None,
        "method": None,
        "error": {"message": f"Expected a JSON object, got {kind}", "errors": []},
    }
    assert await ws.result("raw", 1) == 1


async def test_missing_id(ws: Any) -> None:
    await ws.send({"method": "echo", "payload": {"message": "x"}})
    answer = await ws.receive()
    assert answer == {
        "id": None,
        "method": "echo",
        "error": {
            "message": "Invalid RPC request",
            "errors": [{"field": "id", "message": "required"}],
        },
    }
    assert await ws.result("raw", 2) == 2


async def test_bad_id_and_method_types(ws: Any) -> None:
    await ws.send({"id": {"a": 1}, "method": 5})
    answer = await ws.receive()
    assert answer["id"] is None
    assert answer["method"] is None
    assert answer["error"]["errors"] == [
        {"field": "id", "message": "must be a string or an integer"},
        {"field": "method", "message": "must be a string"},
    ]
    await ws.send({"id": True, "method": "raw"})
    answer = await ws.receive()
    assert answer["error"]["errors"] == [
        {"field": "id", "message": "must be a string or an integer"}
    ]


async def test_missing_method(ws: Any) -> None:
    await ws.send({"id": "a"})
    answer = await ws.receive()
    assert answer["id"] == "a"
    assert answer["error"]["errors"] == [{"field": "method", "message": "required"}]


async def test_unknown_method(ws: Any) -> None:
    answer = await ws.rpc("wtf", {"x": 1})
    assert answer == {
        "id": "r1",
        "method": "wtf",
        "error": {
            "message": "Unknown method 'wtf'",
            "errors": [{"field": "method", "message": "unknown method 'wtf'"}],
        },
    }
    # attributes of the view that are not RPC methods are not callable
    for name in ("get", "on_text", "send", "__init__", "ws_rpc_echo"):
        answer = await ws.rpc(name)
        assert answer["error"]["message"] == f"Unknown method '{name}'"


async def test_method_names(ws: Any, ws_app: ModuleType) -> None:
    assert await ws.result("ping") == "pong"
    assert set(ws_app.Stream.rpc_methods) == {
        "echo",
        "raw",
        "server_info",
        "refuse",
        "crash",
        "unserializable",
        "sleep",
        "ping",
        "notify",
        "subscribe",
        "unsubscribe",
        "publish",
    }
    # an override without the decorator keeps the schema of the method it overrides
    answer = await ws.rpc("subscribe", {"channel": 1})
    assert answer["error"]["message"] == "Invalid payload"


async def test_rpc_error_raised_by_method(ws: Any) -> None:
    answer = await ws.rpc("refuse")
    assert answer["error"] == {
        "message": "Refused",
        "errors": [{"field": "reason", "message": "because"}],
    }


async def test_crash_is_an_internal_error_without_traceback(ws: Any) -> None:
    answer = await ws.rpc("crash")
    assert answer["error"] == {"message": "Internal server error", "errors": []}
    assert "boom" not in str(answer)
    answer = await ws.rpc("unserializable")
    assert answer["error"] == {"message": "Internal server error", "errors": []}
    assert await ws.result("raw", "still open") == "still open"


async def test_requests_answered_in_order(ws: Any) -> None:
    await ws.send({"id": 1, "method": "sleep", "payload": {"seconds": 0.05}})
    await ws.send({"id": 2, "method": "raw", "payload": "fast"})
    assert (await ws.receive())["id"] == 1
    assert (await ws.receive())["id"] == 2


async def test_binary_frame_closes_with_1003(ws: Any) -> None:
    await ws.ws.send_bytes(b"\x00\x01")
    answer = await ws.receive()
    assert answer["error"]["message"] == "Binary frames are not supported"
    msg = await ws.ws.receive(timeout=10)
    assert msg.type == aiohttp.WSMsgType.CLOSE
    assert msg.data == WSCloseCode.UNSUPPORTED_DATA
    assert msg.extra == "Binary frames are not supported"


async def test_oversized_frame_closes_with_1009(ws: Any, client: Any) -> None:
    await ws.send({"id": 1, "method": "raw", "payload": "x" * 5000})
    msg = await ws.ws.receive(timeout=10)
    assert msg.type == aiohttp.WSMsgType.CLOSE
    assert msg.data == WSCloseCode.MESSAGE_TOO_BIG


async def test_one_bad_client_does_not_disturb_another(client: Any, ws_connect: Any) -> None:
    good = await ws_connect(client.make_url("/stream"))
    bad = await ws_connect(client.make_url("/stream"))
    await good.result("subscribe", {"channel": "news"})
    await bad.ws.send_str("garbage")
    await bad.ws.send_bytes(b"garbage")
    await bad.ws.close()
    await good.result("publish", {"channel": "news", "event": "e", "data": 1})
    assert await good.event() == {"channel": "news", "event": "e", "data": 1}


async def test_server_info_and_shutdown_closes_sockets(
    aiohttp_server: Any, ws_app: ModuleType, ws_connect: Any
) -> None:
    app = ws_app.create_app()
    server = await aiohttp_server(app)
    first = await ws_connect(server.make_url("/stream"))
    second = await ws_connect(server.make_url("/stream"))
    await first.result("subscribe", {"channel": "a", "event": "x.*"})
    await second.result("subscribe", {"channel": "a"})
    info = await first.result("server_info")
    assert info == {
        "connections": 2,
        "channels": {"a": {"*": 1, "x.*": 1}},
        "broker": {"name": "LocalBroker", "channels": 1},
    }
    sockets: Sockets = app["web_sockets"]
    assert sockets.server_info() == info
    assert len(sockets.sockets) == 2 and sockets.sockets is sockets.connections
    await server.close()
    for client in (first, second):
        msg = await client.ws.receive(timeout=10)
        assert msg.type == aiohttp.WSMsgType.CLOSE
        assert msg.data == WSCloseCode.GOING_AWAY
    assert sockets.server_info()["connections"] == 0
    assert sockets.channels.info() == {}
