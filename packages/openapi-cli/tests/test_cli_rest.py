"""rest() applications: what web() builds, spec and routes, base_path, Sentry through rest()."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import sentry_sdk
import yaml
from aiohttp import web
from aiohttp.test_utils import TestClient
from click.testing import CliRunner
from openapi.cli import SERVING, OpenApiClient, rest
from openapi.cli.main import console_client
from openapi.spec import ConfigurationError, HttpBearer, match_keys
from sentry_sdk.envelope import Envelope
from sentry_sdk.transport import Transport

AiohttpClient = Callable[..., Any]
Client = TestClient[web.Request, web.Application]
runner = CliRunner()


@pytest.fixture
def sample(sample_on_path: Path) -> Any:
    import cli_sample_app

    return cli_sample_app


def test_web_builds_a_documented_application(sample: Any) -> None:
    cli = sample.create_cli()
    app = cli.web()
    assert isinstance(app, web.Application)
    assert app[SERVING] is False
    assert cli.web(server=True)[SERVING] is True
    assert cli.web() is not app  # a new application each time
    assert cli.get_app() is cli.get_app()
    document = app["openapi_spec"].document()
    assert document["info"] == {"title": "Sample", "version": "1.2.3", "description": "A sample"}
    assert set(document["paths"]) == {"/things", "/crash/{name}"}


def test_rest_options_reach_the_document() -> None:
    cli = rest(
        openapi={"title": "Info", "version": "3", "contact": {"name": "Ann"}},
        security={"bearer": {"type": "http", "scheme": "bearer"}},
        servers=["https://api.example.com"],
        docs=False,
    )
    app = cli.web()
    document = app["openapi_spec"].document()
    assert document["info"]["contact"] == {"name": "Ann"}
    assert document["servers"] == [{"url": "https://api.example.com"}]
    assert document["components"]["securitySchemes"] == {
        "bearer": {"type": "http", "scheme": "bearer"}
    }
    assert "/docs" not in {r.canonical for r in app.router.resources()}
    assert "/docs" in {r.canonical for r in rest().web().router.resources()}


async def test_rest_security_and_cors_are_enforced_under_base_path(
    sample: Any, aiohttp_client: AiohttpClient
) -> None:
    cli = sample.create_cli(
        base_path="/v1",
        security={"bearer": HttpBearer(verify=match_keys({"t0k": "robot"}))},
        cors={"origins": ["https://app.example.com"], "credentials": True},
    )
    client: Client = await aiohttp_client(cli.get_serve_app())
    origin = {"Origin": "https://app.example.com"}
    response = await client.get("/v1/things", headers=origin)
    assert response.status == 401
    assert response.headers["WWW-Authenticate"] == 'Bearer realm="api"'
    assert response.headers["Access-Control-Allow-Origin"] == "https://app.example.com"
    response = await client.get("/v1/things", headers={**origin, "Authorization": "Bearer t0k"})
    assert response.status == 200
    response = await client.options(
        "/v1/things",
        headers={
            **origin,
            "Access-Control-Request-Method": "GET",
            "Access-Control-Request-Headers": "authorization",
        },
    )
    assert response.status == 204
    assert response.headers["Access-Control-Allow-Headers"] == "authorization"


async def test_serve_app_mounts_at_base_path(sample: Any, aiohttp_client: AiohttpClient) -> None:
    client: Client = await aiohttp_client(sample.create_cli_v1().get_serve_app())
    response = await client.get("/v1/things")
    assert response.status == 200
    assert await response.json() == [{"name": "one"}]
    spec = await (await client.get("/v1/spec")).json()
    assert spec["servers"] == [{"url": "/v1"}]
    assert "/things" in spec["paths"]
    response = await client.get("/things")
    assert response.status == 404
    assert await response.json() == {"message": "Not Found"}


async def test_serve_mounts_a_factory_returning_web_at_base_path(
    sample: Any, aiohttp_client: AiohttpClient
) -> None:
    """`openapi-cli --app m:f serve` with f returning rest(base_path=...).web(): served
    where its document's servers say, as when f returns the group."""
    console = console_client()
    console.load("cli_sample_app:web_v1")
    client: Client = await aiohttp_client(console.get_serve_app())
    response = await client.get("/v1/things")
    assert response.status == 200
    spec = await (await client.get("/v1/spec")).json()
    assert spec["servers"] == [{"url": "/v1"}]
    assert (await client.get("/things")).status == 404


def test_a_configuration_mistake_is_one_line_not_a_traceback(
    caplog: pytest.LogCaptureFixture,
) -> None:
    def setup_app(app: web.Application) -> None:
        raise ConfigurationError("DBPOOL_MIN_SIZE must be an integer, got 'abc'")

    cli = rest(setup_app=setup_app)
    result = runner.invoke(cli, ["routes"])
    assert (result.exit_code, result.output) == (
        1,
        "Error: DBPOOL_MIN_SIZE must be an integer, got 'abc'\n",
    )
    result = runner.invoke(cli, ["serve", "--port", "0"])
    assert result.exit_code == 1
    assert "the application cannot start: DBPOOL_MIN_SIZE must be an integer" in caplog.text
    assert "Traceback" not in caplog.text + result.output


def test_spec_as_json_on_stdout(sample: Any) -> None:
    result = runner.invoke(console_client(), ["--app", "cli_sample_app:create_cli", "spec"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output) == sample.create_cli().web()["openapi_spec"].document()


@pytest.mark.parametrize(("name", "args"), [("spec.yaml", []), ("spec.txt", ["-f", "yaml"])])
def test_spec_as_yaml_to_a_file(sample: Any, tmp_path: Path, name: str, args: list[str]) -> None:
    output = tmp_path / name
    result = runner.invoke(sample.create_cli(), ["spec", "-o", str(output), *args])
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    document = yaml.safe_load(output.read_text())
    assert document == sample.create_cli().web()["openapi_spec"].document()


def test_spec_version_and_routes_of_an_application_factory(sample: Any) -> None:
    app_option = ["--app", "cli_sample_app:documented_app"]
    result = runner.invoke(console_client(), [*app_option, "spec"])
    assert result.exit_code == 0, result.output
    document = json.loads(result.output)
    assert document["info"] == {"title": "Documented", "version": "9.9"}
    result = runner.invoke(console_client(), [*app_option, "--version"])
    assert result.output.startswith("Documented 9.9\n")
    result = runner.invoke(console_client(), [*app_option, "routes"])
    assert ["/things", "GET", "listThings"] in [line.split() for line in result.output.splitlines()]


def test_an_invalid_document_is_a_clear_error(sample: Any) -> None:
    from openapi.spec import ApiPath

    class Untagged(ApiPath):
        async def get(self) -> web.Response:
            return self.json_response({})

    cli = rest(validate_docs=True, setup_app=lambda app: app.router.add_view("/u", Untagged))
    result = runner.invoke(cli, ["spec"])
    assert result.exit_code == 1
    assert "Error: invalid OpenAPI document: " in result.output
    assert "Traceback" not in result.output


def test_routes_with_operation_ids_under_base_path(sample: Any) -> None:
    result = runner.invoke(sample.create_cli_v1(), ["routes", "--json"])
    assert result.exit_code == 0, result.output
    rows = {(r["path"], r["method"]): r["operationId"] for r in json.loads(result.output)}
    assert rows[("/v1/things", "GET")] == "listThings"
    assert rows[("/v1/things", "POST")] == "ThingsPath.post"
    assert rows[("/v1/crash/{name}", "GET")] == "crash"
    assert rows[("/v1/spec", "GET")] is None
    assert rows[("/v1/pid", "GET")] is None


def test_console_uses_the_commands_and_version_of_a_rest_group(sample: Any) -> None:
    console = console_client()
    result = runner.invoke(console, ["--app", "cli_sample_app:cli", "hello"])
    assert result.exit_code == 0, result.output
    assert result.output == "Hello from Sample!\n"
    result = runner.invoke(
        console_client(), ["--version"], env={"OPENAPI_APP": "cli_sample_app:create_cli"}
    )
    assert result.output.startswith("Sample 1.2.3\n")
    result = runner.invoke(
        console_client(), ["--help"], env={"OPENAPI_APP": "cli_sample_app:create_cli"}
    )
    assert "hello" in result.output.split("Commands:")[1]


def test_the_db_entry_point_is_found_when_openapi_db_provides_it() -> None:
    pytest.importorskip("openapi.db.commands")
    result = runner.invoke(rest(), ["db", "--help"])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("Usage: root db")


# --- Sentry through rest() -------------------------------------------------------------


class CaptureTransport(Transport):
    events: list[dict[str, Any]] = []

    def capture_envelope(self, envelope: Envelope) -> None:
        for item in envelope.items:
            if item.type == "event" and item.payload.json is not None:
                self.events.append(item.payload.json)


# no auto-enabled integrations: they would patch asyncpg, SQLAlchemy... for the whole session
SENTRY_OPTIONS = {"transport": CaptureTransport, "auto_enabling_integrations": False}


@pytest.fixture
def events() -> Iterator[list[dict[str, Any]]]:
    CaptureTransport.events = []
    yield CaptureTransport.events
    sentry_sdk.get_client().close()
    sentry_sdk.get_global_scope().set_client(None)


def sentry_cli(sample: Any, **kwargs: Any) -> OpenApiClient:
    cli: OpenApiClient = sample.create_cli(sentry_options=SENTRY_OPTIONS, **kwargs)
    return cli


async def test_sentry_reports_a_500_once_with_its_route(
    sample: Any, aiohttp_client: AiohttpClient, events: list[dict[str, Any]]
) -> None:
    cli = sentry_cli(sample, sentry_dsn="https://key@sentry.example.com/7")
    client: Client = await aiohttp_client(cli.get_serve_app())
    response = await client.get("/crash/now")
    assert response.status == 500
    # the JSON error middleware answered: no traceback for the client
    assert await response.json() == {"message": "Internal Server Error"}
    assert len(events) == 1, events
    (event,) = events
    assert event["transaction"] == "GET /crash/{name}"
    assert event["request"]["method"] == "GET"
    assert event["request"]["url"].endswith("/crash/now")
    (exception,) = event["exception"]["values"]
    assert (exception["type"], exception["value"]) == ("RuntimeError", "crash now")


async def test_sentry_leaves_client_errors_alone(
    sample: Any,
    aiohttp_client: AiohttpClient,
    events: list[dict[str, Any]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("SENTRY_DSN", "https://key@sentry.example.com/7")
    client: Client = await aiohttp_client(sentry_cli(sample).get_serve_app())
    assert (await client.get("/bad")).status == 400
    assert (await client.get("/nowhere")).status == 404
    assert (await client.post("/crash/x")).status == 405
    assert (await client.get("/things")).status == 200
    assert events == []
    # the DSN came from the environment: a server error is reported
    assert (await client.get("/crash/env")).status == 500
    assert [e["transaction"] for e in events] == ["GET /crash/{name}"]


def test_without_a_dsn_sentry_stays_off(sample: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SENTRY_DSN", raising=False)
    app = sentry_cli(sample).web()
    assert all(m.__name__ != "sentry_middleware" for m in app.middlewares)  # type: ignore[union-attr]


async def test_rest_compression_reaches_the_app(sample: Any, aiohttp_client: AiohttpClient) -> None:
    app = sample.create_cli(compression=10).get_serve_app()
    client: Client = await aiohttp_client(app, auto_decompress=False)
    response = await client.get("/spec", headers={"Accept-Encoding": "gzip"})
    assert response.headers["Content-Encoding"] == "gzip"
    plain = await client.get("/spec", headers={"Accept-Encoding": "identity"})
    assert "Content-Encoding" not in plain.headers
