"""The click groups, driven with click's CliRunner."""

from __future__ import annotations

import json
import logging
import sys
from pathlib import Path

import click
import pytest
from click.testing import CliRunner
from openapi.cli import OpenApiClient, rest
from openapi.cli.main import console_client

runner = CliRunner()


def test_no_command_prints_usage() -> None:
    result = runner.invoke(rest(), [])
    assert result.exit_code == 0
    assert result.output.startswith("Usage:")
    assert "serve" in result.output and "spec" in result.output and "routes" in result.output


def test_version_from_title_and_version() -> None:
    result = runner.invoke(rest(title="Test Version", version="1.0"), ["--version"])
    assert result.exit_code == 0
    assert result.output.startswith("Test Version 1.0\n")
    assert "Python" in result.output


def test_version_from_the_seed_openapi_dict() -> None:
    cli = rest(openapi={"title": "Seed Api", "version": "2.1", "description": "Seed"})
    result = runner.invoke(cli, ["--version"])
    assert result.exit_code == 0
    assert result.output.startswith("Seed Api 2.1\n")
    assert cli.description == "Seed"


def test_rest_refuses_a_relative_base_path() -> None:
    with pytest.raises(ValueError, match="base_path"):
        rest(base_path="v1")


def test_extra_commands_see_the_client_as_ctx_obj() -> None:
    seen: list[object] = []

    @click.command("probe")
    @click.pass_context
    def probe(ctx: click.Context) -> None:
        seen.append(ctx.obj)
        click.echo("probed")

    cli = rest(title="Probe", commands=[probe])
    assert isinstance(cli, OpenApiClient) and isinstance(cli, click.Group)
    result = runner.invoke(cli, ["probe"])
    assert result.exit_code == 0, result.output
    assert result.output == "probed\n"
    assert seen == [cli]


def test_commands_may_replace_a_builtin() -> None:
    @click.command("routes")
    def routes() -> None:
        click.echo("my routes")

    result = runner.invoke(rest(commands=[routes]), ["routes"])
    assert result.output == "my routes\n"


@pytest.mark.parametrize(
    ("args", "env", "level"),
    [
        (["--verbose"], {}, logging.DEBUG),
        (["-q"], {}, logging.ERROR),
        ([], {}, logging.INFO),
        ([], {"LOG_LEVEL": "warning"}, logging.WARNING),
        (["-v"], {"LOG_LEVEL": "error"}, logging.DEBUG),
        ([], {"LOG_LEVEL": "none"}, logging.CRITICAL + 1),
    ],
)
def test_log_level(args: list[str], env: dict[str, str], level: int) -> None:
    @click.command("level")
    def show_level() -> None:
        click.echo(str(logging.getLogger().level))

    result = runner.invoke(rest(commands=[show_level]), [*args, "level"], env=env)
    assert result.exit_code == 0, result.output
    assert result.output == f"{level}\n"


def test_bad_log_level_is_a_usage_error() -> None:
    result = runner.invoke(rest(), ["routes"], env={"LOG_LEVEL": "chatty"})
    assert result.exit_code == 2
    assert "LOG_LEVEL must be one of" in result.output


def test_verbose_and_quiet_together_is_a_usage_error() -> None:
    result = runner.invoke(rest(), ["-v", "-q", "routes"])
    assert result.exit_code == 2
    assert "mutually exclusive" in result.output


# --- entry-point commands -------------------------------------------------------------


def write_distribution(folder: Path, name: str, entry_points: str) -> None:
    info = folder / f"{name}-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: 1.0\n")
    (info / "entry_points.txt").write_text(entry_points)


@pytest.fixture
def plugin_distribution(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A distribution registering two commands in the group ``openapi.cli``, one broken."""
    (tmp_path / "cli_plugin_commands.py").write_text(
        "import click\n\n"
        "@click.command('greet')\n"
        "@click.pass_context\n"
        "def greet(ctx):\n"
        "    '''Greet from a plugin.'''\n"
        "    click.echo(f'greetings from {ctx.obj.version_info()[0]}')\n"
    )
    write_distribution(
        tmp_path,
        "cli_plugin_dist",
        "[openapi.cli]\n"
        "greet = cli_plugin_commands:greet\n"
        "broken = cli_plugin_missing_module:command\n",
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    return tmp_path


def test_entry_point_commands_are_listed_and_run(plugin_distribution: Path) -> None:
    cli = rest(title="Plugged")
    result = runner.invoke(cli, ["--help"])
    assert result.exit_code == 0
    assert "greet" in result.output
    assert "Greet from a plugin." in result.output
    result = runner.invoke(cli, ["greet"])
    assert result.exit_code == 0, result.output
    assert result.output == "greetings from Plugged\n"


def test_a_broken_entry_point_is_skipped_with_a_warning(
    plugin_distribution: Path, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING, logger="openapi.cli.plugins"):
        result = runner.invoke(rest(), ["--help"])
    assert result.exit_code == 0
    assert "broken" not in result.output.split("Commands:")[1]
    assert "cannot load command 'broken'" in caplog.text
    result = runner.invoke(rest(), ["broken"])
    assert result.exit_code == 2
    assert "No such command 'broken'" in result.output


def test_a_command_given_to_rest_wins_over_an_entry_point(plugin_distribution: Path) -> None:
    @click.command("greet")
    def greet() -> None:
        click.echo("mine")

    result = runner.invoke(rest(commands=[greet]), ["greet"])
    assert result.output == "mine\n"


# --- openapi-cli --app ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("reference", "message"),
    [
        ("cli_sample_app", "is not MODULE:FACTORY"),
        ("cli_no_such_module:app", "cannot import 'cli_no_such_module'"),
        ("cli_sample_app:missing", "has no attribute 'missing'"),
        ("cli_sample_app:not_an_app", "expected a rest() group, an aiohttp Application"),
        ("cli_sample_app:async_factory", "make it a plain function"),
    ],
)
def test_bad_app_reference(sample_on_path: Path, reference: str, message: str) -> None:
    result = runner.invoke(console_client(), ["--app", reference, "routes"])
    assert result.exit_code == 2
    assert message in result.output


@pytest.mark.parametrize("command", ["routes", "spec", "serve"])
def test_no_app_is_a_usage_error(command: str) -> None:
    result = runner.invoke(console_client(), [command], env={"OPENAPI_APP": ""})
    assert result.exit_code == 2
    assert "no application: pass --app MODULE:FACTORY, set OPENAPI_APP, or run" in result.output


def test_console_help_without_app() -> None:
    result = runner.invoke(console_client(), ["--help"], env={"OPENAPI_APP": ""})
    assert result.exit_code == 0
    assert "--app MODULE:FACTORY" in result.output


@pytest.mark.parametrize("flag", ["-h", "--help"])
@pytest.mark.parametrize("command", [[], ["serve"], ["spec"], ["routes"]])
def test_dash_h_is_help_everywhere(flag: str, command: list[str]) -> None:
    for group in (console_client(), rest(title="Help")):
        result = runner.invoke(group, [*command, flag], env={"OPENAPI_APP": ""})
        assert result.exit_code == 0, result.output
        assert result.output.startswith("Usage: ")
        assert "-h, --help" in result.output


def test_serve_help_names_the_default_host_and_containers() -> None:
    output = runner.invoke(rest(), ["serve", "-h"]).output
    assert "--host TEXT" in output and "-h, --host" not in output
    assert "[default: 127.0.0.1]" in " ".join(output.split())
    assert "0.0.0.0 is every interface, as a container needs" in " ".join(output.split())


EXPECTED_PLAIN_ROUTES = [
    ("/bad", "GET", None),
    ("/boom/{name}", "GET", None),
    ("/items/{id}", "GET", None),
    ("/items/{id}", "DELETE", None),
    ("/pid", "GET", None),
    ("/slow", "GET", None),
    ("/ws", "GET", None),
]


@pytest.mark.parametrize("attribute", ["plain_app", "app_instance"])
def test_routes_of_a_plain_application(sample_on_path: Path, attribute: str) -> None:
    result = runner.invoke(console_client(), ["--app", f"cli_sample_app:{attribute}", "routes"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].split() == ["PATH", "METHOD", "OPERATION", "ID"]
    rows = [tuple(line.split()) for line in lines[1:]]
    assert rows == [(p, m, "-") for p, m, _ in EXPECTED_PLAIN_ROUTES]


def test_routes_as_json_with_the_app_from_the_environment(sample_on_path: Path) -> None:
    result = runner.invoke(
        console_client(), ["routes", "--json"], env={"OPENAPI_APP": "cli_sample_app:plain_app"}
    )
    assert result.exit_code == 0, result.output
    rows = [(r["path"], r["method"], r["operationId"]) for r in json.loads(result.output)]
    assert rows == EXPECTED_PLAIN_ROUTES


def test_spec_of_an_application_without_openapi(sample_on_path: Path) -> None:
    result = runner.invoke(console_client(), ["--app", "cli_sample_app:plain_app", "spec"])
    assert result.exit_code == 1
    assert "the application has no OpenAPI document" in result.output


def test_version_of_a_plain_application(sample_on_path: Path) -> None:
    result = runner.invoke(console_client(), ["--app", "cli_sample_app:plain_app", "--version"])
    assert result.exit_code == 0
    assert result.output.startswith("cli_sample_app:plain_app\n")


def test_console_version_without_app() -> None:
    result = runner.invoke(console_client(), ["--version"], env={"OPENAPI_APP": ""})
    assert result.exit_code == 0
    assert result.output.startswith("aio-openapi-cli 0.1.0\n")


def test_the_console_script(sample_on_path: Path) -> None:
    import os
    import subprocess

    script = Path(sys.executable).parent / "openapi-cli"
    env = {**os.environ, "PYTHONPATH": str(sample_on_path), "OPENAPI_APP": "cli_sample_app:cli"}
    done = subprocess.run(
        [str(script), "spec"], env=env, capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["info"]["title"] == "Sample"
    done = subprocess.run(
        [str(script), "--app", "nowhere:app", "spec"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 2
    assert "cannot import 'nowhere'" in done.stderr
    assert "Traceback" not in done.stderr


def test_route_rows_of_sub_applications() -> None:
    from aiohttp import web
    from openapi.cli.routes import format_table, route_rows

    async def handler(request: web.Request) -> web.Response:
        return web.Response()

    inner = web.Application()
    inner.router.add_get("/leaf", handler)
    inner.router.add_post("/leaf", handler)
    middle = web.Application()
    middle.add_subapp("/inner", inner)
    middle.router.add_put("/mid", handler)
    app = web.Application()
    app.add_subapp("/api", middle)
    document = {"paths": {"/api/inner/leaf": {"post": {"operationId": "makeLeaf"}}}}
    rows = route_rows(app, document, prefix="/v2")
    assert [(r.path, r.method, r.operation_id) for r in rows] == [
        ("/v2/api/inner/leaf", "GET", None),
        ("/v2/api/inner/leaf", "POST", "makeLeaf"),
        ("/v2/api/mid", "PUT", None),
    ]
    assert format_table(rows).splitlines() == [
        "PATH                METHOD  OPERATION ID",
        "/v2/api/inner/leaf  GET     -",
        "/v2/api/inner/leaf  POST    makeLeaf",
        "/v2/api/mid         PUT     -",
    ]


def test_the_app_from_the_projects_pyproject(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "pyproject.toml").write_text(
        '[project]\nname = "p"\n\n[tool.openapi]\napp = "project_app:plain"\n'
    )
    (tmp_path / "project_app.py").write_text(
        "from aiohttp import web\n\n"
        "async def hello(request):\n    return web.Response(text='hi')\n\n"
        "def plain():\n    app = web.Application()\n"
        "    app.router.add_get('/from-pyproject', hello)\n    return app\n"
    )
    nested = tmp_path / "sub" / "dir"
    nested.mkdir(parents=True)
    # from a folder below the project too, as git or pytest find theirs
    monkeypatch.chdir(nested)
    monkeypatch.delenv("OPENAPI_APP", raising=False)
    monkeypatch.syspath_prepend(str(nested))
    result = runner.invoke(console_client(), ["routes", "--json"])
    assert result.exit_code == 0, result.output
    assert "/from-pyproject" in [row["path"] for row in json.loads(result.output)]
    # OPENAPI_APP wins over the project's file
    result = runner.invoke(console_client(), ["routes"], env={"OPENAPI_APP": "project_app:missing"})
    assert result.exit_code == 2 and "has no attribute 'missing'" in result.output
    sys.modules.pop("project_app", None)


def test_new_writes_a_project_and_refuses_to_overwrite(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(console_client(), ["new", "my-api"], env={"OPENAPI_APP": ""})
    assert result.exit_code == 0, result.output
    project = Path("my-api")
    main = (project / "main.py").read_text()
    assert 'openapi={"title": "My Api"' in main and "$" not in main
    pyproject = (project / "pyproject.toml").read_text()
    assert 'name = "my-api"' in pyproject and 'app = "main:create_app"' in pyproject
    assert "aio-openapi[embedded]>=4.0.0a1" in pyproject
    assert (project / ".gitignore").read_text().startswith(".openapi/")
    assert (project / "migrations" / "env.py").is_file()
    assert list((project / "migrations" / "versions").glob("0001_*.py"))
    compile(main, "main.py", "exec")
    again = runner.invoke(console_client(), ["new", "my-api"])
    assert again.exit_code == 1 and "already exists and is not empty" in again.output
    bad = runner.invoke(console_client(), ["new", "9lives"])
    assert bad.exit_code == 2 and "starts with a letter" in bad.output
