"""The README's sample answers are the example's real answers."""

from __future__ import annotations

import json
import re
from typing import Any

from aiohttp.test_utils import TestClient

from tests.conftest import ROOT

Client = TestClient[Any, Any]
README = (ROOT / "README.md").read_text()


def sample(pattern: str) -> Any:
    found = re.search(pattern, README, re.MULTILINE)
    assert found, pattern
    return json.loads(found.group(1))


async def test_the_sample_422_is_the_real_answer(client: Client) -> None:
    expected = sample(r"^# (\{\"message\": \"Invalid data\".*\})$")
    response = await client.post("/tasks", json={"title": "", "severity": 9})
    assert response.status == 422
    assert await response.json() == expected


async def test_the_sample_websocket_error_is_the_real_answer(client: Client) -> None:
    expected = sample(r"^<- (\{\"id\": \"3\", \"method\": \"nope\".*\})$")
    async with client.ws_connect("/stream") as ws:
        await ws.send_json({"id": "3", "method": "nope"})
        assert await ws.receive_json(timeout=5) == expected


async def test_the_stream_policy_stated_is_the_one_enforced(client: Client) -> None:
    """README and the document (the docs page's text) say the stream needs the API key;
    the handshake without it is a 401, with it (header or ?api_key=) a websocket."""
    assert "It needs the API key too" in README
    doc = await (await client.get("/spec")).json()
    assert "websocket stream `/stream`" in doc["info"]["description"]
    assert "API key" in doc["info"]["description"]
    response = await client.get(
        "/stream",
        headers={"X-Api-Key": "", "Connection": "Upgrade", "Upgrade": "websocket"},
    )
    assert response.status == 401
    async with client.ws_connect("/stream?api_key=secret", headers={"X-Api-Key": ""}) as ws:
        await ws.send_json({"id": "1", "method": "nope"})
        assert (await ws.receive_json(timeout=5))["id"] == "1"
