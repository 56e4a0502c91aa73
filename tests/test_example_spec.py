"""The example's OpenAPI document: valid, served once, equal to what `openapi-cli spec` prints."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import yaml
from aiohttp.test_utils import TestClient
from openapi_spec_validator import validate

from tests.conftest import run_cli

ROOT = Path(__file__).resolve().parent.parent
Client = TestClient[Any, Any]


async def test_spec_is_valid_openapi_31(client: Client) -> None:
    response = await client.get("/spec")
    assert response.status == 200
    doc = await response.json()
    assert doc["openapi"] == "3.1.0"
    validate(doc)
    assert set(doc["paths"]) >= {"/tasks", "/tasks/{id}", "/events"}
    assert "/stream" not in doc["paths"]  # private
    assert doc["components"]["securitySchemes"]["apiKey"]["type"] == "apiKey"
    get_list = doc["paths"]["/tasks"]["get"]
    names = {p["name"] for p in get_list["parameters"]}
    assert {"limit", "offset", "order_by", "search", "severity:gt", "title"} <= names
    assert set(get_list["responses"]["200"]["headers"]) == {"Link", "X-Total-Count"}
    ids = [
        operation["operationId"]
        for path in doc["paths"].values()
        for key, operation in path.items()
        if isinstance(operation, dict) and "operationId" in operation
    ]
    assert len(ids) == len(set(ids)) >= 7


async def test_cli_spec_equals_served_spec(client: Client, example_db_url: str) -> None:
    served = await (await client.get("/spec")).json()
    printed = run_cli(["spec"], example_db_url).output
    assert json.loads(printed) == served
    as_yaml = run_cli(["spec", "--format", "yaml"], example_db_url).output
    assert yaml.safe_load(as_yaml) == served


def test_openapi_cli_console_script(example_db_url: str) -> None:
    script = Path(sys.executable).parent / "openapi-cli"
    result = subprocess.run(
        [str(script), "--app", "tests.example.main:create_app", "spec"],
        cwd=ROOT,
        env={"DATASTORE": example_db_url, "PATH": str(script.parent)},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["info"]["title"] == "Tasks API"
    routes = subprocess.run(
        [str(script), "--app", "tests.example.main:create_app", "routes"],
        cwd=ROOT,
        env={"DATASTORE": example_db_url, "PATH": str(script.parent)},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert routes.returncode == 0, routes.stderr
    assert "/tasks/{id}" in routes.stdout and "TasksPath" in routes.stdout
